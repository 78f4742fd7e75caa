/**
 * `npm run audit` (part of `npm test`): fails on known high or critical vulnerabilities in the
 * production dependencies (`npm audit --omit=dev`), unless accepted in audit-allowlist.json with a
 * reason and a date until which the acceptance holds. An expired or malformed entry fails as well –
 * also when the audit service cannot be asked, so acceptances are reviewed in any case.
 *
 * When the registry's audit service cannot be reached (offline, a mirror without it: it answers 405
 * on these machines), the check says so plainly and does not fail the run – nothing could be checked,
 * which is not the same as a finding. KIM_AUDIT_REQUIRED=true turns that into a failure (for a CI
 * that must prove the check ran).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '..');
export const ALLOWLIST_FILE = path.join(ROOT, 'audit-allowlist.json');
const BLOCKING = new Set(['high', 'critical']);
const SEVERITY_DE: Record<string, string> = { critical: 'kritisch', high: 'hoch', moderate: 'mittel', low: 'niedrig', info: 'Hinweis' };

const entrySchema = z.object({
  /** GHSA id (GHSA-xxxx-xxxx-xxxx) or the npm advisory number. */
  id: z.string().regex(/^(GHSA(-[23456789cfghjmpqrvwx]{4}){3}|\d+)$/, 'GHSA-xxxx-xxxx-xxxx oder Nummer des npm-Hinweises'),
  package: z.string().min(1),
  reason: z.string().min(20, 'Begründung mit mindestens 20 Zeichen: warum die Lücke hier nicht ausnutzbar ist oder warum noch nicht behoben'),
  until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Datum JJJJ-MM-TT'),
  acceptedBy: z.string().min(1).optional(),
});
const allowlistSchema = z.object({ $comment: z.string().optional(), entries: z.array(entrySchema) });
export type AllowEntry = z.infer<typeof entrySchema>;

export interface Advisory {
  id: string;
  source: string;
  package: string;
  title: string;
  severity: string;
  range: string;
  url: string;
}

export interface AuditOutcome {
  ok: boolean;
  /** Lines for the console, German. */
  lines: string[];
}

/** Reads and checks the allowlist: format, and no entry past its date. */
export function checkAllowlist(raw: string, today: string): { entries: AllowEntry[]; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { entries: [], problems: ['audit-allowlist.json ist kein gültiges JSON.'] };
  }
  const r = allowlistSchema.safeParse(parsed);
  if (!r.success) return { entries: [], problems: r.error.issues.map((i) => `audit-allowlist.json, ${i.path.join('.') || 'Datei'}: ${i.message}`) };
  const problems = r.data.entries
    .filter((e) => e.until < today)
    .map((e) => `Die Ausnahme für ${e.id} (${e.package}) galt bis ${germanDate(e.until)} und ist abgelaufen: Lücke beheben oder nach erneuter Prüfung mit neuem Datum und Begründung verlängern.`);
  return { entries: r.data.entries, problems };
}

function germanDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/** The advisories in `npm audit --json` (format of npm 7 and later). */
export function advisoriesOf(report: unknown): Advisory[] {
  const vulns = (report as { vulnerabilities?: Record<string, { via?: unknown[]; range?: string }> }).vulnerabilities ?? {};
  const out = new Map<string, Advisory>();
  for (const [name, v] of Object.entries(vulns)) {
    for (const via of v.via ?? []) {
      if (!via || typeof via !== 'object') continue; // a string: reached through another package, listed there
      const a = via as { source?: number | string; name?: string; title?: string; severity?: string; range?: string; url?: string };
      const ghsa = /GHSA(-[a-z0-9]{4}){3}/i.exec(a.url ?? '')?.[0];
      const id = ghsa ?? String(a.source ?? '');
      out.set(`${id}:${a.name ?? name}`, { id, source: String(a.source ?? ''), package: a.name ?? name, title: a.title ?? '', severity: a.severity ?? 'unknown', range: a.range ?? v.range ?? '', url: a.url ?? '' });
    }
  }
  return [...out.values()];
}

/** Is the report the audit service's answer, or npm telling that the service could not be asked? */
export function unreachableReason(report: unknown): string | null {
  const r = report as { error?: { code?: string; summary?: string }; message?: string; statusCode?: number; code?: string };
  if (r && typeof r === 'object' && 'vulnerabilities' in r) return null;
  const status = r?.statusCode ? `HTTP ${r.statusCode}` : null;
  return [status, r?.error?.code ?? r?.code, (r?.message ?? r?.error?.summary ?? '').split('\n')[0]].filter(Boolean).join(' – ') || 'keine verwertbare Antwort';
}

