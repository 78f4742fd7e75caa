/**
 * Uploads are judged by their bytes, not by their name or declared type – on both ways in (the raw
 * body of POST /api/cases/:id/documents and the base64 field of POST /api/documents) – and whatever
 * was stored leaves only as a download: Content-Disposition attachment, the type found at upload,
 * nosniff. (The sizes, German messages and access rules: case-workspace.test.ts; a stored file
 * that looks like a page: security-headers.test.ts.)
 */
import { sniffDocumentType } from '../../server/documents/document-types';
import type { Stack } from '../../server/stack';
import { login, Session, startTestStack } from '../support/stack';
import { caseFixture } from './fixtures';

let stack: Stack;
let cm: Session;
let caseId: string;
beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  caseId = (await caseFixture(stack, 'duisburg-nord')).caseId;
  cm = await login(stack.url, 'cm.duisburg');
});
afterAll(async () => {
  await stack?.stop();
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32)]);
const HTML = Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64)]);

const raw = (body: Buffer, fileName: string, contentType: string) =>
  fetch(`${stack.url}/api/cases/${caseId}/documents?${new URLSearchParams({ title: 'Prüfung', kind: 'sonstiges', fileName })}`, {
    method: 'POST',
    headers: { cookie: cm.cookie, 'x-csrf-token': cm.csrf, 'content-type': contentType },
    body: new Uint8Array(body),
  });
const viaJson = (body: Buffer, fileName: string, mimeType: string) => cm.post('/api/documents', { caseId, title: 'Prüfung', kind: 'sonstiges', fileName, mimeType, contentBase64: body.toString('base64') });

test('the type comes from the first bytes: PDF, PNG, JPEG and nothing else', () => {
  expect(sniffDocumentType(PDF)).toBe('application/pdf');
  expect(sniffDocumentType(PNG)).toBe('image/png');
  expect(sniffDocumentType(JPEG)).toBe('image/jpeg');
  for (const b of [HTML, SVG, EXE, Buffer.from('%PD'), Buffer.alloc(0)]) expect(sniffDocumentType(b)).toBeNull();
});

test('a page, an SVG or a program is refused with 415 whatever its name and declared type, on both ways in', async () => {
  const cases: Array<[Buffer, string, string]> = [
    [HTML, 'bescheid.pdf', 'application/pdf'],
    [HTML, 'bescheid.pdf', 'application/octet-stream'],
    [SVG, 'foto.png', 'image/png'],
    [EXE, 'pass.jpg', 'image/jpeg'],
  ];
  const before = await stack.db.document.count({ where: { caseId } });
  for (const [body, name, type] of cases) {
    for (const res of [await raw(body, name, type), await viaJson(body, name, type)]) {
      expect({ name, status: res.status }).toEqual({ name, status: 415 });
      expect(((await res.json()) as { title: string }).title).toMatch(/geprüft wird der Inhalt, nicht die Endung/);
    }
  }
  // A real file whose declared type says otherwise is refused too (a renamed file).
  expect((await raw(PDF, 'scan.png', 'image/png')).status).toBe(415);
  expect((await viaJson(PNG, 'scan.pdf', 'application/pdf')).status).toBe(415);
  expect(await stack.db.document.count({ where: { caseId } })).toBe(before);
});

test('a real file under a misleading name is stored with its real type and downloaded as attachment without sniffing', async () => {
  // A PDF named like a web page, declared as "some bytes": stored as PDF.
  const up = await raw(PDF, 'seite.html', 'application/octet-stream');
  expect(up.status).toBe(201);
  const doc = (await up.json()) as { id: string; mimeType: string };
  expect(doc.mimeType).toBe('application/pdf');
  // A PNG through the JSON way, declared as PNG, named .txt.
  const up2 = await viaJson(PNG, 'notiz.txt', 'image/png');
  expect(up2.status).toBe(201);
  const doc2 = (await up2.json()) as { id: string; mimeType: string };
  expect(doc2.mimeType).toBe('image/png');
  for (const [d, name, type, bytes] of [
    [doc, 'seite.html', 'application/pdf', PDF],
    [doc2, 'notiz.txt', 'image/png', PNG],
  ] as const) {
    const res = await cm.get(`/api/documents/${d.id}/content`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  }
});
