/** The form editor (@bpmn-io/form-js FormEditor) for the forms linked from the draft's user tasks, in German (see germanizeDom). */
import { useEffect, useRef } from 'react';
import { FormEditor } from '@bpmn-io/form-js';
import '@bpmn-io/form-js/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js/dist/assets/form-js.css';
import { FORM_DE, germanizeDom } from './translate';

export function FormsEditor({ schema, onChange }: { schema: Record<string, unknown>; onChange(schema: Record<string, unknown>): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const cb = useRef(onChange);
  cb.current = onChange;
  useEffect(() => {
    const editor = new FormEditor({ container: ref.current! });
    const stopGerman = germanizeDom(ref.current!, FORM_DE);
    let alive = true;
    editor.importSchema(schema).then(() => {
      if (!alive) return;
      editor.on('changed', () => cb.current(editor.saveSchema() as Record<string, unknown>));
    });
    return () => {
      alive = false;
      stopGerman();
      editor.destroy();
    };
    // Intentionally runs only on the listed dependencies.
  }, [String(schema.id)]);
  return <div ref={ref} className="kim-form-editor" data-testid="form-editor" />;
}
