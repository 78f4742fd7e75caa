/**
 * The deadline tracker's date arithmetic: which dates a residence path tracks (the decision's dates
 * as the engine computed them, plus the facts the ABH keeps) and when each is reminded (the date at
 * 00:00 Europe/Berlin minus the lead time of its kind). The §§ 25a/25b rules themselves stay in the
 * DMN; here are only the tracked-not-decided dates of DOMAIN.md (§ 60c/§ 60d, expiry dates).
 */
import {
  BESCHAEFTIGUNGSDULDUNG_MONATE,
  DEADLINE_KINDS,
  DEFAULT_LEAD_TIMES,
  IDENTITAET_MONATE_NACH_EINREISE,
  IDENTITAET_STICHTAG_EINREISE,
  type DeadlineKind,
  type VorpruefungResult,
} from '../../processes/kim-bleiberecht/contract';

export type LeadTimes = Record<DeadlineKind, string>;

const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Lead times: the defaults, overridden per kind by a JSON object (KIM_FRISTEN_VORLAUF). */
export function leadTimesOf(json: string | undefined): LeadTimes {
  const out = { ...DEFAULT_LEAD_TIMES };
  if (!json) return out;
  const parsed = JSON.parse(json) as Record<string, unknown>;
  for (const [k, v] of Object.entries(parsed)) {
    if (!(DEADLINE_KINDS as readonly string[]).includes(k)) throw new Error(`KIM_FRISTEN_VORLAUF: unbekannte Fristart „${k}“. Erlaubt: ${DEADLINE_KINDS.join(', ')}.`);
    if (typeof v !== 'string' || !DURATION.test(v)) throw new Error(`KIM_FRISTEN_VORLAUF: „${k}“ braucht eine ISO-8601-Dauer, z. B. P30D.`);
    out[k as DeadlineKind] = v;
  }
  return out;
}

/** YYYY-MM-DD + months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** The instant of 00:00 Europe/Berlin on a calendar day. */
export function berlinMidnight(iso: string): Date {
  const utc = Date.parse(`${iso}T00:00:00Z`);
  // The zone's offset at that moment (±1 h is enough to land on the right side of a DST switch).
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' }).formatToParts(new Date(utc)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  const offsetMs = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
  return new Date(utc - offsetMs);
}

/** `at` minus an ISO 8601 duration (calendar parts on the UTC calendar, time parts in ms). */
export function minusDuration(at: Date, duration: string): Date {
  const m = DURATION.exec(duration);
  if (!m) throw new Error(`Ungültige Dauer ${duration}`);
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const out = new Date(at.getTime());
  out.setUTCFullYear(out.getUTCFullYear() - y, out.getUTCMonth() - mo, out.getUTCDate() - 7 * w - d);
  return new Date(out.getTime() - ((h * 60 + mi) * 60 + s) * 1000);
}

export interface TrackedFacts {
  aufenthaltsstatus: string | null;
  duldungBis: string | null;
  aufenthaltserlaubnisBis: string | null;
  passBis: string | null;
  einreiseAm: string | null;
  beschaeftigungsduldungSeit: string | null;
}

/** Every date that matters for the path, by kind (the decision's dates, then the facts). */
export function trackedDates(decision: VorpruefungResult | null, f: TrackedFacts): Array<{ kind: DeadlineKind; date: string }> {
  const out: Array<{ kind: DeadlineKind; date: string }> = [];
  const add = (kind: DeadlineKind, date: string | null | undefined) => {
    if (date) out.push({ kind, date });
  };
  add('FRUEHESTENS_25A', decision?.paragraf25a.fruehestensAb);
  add('FRUEHESTENS_25B', decision?.paragraf25b.fruehestensAb);
  for (const frist of decision?.fristen ?? []) add(frist.code, frist.datum);
  add('DULDUNG_ABLAUF', f.duldungBis);
  add('AUFENTHALTSERLAUBNIS_ABLAUF', f.aufenthaltserlaubnisBis);
  add('PASS_ABLAUF', f.passBis);
  // §§ 60c/60d: who entered from 2020 on has to clarify the identity within 6 months of entry.
  if (f.einreiseAm && f.einreiseAm >= IDENTITAET_STICHTAG_EINREISE && (f.aufenthaltsstatus === 'DULDUNG' || f.aufenthaltsstatus === 'DULDUNG_60B')) add('IDENTITAET_60C_60D', addMonths(f.einreiseAm, IDENTITAET_MONATE_NACH_EINREISE));
  if (f.beschaeftigungsduldungSeit) add('BESCHAEFTIGUNGSDULDUNG_ENDE', addMonths(f.beschaeftigungsduldungSeit, BESCHAEFTIGUNGSDULDUNG_MONATE));
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.kind.localeCompare(b.kind));
}

/** The dates with their reminder instants. */
export function withReminders(dates: Array<{ kind: DeadlineKind; date: string }>, lead: LeadTimes) {
  return dates.map((d) => ({ ...d, remindAt: minusDuration(berlinMidnight(d.date), lead[d.kind]) }));
}

/**
 * The engine's reminder plan: only dates still ahead (from `today`), as "kind|remindAt|date"
 * entries, comma-separated (the model's multi-instance splits them; see kim-bleiberecht.bpmn).
 */
export function reminderPlan(rows: Array<{ kind: string; date: string; remindAt: Date }>, today: string): string {
  return rows
    .filter((r) => r.date >= today)
    .map((r) => `${r.kind}|${r.remindAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}|${r.date}`)
    .join(',');
}
