/**
 * The web app as the server delivers it: index.html is revalidated on every load (a new release is
 * picked up at once), the content-hashed chunks are cached for good (a reload fetches only the page
 * and the API), and a missing chunk is a 404 rather than the page in disguise.
 */
import type { Stack } from '../../server/stack';
import { ensureUiBuilt } from '../support/browser';
import { startTestStack } from '../support/stack';

let stack: Stack;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ workers: false });
}, 600_000);

afterAll(async () => {
  await stack?.stop();
});

test('index.html is revalidated; hashed chunks are immutable; unknown chunks are 404', async () => {
  const page = await fetch(`${stack.url}/tasks`);
  expect(page.status).toBe(200);
  expect(page.headers.get('cache-control')).toBe('no-cache');
  const html = await page.text();
  const chunk = html.match(/\/assets\/[\w.-]+\.js/)?.[0];
  expect(chunk).toBeDefined();

  const js = await fetch(`${stack.url}${chunk}`);
  expect(js.status).toBe(200);
  expect(js.headers.get('content-type')).toMatch(/javascript/);
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

  const missing = await fetch(`${stack.url}/assets/gibt-es-nicht-123.js`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type') ?? '').not.toMatch(/html/);
});
