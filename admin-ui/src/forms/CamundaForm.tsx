/**
 * A Camunda form (form-js viewer) in React: imports the deployed schema with the prefill values,
 * reports every change (drafts), and exposes submit() which validates inline and returns the data.
 * form-js writes its own (English) validation texts; they are replaced by German ones in place.
 */
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { Form } from '@bpmn-io/form-js';
// form-js' date fields use this flatpickr (its dependency); German month and day names in the calendar.
import flatpickr from 'flatpickr';
import { German } from 'flatpickr/dist/l10n/de';
import '@bpmn-io/form-js/dist/assets/form-js.css';
import { Alert, Box, CircularProgress } from '@mui/material';

export interface CamundaFormHandle {
  /** Validates; errors are shown at the fields. Resolves with the data and the fields in error. */
  submit(): { data: Record<string, unknown>; errors: Record<string, unknown> };
  data(): Record<string, unknown>;
}

/**
 * form-js derives the date format of its date fields (input order, placeholder, parsing) from the
 * browser's default locale. The product is German whatever the browser says: the default locale of
 * date formatting is German (dd.mm.yyyy); an explicitly named locale stays as asked. Installed once
 * when the form module loads (it is loaded with the task view).
 */
function germanDefaultDateFormat() {
  const Native = Intl.DateTimeFormat;
  if ((Native as unknown as { kimGerman?: boolean }).kimGerman) return;
  const German = function (locales?: string | string[], options?: Intl.DateTimeFormatOptions) {
    if (locales !== undefined && locales !== 'default') return new Native(locales, options);
    // No options: a date as Germans write it in forms, with leading zeros (01.03.2015).
    return new Native('de-DE', options ?? { day: '2-digit', month: '2-digit', year: 'numeric' });
  };
  Object.defineProperties(German, {
    prototype: { value: Native.prototype },
    supportedLocalesOf: { value: Native.supportedLocalesOf.bind(Native) },
    kimGerman: { value: true },
  });
  Intl.DateTimeFormat = German as unknown as typeof Intl.DateTimeFormat;
}
germanDefaultDateFormat();

flatpickr.localize({ ...German, monthAriaLabel: 'Monat', yearAriaLabel: 'Jahr', hourAriaLabel: 'Stunde', minuteAriaLabel: 'Minute' });
flatpickr.setDefaults({ ariaDateFormat: 'j. F Y' });

const GERMAN: Array<[RegExp, string]> = [
  [/^Field is required\.?$/, 'Pflichtfeld – bitte ausfüllen.'],
  [/^Field must have minimum length of (\d+)\.?$/, 'Bitte mindestens $1 Zeichen eingeben.'],
  [/^Field must have maximum length of (\d+)\.?$/, 'Bitte höchstens $1 Zeichen eingeben.'],
  [/^Field must have minimum value of (.+?)\.?$/, 'Der Wert muss mindestens $1 sein.'],
  [/^Field must have maximum value of (.+?)\.?$/, 'Der Wert darf höchstens $1 sein.'],
  [/^Field must match pattern (.+?)\.?$/, 'Die Eingabe hat nicht das erwartete Format.'],
  [/^Field must be a valid email\.?$/, 'Bitte eine gültige E-Mail-Adresse eingeben.'],
  [/^Value is not a number\.?$/, 'Bitte eine Zahl eingeben.'],
  [/^Select$/, 'Bitte wählen'],
  [/^Search$/, 'Suchen'],
  [/^No results$/, 'Keine Treffer'],
  // Dynamic lists (e.g. the goals of the Förderplan).
  [/^Add new$/, 'Eintrag hinzufügen'],
  [/^Collapse$/, 'Einklappen'],
  [/^Expand all \((\d+)\)$/, 'Alle aufklappen ($1)'],
];

/** form-js' English date hint in the locale's order, e.g. "dd.mm.yyyy" → "TT.MM.JJJJ". */
const germanDateHint = (hint: string) => hint.replace(/d/g, 'T').replace(/m/g, 'M').replace(/y/g, 'J');

