declare module 'bpmn-js-differ' {
  export function diff(a: unknown, b: unknown): { _added: Record<string, unknown>; _removed: Record<string, unknown>; _changed: Record<string, unknown>; _layoutChanged: Record<string, unknown> };
}
declare module '@bpmn-io/element-template-chooser' {
  /** A bpmn-js module: opens a searchable list of the element templates when the properties panel asks to choose one. */
  const module: Record<string, unknown>;
  export default module;
}
