/**
 * A month picker with German names ("März 2026"): the browser's own month input shows the browser's
 * language, not necessarily German. The last five years up to the current month, newest first.
 */
import { MenuItem, TextField } from '@mui/material';

const NAMES = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
export const monthName = (ym: string) => `${NAMES[Number(ym.slice(5)) - 1]} ${ym.slice(0, 4)}`;

export const currentMonth = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
export function addMonths(ym: string, n: number): string {
  const d = new Date(Date.UTC(Number(ym.slice(0, 4)), Number(ym.slice(5)) - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

export function MonthSelect(props: { id: string; label: string; value: string; onChange: (ym: string) => void; error?: string }) {
  const now = currentMonth();
  const months = Array.from({ length: 60 }, (_, i) => addMonths(now, -i));
  if (props.value && !months.includes(props.value)) months.push(props.value);
  return (
    <TextField
      id={props.id}
      select
      size="small"
      label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      error={!!props.error}
      helperText={props.error}
      sx={{ width: 200, maxWidth: '100%' }}
    >
      {months.map((m) => (
        <MenuItem key={m} value={m}>
          {monthName(m)}
        </MenuItem>
      ))}
    </TextField>
  );
}