function germanize(root: HTMLElement) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue?.trim();
    if (!text) continue;
    for (const [re, de] of GERMAN) if (re.test(text)) n.nodeValue = text.replace(re, de);
  }
  root.querySelectorAll('input[placeholder="Select"], input[placeholder="Search"]').forEach((el) => el.setAttribute('placeholder', 'Bitte wählen'));
  root.querySelectorAll('input[placeholder]').forEach((el) => {
    const hint = el.getAttribute('placeholder') ?? '';
    if (/^(?=.*d)(?=.*m)(?=.*y)[dmy./-]+$/.test(hint)) el.setAttribute('placeholder', germanDateHint(hint));
  });
  root.querySelectorAll('[aria-label^="Remove list item "]').forEach((el) => {
    el.setAttribute('aria-label', `Eintrag ${(el.getAttribute('aria-label') ?? '').replace('Remove list item ', '')} entfernen`);
  });
}

interface Props {
  schema: unknown;
  data: Record<string, unknown>;
  readOnly?: boolean;
  onChange?: (data: Record<string, unknown>) => void;
}

export const CamundaForm = forwardRef<CamundaFormHandle, Props>(function CamundaForm({ schema, data, readOnly, onChange }, ref) {
  const container = useRef<HTMLDivElement>(null);
  const form = useRef<Form | null>(null);
  const latest = useRef<Record<string, unknown>>(data);
  const changed = useRef(onChange);
  changed.current = onChange;
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');

  useEffect(() => {
    if (!container.current) return;
    // Every keystroke goes into the form's state at once (form-js waits 300 ms by default and then
    // reads the field's DOM value): a re-render in that window – e.g. a date field taking its value
    // just before – reset the field and dropped the text typed into it.
    const f = new Form({ container: container.current, debounce: false } as ConstructorParameters<typeof Form>[0]);
    form.current = f;
    const observer = new MutationObserver(() => container.current && germanize(container.current));
    // Attributes too: form-js sets labels again when a list item moves.
    observer.observe(container.current, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-label', 'placeholder'] });
    f.on('changed', (e: { data: Record<string, unknown> }) => {
      latest.current = e.data;
      changed.current?.(e.data);
    });
    let alive = true;
    f.importSchema(schema as never, data)
      .then(() => {
        if (!alive) return;
        if (readOnly) f.setProperty('readOnly', true);
        setState('ready');
      })
      .catch(() => alive && setState('error'));
    return () => {
      alive = false;
      observer.disconnect();
      f.destroy();
      form.current = null;
    };
    // The form is imported once per schema; later prefill changes must not wipe what was typed.
    // Intentionally runs only on the listed dependencies.
  }, [schema]);

  useImperativeHandle(ref, () => ({
    submit() {
      const f = form.current;
      if (!f) return { data: latest.current, errors: {} };
      const r = f.submit() as { data: Record<string, unknown>; errors: Record<string, unknown> };
      if (container.current) germanize(container.current);
      return r;
    },
    data: () => latest.current,
  }));

  return (
    // Labels wrap instead of being cut off (form-js keeps them on one line): long German labels on a phone.
    <Box sx={{ minWidth: 0, '& .fjs-container .fjs-form-field-label': { whiteSpace: 'normal', overflowWrap: 'anywhere' } }}>
      {state === 'loading' && (
        <Box role="status" sx={{ display: 'flex', gap: 1, alignItems: 'center', p: 1 }}>
          <CircularProgress size={18} aria-hidden /> Formular wird geladen …
        </Box>
      )}
      {state === 'error' && <Alert severity="error">Das Formular konnte nicht angezeigt werden. Bitte laden Sie die Seite neu; bleibt der Fehler, melden Sie ihn dem Support.</Alert>}
      <div ref={container} data-testid="camunda-form" />
    </Box>
  );
});
