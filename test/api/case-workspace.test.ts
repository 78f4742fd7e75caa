/**
 * The case file as a workspace, against the real server and database: needs with their real
 * origin and goals with a result date; documents uploaded as a raw body (several MB, real type
 * checked, German 4xx), deleted only with a reason; the history in German; coordinators see
 * pseudonyms and open a person's file only with a stated reason; ABH and EBH get only the fields
 * and documents their step needs (under a consent naming them); one consent model (organisations)
 * for the intake and the case file.
 */
import type { Stack } from '../../server/stack';
import { login, Session, startTestStack } from '../support/stack';
import { CaseFixture, caseFixture, q, taskFor } from './fixtures';

let stack: Stack;
let fx: CaseFixture;
let other: CaseFixture;
const s: Record<string, Session> = {};

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  fx = await caseFixture(stack, 'duisburg-nord');
  other = await caseFixture(stack, 'mettmann-ratingen');
  await stack.db.client.update({ where: { id: fx.clientId }, data: { nationality: 'syrisch', birthDate: new Date('1990-04-01T00:00:00Z') } });
  for (const u of ['cm.duisburg', 'cm2.duisburg', 'koord.duisburg', 'koord.mettmann', 'abh.duisburg', 'ebh.duisburg']) s[u] = await login(stack.url, u);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

/** A PDF of about `bytes` bytes (real header, padding in a comment). */
const pdf = (bytes: number) => Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.alloc(bytes, 0x41), Buffer.from('\n%%EOF\n')]);

function upload(who: string, caseId: string, body: Buffer, meta: Record<string, string>, contentType = 'application/pdf') {
  return fetch(`${stack.url}/api/cases/${caseId}/documents?${new URLSearchParams(meta)}`, {
    method: 'POST',
    headers: { cookie: s[who].cookie, 'x-csrf-token': s[who].csrf, 'content-type': contentType },
    body: new Uint8Array(body),
  });
}

