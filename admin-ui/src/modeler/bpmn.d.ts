declare module 'bpmn-js-differ' {
  export function diff(a: unknown, b: unknown): { _added: Record<string, unknown>; _removed: Record<string, unknown>; _changed: Record<string, unknown>; _layoutChanged: Record<string, unknown> };
}
