/**
 * /api/openapi.json stays true: every route express has under /api is described, and every
 * described operation is a route express has.
 */
import type { Router } from 'express';
import { createApp } from '../../server/app';
import { buildHttpServices } from '../../server/services';
import type { Stack } from '../../server/stack';
import { startTestStack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ workers: false });
});
afterAll(async () => {
  await stack?.stop();
});

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** "METHOD /path/{param}" for every route of the express app (405 catch-alls excluded). */
function expressRoutes(stackLayers: Layer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const l of stackLayers) {
    if (l.route) {
      const p = (prefix + (l.route.path === '/' ? '' : l.route.path)).replace(/:(\w+)/g, '{$1}') || '/';
      for (const [m, on] of Object.entries(l.route.methods)) if (on && m !== '_all') out.push(`${m.toUpperCase()} ${p}`);
    } else if (l.handle?.stack && typeof l.rawPath === 'string') {
      out.push(...expressRoutes(l.handle.stack, prefix + (l.rawPath === '/' ? '' : l.rawPath)));
    }
  }
  return out;
}

test('the description is OpenAPI 3.1 with German summaries and body schemas from zod', async () => {
  const res = await fetch(`${stack.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { summary: string }>>; components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } };
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.components.schemas.ClientsCreate.required).toEqual(expect.arrayContaining(['firstName', 'lastName']));
  expect(doc.components.schemas.RevokeConsent.required).toEqual(['reason']);
  expect(doc.paths['/api/cases/{id}/close'].post.summary).toMatch(/Fall abschließen/);
});

test('every route registered in express is in the description and vice versa', async () => {
  const s = stack.services;
  const services = buildHttpServices({ config: stack.config, db: stack.db, engine: stack.engine, audit: s.audit, inbox: s.inbox });
  const app = createApp({ config: stack.config, db: stack.db, engine: stack.engine, log: stack.log, auth: s.auth, audit: s.audit, inbox: s.inbox, services, mail: s.mail, workerStatus: () => [] });
  const routes = expressRoutes((app as unknown as { router: Router & { stack: Layer[] } }).router.stack).filter((r) => r.split(' ')[1].startsWith('/api/'));
  const doc = (await (await fetch(`${stack.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
  expect(routes.length).toBeGreaterThan(40);
  expect([...new Set(routes)].sort()).toEqual([...new Set(documented)].sort());
});