export function evaluate(report: unknown, allowlistRaw: string, today: string, required: boolean): AuditOutcome {
  const lines: string[] = [];
  const { entries, problems } = checkAllowlist(allowlistRaw, today);
  const unreachable = unreachableReason(report);
  if (unreachable) {
    lines.push(`Der Audit-Dienst der npm-Registry ist nicht erreichbar (${unreachable}). Die Produktionsabhängigkeiten wurden NICHT auf bekannte Sicherheitslücken geprüft.`);
    lines.push(required ? 'KIM_AUDIT_REQUIRED=true: ohne Prüfung schlägt der Lauf fehl.' : 'Der Lauf geht weiter (mit KIM_AUDIT_REQUIRED=true schlägt er in diesem Fall fehl).');
    lines.push(...problems);
    return { ok: !required && problems.length === 0, lines };
  }
  const found = advisoriesOf(report);
  const blocking = found.filter((a) => BLOCKING.has(a.severity));
  const accepted = (a: Advisory) => entries.find((e) => (e.id === a.id || e.id === a.source) && e.package === a.package);
  const open = blocking.filter((a) => !accepted(a));
  for (const a of blocking.filter(accepted)) {
    const e = accepted(a)!;
    lines.push(`Akzeptiert bis ${germanDate(e.until)}: ${a.package} ${a.range} – ${a.title} (${a.id}, ${SEVERITY_DE[a.severity] ?? a.severity}). Grund: ${e.reason}`);
  }
  for (const e of entries.filter((x) => !blocking.some((a) => (x.id === a.id || x.id === a.source) && x.package === a.package))) {
    lines.push(`Hinweis: Die Ausnahme für ${e.id} (${e.package}) wird nicht mehr gebraucht und kann aus audit-allowlist.json entfernt werden.`);
  }
  if (open.length) {
    lines.push(`Bekannte Sicherheitslücken (hoch oder kritisch) in Produktionsabhängigkeiten: ${open.length}`);
    for (const a of open) lines.push(`  ${a.package} ${a.range} – ${a.title} (${a.id}, ${SEVERITY_DE[a.severity] ?? a.severity}) ${a.url}`);
    lines.push('Abhilfe: Version anheben (npm audit fix, npm install <paket>@<version>) oder – wenn die Lücke hier nicht ausnutzbar ist – in audit-allowlist.json mit id, package, reason und until (JJJJ-MM-TT) aufnehmen.');
  }
  const others = found.length - blocking.length;
  if (!open.length && !problems.length) lines.push(`Keine offenen Sicherheitslücken der Stufen hoch oder kritisch in den Produktionsabhängigkeiten${others ? ` (${others} niedrigere nicht bewertet)` : ''}.`);
  lines.push(...problems);
  return { ok: open.length === 0 && problems.length === 0, lines };
}

/** Runs npm's own audit; its JSON is the answer whether the exit code says findings or failure. */
export function runNpmAudit(opts: { timeoutMs?: number; registry?: string } = {}): Promise<unknown> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const env = { ...process.env, npm_config_fund: 'false', npm_config_update_notifier: 'false', ...(opts.registry ? { npm_config_registry: opts.registry } : {}) };
  return new Promise((resolve) => {
    execFile('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env }, (err, stdout) => {
      try {
        resolve(JSON.parse(stdout));
      } catch {
        resolve({ message: err?.killed ? `keine Antwort nach ${timeoutMs / 1000} s` : (err?.message ?? 'keine Ausgabe').split('\n')[0] });
      }
    });
  });
}

async function main() {
  const raw = fs.existsSync(ALLOWLIST_FILE) ? fs.readFileSync(ALLOWLIST_FILE, 'utf8') : '{"entries":[]}';
  const today = new Date().toISOString().slice(0, 10);
  const outcome = evaluate(await runNpmAudit(), raw, today, process.env.KIM_AUDIT_REQUIRED === 'true');
  for (const l of outcome.lines) (outcome.ok ? console.log : console.error)(`[audit] ${l}`);
  process.exit(outcome.ok ? 0 : 1);
}

if (require.main === module) void main();