const delWithBody = (who: string, p: string, body: unknown) =>
  fetch(`${stack.url}${p}`, { method: 'DELETE', headers: { cookie: s[who].cookie, 'x-csrf-token': s[who].csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function trail(who: string, caseId: string) {
  const res = await s[who].get(`/api/cases/${caseId}/audit?range=${q([0, 199] as never)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Array<{ action: string; text: string; who: string; roleDe: string | null; reasonDe: string | null }>;
}

describe('needs and goals', () => {
  test('a need added during the case records origin, author and time; intake needs read "Erstkontakt"; goals get a result date', async () => {
    const cm = await stack.db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
    // The intake's worker path: needs named in the first contact, for the case manager of the case.
    await stack.services.intake.recordFirstContact(fx.caseId, { lebensbereiche: ['Sprache'] });
    let res = await s['cm.duisburg'].post(`/api/cases/${fx.caseId}/needs`, { lifeArea: 'Wohnen', description: 'Wohnung zu klein' });
    expect(res.status).toBe(201);
    const added = (await res.json()) as Record<string, unknown>;
    expect(added).toMatchObject({ origin: 'verlauf', createdById: cm.id, lifeArea: 'Wohnen' });
    const needs = (await (await s['cm.duisburg'].get(`/api/cases/${fx.caseId}/needs`)).json()) as Array<Record<string, unknown>>;
    expect(needs.find((n) => n.lifeArea === 'Sprache')).toMatchObject({ origin: 'erstkontakt', description: '' });

    res = await s['cm.duisburg'].post(`/api/cases/${fx.caseId}/goals`, { lifeArea: 'Wohnen', needId: added.id, description: 'Größere Wohnung gefunden', dueDate: '2030-06-30' });
    expect(res.status).toBe(201);
    const goal = (await res.json()) as Record<string, unknown>;
    res = await s['cm.duisburg'].put(`/api/goals/${goal.id}`, { status: 'erreicht', resultDate: '2026-11-20' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'erreicht', resultDate: '2026-11-20T00:00:00.000Z' });
    // Back to "laufend": the result date goes.
    res = await s['cm.duisburg'].put(`/api/goals/${goal.id}`, { status: 'laufend' });
    expect(await res.json()).toMatchObject({ status: 'laufend', resultDate: null });
    // Bad status: German message; another site's case manager: not found.
    res = await s['cm.duisburg'].put(`/api/goals/${goal.id}`, { status: 'fertig' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Record<string, string> }).errors.status).toMatch(/erreicht/);
    expect((await s['cm2.duisburg'].put(`/api/goals/${goal.id}`, { status: 'erreicht' })).status).toBe(404);

    const t = await trail('cm.duisburg', fx.caseId);
    expect(t.map((e) => e.text)).toEqual(expect.arrayContaining(['Bedarf ergänzt (Lebensbereich, Beschreibung)', 'Ziel geändert (Stand, Ergebnisdatum)']));
    expect(t.find((e) => e.text.startsWith('Bedarf ergänzt'))).toMatchObject({ who: cm.displayName, roleDe: 'Case-Management' });
  });
});

describe('documents', () => {
  test('a 3 MB PDF uploads as a raw body with title and kind; content and type are checked', async () => {
    const body = pdf(3 * 1024 * 1024);
    let res = await upload('cm.duisburg', fx.caseId, body, { title: 'Einwilligung unterschrieben', kind: 'einwilligung', fileName: 'einwilligung.pdf' });
    expect(res.status).toBe(201);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({ title: 'Einwilligung unterschrieben', kind: 'einwilligung', mimeType: 'application/pdf', size: body.length });
    const back = await s['cm.duisburg'].get(`/api/documents/${doc.id}/content`);
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(body)).toBe(true);

    // A text file renamed to .pdf (and declared as PDF): 415 in German.
    res = await upload('cm.duisburg', fx.caseId, Buffer.from('nur Text, kein PDF'), { title: 'Falsch', kind: 'sonstiges', fileName: 'falsch.pdf' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { title: string }).title).toMatch(/kein PDF-, JPEG- oder PNG-Dokument/);
    // A PNG declared as PDF is refused too; a real PNG passes.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]);
    expect((await upload('cm.duisburg', fx.caseId, png, { title: 'Bild', kind: 'sonstiges', fileName: 'bild.pdf' })).status).toBe(415);
    expect((await upload('cm.duisburg', fx.caseId, png, { title: 'Bild', kind: 'sonstiges', fileName: 'bild.png' }, 'image/png')).status).toBe(201);
    // Over 10 MB: 413; no title / unknown kind: 400 with field messages.
    res = await upload('cm.duisburg', fx.caseId, pdf(10 * 1024 * 1024 + 10), { title: 'Zu groß', kind: 'sonstiges', fileName: 'gross.pdf' });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { title: string }).title).toMatch(/höchstens 10 MB/);
    res = await upload('cm.duisburg', fx.caseId, pdf(10), { title: '', kind: 'Ausweis', fileName: 'x.pdf' });
    expect(res.status).toBe(400);
    expect(Object.keys(((await res.json()) as { errors: Record<string, string> }).errors).sort()).toEqual(['kind', 'title']);
    // Other site / other commune / coordinator: no upload.
    expect((await upload('cm2.duisburg', fx.caseId, pdf(10), { title: 'x', kind: 'sonstiges', fileName: 'x.pdf' })).status).toBe(404);
    expect((await upload('koord.duisburg', fx.caseId, pdf(10), { title: 'x', kind: 'sonstiges', fileName: 'x.pdf' })).status).toBe(403);
    expect((await upload('cm.duisburg', other.caseId, pdf(10), { title: 'x', kind: 'sonstiges', fileName: 'x.pdf' })).status).toBe(404);
  });

  test('deleting a document needs a reason; the history shows it in German', async () => {
    const res0 = await upload('cm.duisburg', fx.caseId, pdf(100), { title: 'Alter Pass', kind: 'reisepass', fileName: 'pass-alt.pdf' });
    const doc = (await res0.json()) as { id: string };
    let res = await delWithBody('cm.duisburg', `/api/documents/${doc.id}`, {});
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Record<string, string> }).errors.reason).toMatch(/Pflichtfeld|Grund/);
    expect((await delWithBody('cm2.duisburg', `/api/documents/${doc.id}`, { reason: 'x' })).status).toBe(404);
    res = await delWithBody('cm.duisburg', `/api/documents/${doc.id}`, { reason: 'Versehentlich doppelt hochgeladen' });
    expect(res.status).toBe(200);
    expect(await stack.db.document.findUnique({ where: { id: doc.id } })).toBeNull();
    const entry = (await trail('cm.duisburg', fx.caseId)).find((e) => e.action === 'documents.delete');
    expect(entry).toMatchObject({ text: 'Dokument gelöscht (Reisepass)', reasonDe: 'Versehentlich doppelt hochgeladen' });
    // No raw codes in any entry's text.
    for (const e of await trail('cm.duisburg', fx.caseId)) expect(e.text).not.toMatch(/[a-z]+\.[a-z_]+/);
  });
});

describe('coordinators: pseudonyms, and a person file only with a reason', () => {
  test('without a reason the API refuses; with one it opens, is audited and shows in the history', async () => {
    const k = s['koord.duisburg'];
    // The case list is fine (no names in it); the person reads as a pseudonym only.
    expect((await k.get(`/api/cases?filter=${q({ id: fx.caseId })}`)).status).toBe(200);
    let res = await k.get(`/api/clients/${fx.clientId}`);
    expect(res.status).toBe(200);
    const pseudo = (await res.json()) as Record<string, unknown>;
    expect(pseudo.pseudonym).toBeTruthy();
    expect(pseudo.lastName).toBeUndefined();
    const listed = (await (await k.get(`/api/clients?filter=${q({ id: [fx.clientId] })}`)).json()) as Array<Record<string, unknown>>;
    expect(listed[0].lastName).toBeUndefined();
    // The file, its notes, documents and history: refused without a reason.
    res = await k.get(`/api/cases/${fx.caseId}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ type: 'urn:kim:problem:reason_required', title: expect.stringMatching(/nur mit Angabe eines Grundes/) });
    expect((await k.get(`/api/cases/${fx.caseId}/audit`)).status).toBe(403);
    expect((await k.get(`/api/cases/${fx.caseId}/needs`)).status).toBe(403);
    expect((await (await k.get(`/api/notes?filter=${q({ caseId: fx.caseId })}`)).json()) as unknown[]).toHaveLength(0);
    expect((await k.get(`/api/documents/${fx.documentId}/content`)).status).toBe(404);
    // A reason that is not one of the choices, or no note: 400 in German.
    res = await k.post(`/api/cases/${fx.caseId}/access`, { reason: 'Neugier', note: '' });
    expect(res.status).toBe(400);
    expect(Object.keys(((await res.json()) as { errors: Record<string, string> }).errors).sort()).toEqual(['note', 'reason']);
    // Other commune's coordinator: not found; case managers do not use this route.
    expect((await s['koord.mettmann'].post(`/api/cases/${fx.caseId}/access`, { reason: 'Fachaufsicht', note: 'Stichprobe' })).status).toBe(404);
    expect((await s['cm.duisburg'].post(`/api/cases/${fx.caseId}/access`, { reason: 'Fachaufsicht', note: 'Stichprobe' })).status).toBe(403);

    res = await k.post(`/api/cases/${fx.caseId}/access`, { reason: 'Fachaufsicht', note: 'Stichprobe Quartal 4' });
    expect(res.status).toBe(201);
    expect(new Date(((await res.json()) as { expiresAt: string }).expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect((await k.get(`/api/cases/${fx.caseId}`)).status).toBe(200);
    expect(((await (await k.get(`/api/clients/${fx.clientId}`)).json()) as Record<string, unknown>).lastName).toMatch(/^Person/);
    expect((await (await k.get(`/api/notes?filter=${q({ caseId: fx.caseId })}`)).json()) as unknown[]).toHaveLength(1);
    const opened = (await trail('koord.duisburg', fx.caseId)).find((e) => e.action === 'cases.file_opened');
    expect(opened).toMatchObject({ text: 'Fallakte mit Begründung geöffnet', reasonDe: 'Fachaufsicht: Stichprobe Quartal 4', roleDe: 'Koordination' });
    // The grant is for this case only, and it ends.
    expect((await k.get(`/api/cases/${(await caseFixture(stack, 'duisburg-sued')).caseId}`)).status).toBe(403);
    await stack.db.caseAccess.updateMany({ where: { caseId: fx.caseId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await k.get(`/api/cases/${fx.caseId}`)).status).toBe(403);
  });
});

describe('ABH and EBH: only what their step needs', () => {
  test('fields and documents per step, under a consent naming the authority; downloads of others are 403', async () => {
    const c = await caseFixture(stack, 'duisburg-nord');
    await stack.db.client.update({ where: { id: c.clientId }, data: { nationality: 'syrisch', birthDate: new Date('1990-04-01T00:00:00Z'), phone: '0203 1', languages: ['Arabisch'] } });
    const doc = (kind: string) => stack.db.document.create({ data: { caseId: c.caseId, title: kind, kind, fileName: `${kind}.pdf`, mimeType: 'application/pdf', content: Buffer.from('%PDF-1.4') } });
    const [titel, pass, einw, sprach] = await Promise.all([doc('aufenthaltstitel'), doc('reisepass'), doc('einwilligung'), doc('sprachzertifikat')]);
    const abhTask = await taskFor(stack, c.caseId, 'abh:duisburg');
    await stack.db.task.update({ where: { id: abhTask.id }, data: { elementId: 'Task_ConfirmResidenceFacts', name: 'Aufenthaltsdaten bestätigen oder korrigieren' } });
    const ebhTask = await taskFor(stack, c.caseId, 'ebh:duisburg');
    await stack.db.task.update({ where: { id: ebhTask.id }, data: { elementId: 'Task_EbhPreCheck', name: 'Antrag vorprüfen' } });
    const ids = async (who: string) => ((await (await s[who].get(`/api/documents?filter=${q({ caseId: c.caseId })}`)).json()) as Array<{ id: string }>).map((d) => d.id).sort();

    // Fields: ABH name and date of birth; EBH also nationality; neither languages nor contact data.
    const abhClient = (await (await s['abh.duisburg'].get(`/api/clients/${c.clientId}`)).json()) as Record<string, unknown>;
    expect(abhClient).toMatchObject({ lastName: expect.stringMatching(/^Person/), birthDate: '1990-04-01T00:00:00.000Z' });
    for (const f of ['nationality', 'languages', 'interpreterNeeded', 'phone', 'address']) expect(abhClient[f]).toBeUndefined();
    const ebhClient = (await (await s['ebh.duisburg'].get(`/api/clients/${c.clientId}`)).json()) as Record<string, unknown>;
    expect(ebhClient).toMatchObject({ nationality: 'syrisch' });
    for (const f of ['languages', 'interpreterNeeded', 'phone', 'address']) expect(ebhClient[f]).toBeUndefined();

    // No consent naming the authority: no documents at all.
    expect(await ids('abh.duisburg')).toEqual([]);
    expect((await s['ebh.duisburg'].get(`/api/documents/${pass.id}/content`)).status).toBe(403);
    // The consent names the ABH and the EBH of the commune.
    const orgs = await stack.db.organisation.findMany({ where: { kommuneId: 'duisburg', type: { in: ['Auslaenderbehoerde', 'Einbuergerungsbehoerde'] } } });
    await stack.db.consent.create({ data: { caseId: c.caseId, recipients: orgs.map((o) => o.id), dataCategories: ['Stammdaten'], purposes: ['Abstimmung'], validFrom: new Date('2026-01-01T00:00:00Z') } });
    expect(await ids('abh.duisburg')).toEqual([titel.id, pass.id].sort());
    expect(await ids('ebh.duisburg')).toEqual([titel.id, pass.id, sprach.id].sort());
    expect((await s['abh.duisburg'].get(`/api/documents/${titel.id}/content`)).status).toBe(200);
    expect((await s['abh.duisburg'].get(`/api/documents/${sprach.id}/content`)).status).toBe(403);
    expect((await s['abh.duisburg'].get(`/api/documents/${einw.id}/content`)).status).toBe(403);
    expect((await s['ebh.duisburg'].get(`/api/documents/${sprach.id}/content`)).status).toBe(200);
    expect((await s['ebh.duisburg'].get(`/api/documents/${einw.id}/content`)).status).toBe(403);
    // The step is done: nothing any more.
    await stack.db.task.update({ where: { id: abhTask.id }, data: { state: 'COMPLETED' } });
    expect(await ids('abh.duisburg')).toEqual([]);
    expect((await s['abh.duisburg'].get(`/api/clients/${c.clientId}`)).status).toBe(404);
  });
});

describe('one consent model: organisations', () => {
  test('the intake records the chosen organisations by id (older type codes still resolve); other communes\' ids are dropped', async () => {
    const jc = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg', type: 'Jobcenter' } });
    const mbe = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg', type: 'MBE' } });
    const foreign = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'mettmann' } });
    const { einwilligungId } = await stack.services.intake.recordConsent(`job-${Date.now()}`, fx.caseId, {
      empfaenger: [jc.id, foreign.id, 'MBE'],
      zwecke: ['Vermittlung'],
      datenkategorien: ['BildungArbeit'],
      gueltigBis: '2030-12-31',
    });
    const consent = await stack.db.consent.findUniqueOrThrow({ where: { id: einwilligungId } });
    expect(consent.recipients).toContain(jc.id);
    expect(consent.recipients).toContain(mbe.id);
    expect(consent.recipients).not.toContain(foreign.id);
  });
});
