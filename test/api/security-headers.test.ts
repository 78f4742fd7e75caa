/**
 * Browser security headers on every kind of response (web app, API, problem, partner page, document
 * download): a strict script policy, no framing, no referrer, no sniffing, features off; downloads
 * always as attachment. Behind HTTPS (KIM_COOKIE_SECURE=true) also HSTS and upgrade-insecure-requests.
 */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { securityHeaders } from '../../server/http/security-headers';
import type { Stack } from '../../server/stack';
import { caseFixture } from './fixtures';
import { login, startTestStack } from '../support/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
});
afterAll(async () => {
  await stack?.stop();
});

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

function expectBrowserHeaders(res: Response, what: string) {
  const h = (n: string) => res.headers.get(n);
  const csp = directives(h('content-security-policy') ?? '');
  const ctx = `${what}: ${h('content-security-policy')}`;
  expect([ctx, csp.get('default-src')]).toEqual([ctx, ["'self'"]]);
  expect([ctx, csp.get('script-src')]).toEqual([ctx, ["'self'"]]);
  expect([ctx, csp.get('script-src-attr')]).toEqual([ctx, ["'none'"]]);
  expect([ctx, csp.get('object-src')]).toEqual([ctx, ["'none'"]]);
  expect([ctx, csp.get('base-uri')]).toEqual([ctx, ["'none'"]]);
  expect([ctx, csp.get('frame-ancestors')]).toEqual([ctx, ["'none'"]]);
  expect([ctx, csp.get('form-action')]).toEqual([ctx, ["'self'"]]);
  expect([ctx, csp.get('connect-src')]).toEqual([ctx, ["'self'"]]);
  // Plain HTTP here: no upgrade (it would break loading), no HSTS.
  expect([ctx, csp.has('upgrade-insecure-requests')]).toEqual([ctx, false]);
  expect(h('strict-transport-security')).toBeNull();
  expect(h('x-frame-options')).toBe('DENY');
  expect(h('referrer-policy')).toBe('no-referrer');
  expect(h('x-content-type-options')).toBe('nosniff');
  expect(h('permissions-policy')).toContain('camera=()');
  expect(h('x-powered-by')).toBeNull();
}

test('every kind of response carries the browser security headers', async () => {
  const cm = await login(stack.url, 'cm.duisburg');
  const responses: Array<[string, Response]> = [
    ['Web-App', await fetch(`${stack.url}/`)],
    ['API', await cm.get('/api/auth/me')],
    ['Problem 404', await fetch(`${stack.url}/api/gibt-es-nicht`)],
    ['Anmeldung 401', await fetch(`${stack.url}/api/tasks`)],
    ['Partnerseite', await fetch(`${stack.url}/partner/referrals/ungueltig.ungueltig`)],
  ];
  for (const [what, res] of responses) expectBrowserHeaders(res, what);
});

test('a document is always downloaded as attachment, with its stored type and no sniffing', async () => {
  const f = await caseFixture(stack, 'duisburg-nord');
  // A file whose name and bytes look like a page: the browser must still save it, never render it.
  await stack.db.document.update({ where: { id: f.documentId }, data: { fileName: 'bericht <b>.html', mimeType: 'application/pdf', content: Buffer.from('<html><script>alert(1)</script></html>') } });
  const cm = await login(stack.url, 'cm.duisburg');
  const res = await cm.get(`/api/documents/${f.documentId}/content`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent('bericht <b>.html')}`);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  expectBrowserHeaders(res, 'Dokument');
});

test('behind HTTPS the policy also upgrades requests and HSTS is sent', async () => {
  const app = express();
  app.use(securityHeaders({ https: true }));
  app.get('/', (_req, res) => res.send('ok'));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(directives(res.headers.get('content-security-policy') ?? '').has('upgrade-insecure-requests')).toBe(true);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  } finally {
    server.close();
  }
});
