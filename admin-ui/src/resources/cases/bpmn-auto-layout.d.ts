/** bpmn-auto-layout ships no types: it adds diagram shapes (DI) to a model that has none. */
declare module 'bpmn-auto-layout' {
  export function layoutProcess(xml: string): Promise<string>;
}

/** bpmn-moddle exports its types only under "bpmn-moddle/types": the little the process view uses. */
declare module 'bpmn-moddle' {
  export interface ModdleElement {
    $type: string;
    id?: string;
    get(name: string): unknown;
    [key: string]: unknown;
  }
  export class BpmnModdle {
    fromXML(xml: string): Promise<{ rootElement: ModdleElement }>;
    toXML(element: ModdleElement): Promise<{ xml: string }>;
  }
}
