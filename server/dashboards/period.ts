/** Reporting periods: whole calendar months in Europe/Berlin, written "YYYY-MM". */
import { berlinMidnight } from '../residence/deadlines';
import { todayInBerlin } from '../util/quick-check';

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export const currentMonth = (now = new Date()) => todayInBerlin(now).slice(0, 7);

export function addMonths(ym: string, n: number): string {
  const [y, m] = ym.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The instant the month begins in Germany. */
export const monthStart = (ym: string) => berlinMidnight(`${ym}-01`);

/** Every month from `from` to `to`, inclusive. */
export function monthsOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 600; m = addMonths(m, 1)) out.push(m);
  return out;
}

const NAMES = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
const SHORT = ['Jan.', 'Feb.', 'März', 'Apr.', 'Mai', 'Juni', 'Juli', 'Aug.', 'Sept.', 'Okt.', 'Nov.', 'Dez.'];

export const monthLabel = (ym: string, short = true) => `${(short ? SHORT : NAMES)[Number(ym.slice(5)) - 1]} ${ym.slice(0, 4)}`;

export const periodLabel = (from: string, to: string) => (from === to ? monthLabel(from, false) : `${monthLabel(from, false)} bis ${monthLabel(to, false)}`);

/** The last twelve months up to and including the current one. */
export function defaultPeriod(now = new Date()): { from: string; to: string } {
  const to = currentMonth(now);
  return { from: addMonths(to, -11), to };
}

/** The whole period before `now` a schedule reports: the previous month, quarter or year. */
export function previousPeriod(kind: 'vormonat' | 'vorquartal' | 'vorjahr', now = new Date()): { from: string; to: string } {
  const cur = currentMonth(now);
  const [y, m] = cur.split('-').map(Number);
  if (kind === 'vormonat') {
    const p = addMonths(cur, -1);
    return { from: p, to: p };
  }
  if (kind === 'vorquartal') {
    const qStart = addMonths(`${y}-${String(m - ((m - 1) % 3)).padStart(2, '0')}`, -3);
    return { from: qStart, to: addMonths(qStart, 2) };
  }
  return { from: `${y - 1}-01`, to: `${y - 1}-12` };
}
