/**
 * A date input in German form (TT.MM.JJJJ) whatever language the browser has: the native date
 * field follows the browser's language, which is not ours to choose. The form value stays an ISO
 * date (JJJJ-MM-TT, what the API expects); it changes only when the typed text is a complete, real
 * date or empty, so a half-typed date never reaches the server.
 */
import { ReactNode, useEffect, useState } from 'react';
import { useInput } from 'react-admin';
import { TextField, type TextFieldProps } from '@mui/material';

const GERMAN = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** "3.12.2026" → "2026-12-03"; undefined when the text is no real date. */
export function parseGermanDate(text: string): string | undefined {
  const m = GERMAN.exec(text.trim());
  if (!m) return undefined;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Today's calendar day in Germany as an ISO date ("2026-12-03"), whatever the browser's time zone. */
export const todayInGermany = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** "2026-12-03" (or a full ISO instant) → "03.12.2026". */
export function formatGermanDate(iso: unknown): string {
  if (typeof iso !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}.${m}.${y}`;
}

/**
 * The German date field without a form library: `value` and `onChange` carry the ISO date ('' when
 * empty). A typed text that is no real date keeps the last value and says how to write it.
 */
export function GermanDateField(
  props: { id?: string; label: string; value: string | null | undefined; onChange: (iso: string) => void; onBlur?: () => void; helperText?: ReactNode; error?: boolean; shrinkLabel?: boolean } & Pick<
    TextFieldProps,
    'size' | 'variant' | 'sx' | 'fullWidth' | 'required'
  >,
) {
  const { value, onChange, onBlur, helperText, error, shrinkLabel, ...rest } = props;
  const [text, setText] = useState(() => formatGermanDate(value));
  // Follow the value when it changes from outside (filters reset, saved filters loaded, prefill).
  useEffect(() => {
    if (parseGermanDate(text) !== (value || undefined) && !(text === '' && !value)) setText(formatGermanDate(value));
    // Only the outside value matters here; the text is the user's.
  }, [value]);
  const invalid = text.trim() !== '' && !parseGermanDate(text);
  return (
    <TextField
      {...rest}
      value={text}
      placeholder="TT.MM.JJJJ"
      autoComplete="off"
      // react-admin's filter bar hides helper texts; the hint on a wrong date must show.
      slotProps={{ ...(shrinkLabel ? { inputLabel: { shrink: true } } : {}), htmlInput: { inputMode: 'numeric', 'aria-invalid': invalid || undefined }, formHelperText: { sx: { display: 'block !important' } } }}
      error={invalid || !!error}
      helperText={invalid ? 'Datum als TT.MM.JJJJ eingeben' : helperText}
      onChange={(e) => {
        const next = e.target.value;
        setText(next);
        if (next.trim() === '') onChange('');
        else {
          const iso = parseGermanDate(next);
          if (iso) onChange(iso);
        }
      }}
      onBlur={onBlur}
    />
  );
}

export function GermanDateInput(props: { source: string; label: string; alwaysOn?: boolean; helperText?: string | false }) {
  const { field, fieldState, id } = useInput({ source: props.source });
  return (
    <GermanDateField
      id={id}
      label={props.label}
      value={field.value}
      size="small"
      variant="filled"
      error={!!fieldState.error}
      helperText={props.helperText === false ? undefined : props.helperText}
      onChange={(iso) => field.onChange(iso || null)}
      onBlur={field.onBlur}
      sx={{ minWidth: 150 }}
    />
  );
}
