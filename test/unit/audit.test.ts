/**
 * The dependency check of `npm test` (scripts/audit.ts): high/critical advisories of production
 * dependencies fail unless accepted with reason and date; expired or malformed acceptances fail;
 * an unreachable audit service is reported plainly and fails only with KIM_AUDIT_REQUIRED. The real
 * npm client is run against an audit service on loopback that reports an advisory for express.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { ALLOWLIST_FILE, checkAllowlist, evaluate, runNpmAudit } from '../../scripts/audit';
import { ROOT } from '../../server/config';

const TODAY = '2026-12-02';
const advisory = (name: string, severity: string, ghsa = 'GHSA-2222-3333-4444', source = 1099999) => ({
  source,
  name,
  dependency: name,
  title: `Prüfhinweis für ${name}`,
  url: `https://github.com/advisories/${ghsa}`,
  severity,
  range: '<99.0.0',
});
const report = (...vias: Array<ReturnType<typeof advisory>>) => ({
  auditReportVersion: 2,
  vulnerabilities: Object.fromEntries(vias.map((v) => [v.name, { name: v.name, severity: v.severity, via: [v], range: v.range }])),
});
const allow = (...entries: object[]) => JSON.stringify({ entries });
const entry = (over: object = {}) => ({ id: 'GHSA-2222-3333-4444', package: 'express', reason: 'Nur hinter dem Reverse Proxy erreichbar, der den Angriffsweg abfängt.', until: '2027-01-31', ...over });

test('high or critical findings fail with a German list; lower ones and none pass', () => {
  const high = evaluate(report(advisory('express', 'high')), allow(), TODAY, false);
  expect(high.ok).toBe(false);
  expect(high.lines.join('\n')).toMatch(/Bekannte Sicherheitslücken \(hoch oder kritisch\) in Produktionsabhängigkeiten: 1\n {2}express <99\.0\.0 – Prüfhinweis für express \(GHSA-2222-3333-4444, hoch\)/);
  expect(high.lines.join('\n')).toContain('audit-allowlist.json');
  expect(evaluate(report(advisory('pg', 'critical', 'GHSA-5555-6666-7777', 2)), allow(), TODAY, false).ok).toBe(false);
  const moderate = evaluate(report(advisory('express', 'moderate')), allow(), TODAY, false);
  expect(moderate).toEqual({ ok: true, lines: ['Keine offenen Sicherheitslücken der Stufen hoch oder kritisch in den Produktionsabhängigkeiten (1 niedrigere nicht bewertet).'] });
  expect(evaluate(report(), allow(), TODAY, false).ok).toBe(true);
});

test('an acceptance with reason and date lets the finding pass until that date; then it fails', () => {
  const accepted = evaluate(report(advisory('express', 'high')), allow(entry()), TODAY, false);
  expect(accepted.ok).toBe(true);
  expect(accepted.lines[0]).toMatch(/^Akzeptiert bis 31\.01\.2027: express .* Grund: Nur hinter dem Reverse Proxy/);
  // By the npm advisory number as well; but only for the package named.
  expect(evaluate(report(advisory('express', 'high')), allow(entry({ id: '1099999' })), TODAY, false).ok).toBe(true);
  expect(evaluate(report(advisory('express', 'high')), allow(entry({ package: 'pg' })), TODAY, false).ok).toBe(false);
  const expired = evaluate(report(advisory('express', 'high')), allow(entry({ until: '2026-12-01' })), TODAY, false);
  expect(expired.ok).toBe(false);
  expect(expired.lines.join('\n')).toContain('Die Ausnahme für GHSA-2222-3333-4444 (express) galt bis 01.12.2026 und ist abgelaufen');
  // An acceptance nobody needs any more is pointed out (and does not fail).
  const unused = evaluate(report(), allow(entry()), TODAY, false);
  expect(unused.ok).toBe(true);
  expect(unused.lines.join('\n')).toContain('wird nicht mehr gebraucht');
});

test('a malformed allowlist fails with the field named', () => {
  expect(checkAllowlist('{', TODAY).problems).toEqual(['audit-allowlist.json ist kein gültiges JSON.']);
  const noReason = checkAllowlist(allow(entry({ reason: 'weil' })), TODAY).problems;
  expect(noReason.join('\n')).toMatch(/entries\.0\.reason: Begründung mit mindestens 20 Zeichen/);
  expect(checkAllowlist(allow(entry({ until: '31.01.2027' })), TODAY).problems.join('\n')).toContain('entries.0.until: Datum JJJJ-MM-TT');
  expect(evaluate(report(), allow(entry({ id: 'CVE-2026-1' })), TODAY, false).ok).toBe(false);
});

test('the committed allowlist is valid and has no expired entry', () => {
  expect(checkAllowlist(fs.readFileSync(ALLOWLIST_FILE, 'utf8'), new Date().toISOString().slice(0, 10)).problems).toEqual([]);
});

test('an unreachable audit service is said plainly; it fails only when the check is required, an expired acceptance always', () => {
  const down = { message: '405 Method Not Allowed - POST …/advisories/bulk', statusCode: 405 };
  const lenient = evaluate(down, allow(), TODAY, false);
  expect(lenient.ok).toBe(true);
  expect(lenient.lines[0]).toMatch(/^Der Audit-Dienst der npm-Registry ist nicht erreichbar \(HTTP 405 – 405 Method Not Allowed.*NICHT auf bekannte Sicherheitslücken geprüft\.$/);
  expect(evaluate(down, allow(), TODAY, true).ok).toBe(false);
  expect(evaluate(down, allow(entry({ until: '2026-01-01' })), TODAY, false).ok).toBe(false);
});

describe('with the real npm client against an audit service on loopback', () => {
  let server: http.Server;
  let registry: string;
  let mode: 'advise' | 'refuse' = 'advise';
  const runId = 2_000_000 + Math.floor(Math.random() * 1_000_000_000);
  const asked: Array<Record<string, string[]>> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST' && req.url?.endsWith('/-/npm/v1/security/advisories/bulk')) {
          if (mode === 'refuse') return res.writeHead(405, { allow: 'GET,HEAD' }).end();
          const raw = Buffer.concat(chunks);
          asked.push(JSON.parse((req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString()));
          // A fresh advisory number per run: npm caches what it learnt about an advisory by that number.
          const { source: id, range: vulnerable_versions, ...a } = advisory('express', 'high', 'GHSA-2222-3333-4444', runId);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ express: [{ id, vulnerable_versions, ...a, cwe: [], cvss: { score: 7.5, vectorString: null } }] }));
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('npm asks about production packages only, and the finding fails the check', async () => {
    mode = 'advise';
    const outcome = evaluate(await runNpmAudit({ registry }), allow(), TODAY, false);
    expect(asked).toHaveLength(1);
    expect(Object.keys(asked[0])).toEqual(expect.arrayContaining(['express', 'pg', 'helmet']));
    expect(Object.keys(asked[0])).not.toContain('jest');
    expect(outcome.ok).toBe(false);
    expect(outcome.lines.join('\n')).toContain('express <99.0.0 – Prüfhinweis für express (GHSA-2222-3333-4444, hoch)');
  }, 120_000);

  test('the command itself: exit code 1 and the German message; with the service refusing, exit code 0 and the warning', async () => {
    const run = () =>
      new Promise<{ code: number; out: string; err: string }>((resolve) =>
        execFile(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/audit.ts'], { cwd: ROOT, env: { ...process.env, npm_config_registry: registry, KIM_AUDIT_REQUIRED: '' }, timeout: 150_000 }, (e, out, err) =>
          resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
        ),
      );
    mode = 'advise';
    const found = await run();
    expect(found.code).toBe(1);
    expect(found.err).toContain('[audit] Bekannte Sicherheitslücken (hoch oder kritisch) in Produktionsabhängigkeiten: 1');
    mode = 'refuse';
    const refused = await run();
    expect(refused.code).toBe(0);
    expect(refused.out).toContain('[audit] Der Audit-Dienst der npm-Registry ist nicht erreichbar (HTTP 405');
  }, 300_000);
});
