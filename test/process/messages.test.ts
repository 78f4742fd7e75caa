/**
 * Messages on the real engine, which correlates only to an instance that waits right now: a
 * partner's answer that comes before the process waits is kept and delivered when the instance
 * reaches its wait – driven by the engine's wait announcement (kim_message_wait), nobody calls
 * deliverAll – an answer sent twice is delivered once, an answer for an ended instance goes nowhere,
 * and no message crosses communes (tenants).
 */
import path from 'node:path';
import type { Stack } from '../../server/stack';
import { FIXTURES, startTestStack, until } from '../support/stack';

const PROCESS = 'kim-test-message';
const MESSAGE = 'Msg_TestAnswered';

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'messages'), workers: false, http: false });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

let n = 0;
const nextRequestId = () => `anfrage-${process.pid}-${++n}`;

async function start(requestId: string, tenant = 'duisburg') {
  return (await stack.engine.runtime.start(PROCESS, tenant, { kommuneId: tenant, requestId })).processInstanceKey;
}

/** The element ids of the instance's open user tasks, from the projection. */
async function openElements(pik: string) {
  return (await stack.db.task.findMany({ where: { processInstanceKey: pik, state: 'CREATED' }, select: { elementId: true } })).map((t) => t.elementId);
}

/** Completes the instance's open "Anfrage senden": the instance then waits for the answer. */
async function sendRequest(pik: string) {
  const t = await stack.db.task.findFirstOrThrow({ where: { processInstanceKey: pik, elementId: 'Task_SendRequest', state: 'CREATED' } });
  await stack.engine.tasks.complete(t.id, {});
}

/** How many times the catch event completed in the instance (from the engine's activity history). */
async function answersReceived(pik: string) {
  return (await stack.engine.watch.activityTrace(pik)).filter((a) => a.activityId === 'Event_AnswerReceived' && a.endTime && !a.canceled).length;
}

const answer = (requestId: string, opts: { messageId?: string; tenant?: string } = {}) =>
  stack.services.messages.send({
    messageId: opts.messageId ?? `${requestId}:answered`,
    name: MESSAGE,
    tenantId: opts.tenant ?? 'duisburg',
    correlation: { variable: 'requestId', value: requestId },
    variables: { antwortErhalten: true },
  });

test('an answer before the wait is kept and delivered when the instance starts waiting – without deliverAll', async () => {
  const deliverAll = jest.spyOn(stack.services.messages, 'deliverAll');
  const deliverFor = jest.spyOn(stack.services.messages, 'deliverFor');
  const requestId = nextRequestId();
  const pik = await start(requestId);
  expect(await openElements(pik)).toEqual(['Task_SendRequest']);
  expect(await answer(requestId)).toBe('kept');
  const row = await stack.db.pendingMessage.findUniqueOrThrow({ where: { messageId: `${requestId}:answered` } });
  expect(row).toMatchObject({ state: 'PENDING', processInstanceKey: pik, name: MESSAGE, tenantId: 'duisburg', correlationVariable: 'requestId', correlationValue: requestId });

  await sendRequest(pik);
  // The engine announces the wait; the stack's listener delivers the kept message.
  await until(async () => (await openElements(pik)).includes('Task_HandleAnswer'), 'Antwort wird beim Warten zugestellt');
  // The row is marked right after the engine's answer (a moment after the engine's commit).
  await until(async () => (await stack.db.pendingMessage.findUniqueOrThrow({ where: { id: row.id } })).state === 'DELIVERED', 'Nachricht als zugestellt vermerkt');
  expect(await stack.db.pendingMessage.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ state: 'DELIVERED', processInstanceKey: pik });
  expect(await answersReceived(pik)).toBe(1);
  expect(deliverFor).toHaveBeenCalledWith(pik);
  expect(deliverAll).not.toHaveBeenCalled();
  deliverAll.mockRestore();
  deliverFor.mockRestore();
});

test('an answer while the instance waits is delivered at once; the same answer again is a duplicate and not correlated', async () => {
  const requestId = nextRequestId();
  const pik = await start(requestId);
  await sendRequest(pik);
  expect(await answer(requestId)).toBe('delivered');
  // Same transaction as the correlation: the next task is there when send() returns.
  expect(await openElements(pik)).toEqual(['Task_HandleAnswer']);
  expect(await answer(requestId)).toBe('duplicate');
  expect(await stack.db.pendingMessage.count({ where: { messageId: `${requestId}:answered` } })).toBe(1);
  expect(await answersReceived(pik)).toBe(1);
});

test('an answer sent twice before the wait is delivered once', async () => {
  const requestId = nextRequestId();
  const pik = await start(requestId);
  expect(await answer(requestId)).toBe('kept');
  expect(await answer(requestId)).toBe('duplicate');
  await sendRequest(pik);
  await until(async () => (await openElements(pik)).includes('Task_HandleAnswer'), 'Antwort zugestellt');
  // Once more after delivery, and a full pass over the kept messages: nothing left to deliver.
  expect(await answer(requestId)).toBe('duplicate');
  expect(await stack.services.messages.deliverAll()).toBe(0);
  expect(await answersReceived(pik)).toBe(1);
});

test('an answer after the instance ended goes nowhere', async () => {
  const requestId = nextRequestId();
  const pik = await start(requestId);
  await sendRequest(pik);
  await stack.engine.runtime.cancel(pik);
  expect(await answer(requestId)).toBe('no-instance');
  expect(await stack.db.pendingMessage.findUniqueOrThrow({ where: { messageId: `${requestId}:answered` } })).toMatchObject({ state: 'DROPPED', deliveredAt: null });
  expect(await answersReceived(pik)).toBe(0);
});

test('a kept answer whose instance ends before it waits is dropped by the next pass', async () => {
  const requestId = nextRequestId();
  const pik = await start(requestId);
  expect(await answer(requestId)).toBe('kept');
  await stack.engine.runtime.cancel(pik);
  expect(await stack.services.messages.deliverAll()).toBe(0);
  expect((await stack.db.pendingMessage.findUniqueOrThrow({ where: { messageId: `${requestId}:answered` } })).state).toBe('DROPPED');
});

test('no message crosses communes: same correlation value, other tenant', async () => {
  const requestId = nextRequestId();
  const duisburg = await start(requestId, 'duisburg');
  await sendRequest(duisburg);
  // Nothing of Mettmann's runs with this value: the Duisburg instance that waits does not take it.
  expect(await answer(requestId, { tenant: 'mettmann', messageId: `${requestId}:mettmann-1` })).toBe('no-instance');
  expect(await openElements(duisburg)).toEqual([]);
  expect(await answersReceived(duisburg)).toBe(0);

  // A Mettmann instance that does not wait yet: the answer is kept for it, never given to Duisburg.
  const mettmann = await start(requestId, 'mettmann');
  expect(await answer(requestId, { tenant: 'mettmann', messageId: `${requestId}:mettmann-2` })).toBe('kept');
  expect(await stack.services.messages.deliverFor(duisburg)).toBe(0);
  expect(await stack.services.messages.deliverAll()).toBe(0);
  expect(await answersReceived(duisburg)).toBe(0);
  await sendRequest(mettmann);
  await until(async () => (await openElements(mettmann)).includes('Task_HandleAnswer'), 'Antwort an Mettmann zugestellt');
  expect(await answersReceived(duisburg)).toBe(0);

  // Duisburg's own answer still reaches Duisburg.
  expect(await answer(requestId)).toBe('delivered');
  expect(await answersReceived(duisburg)).toBe(1);
});

test('logs carry ids and message names, never the variables sent with a message', async () => {
  const lines: string[] = [];
  const log = stack.log as unknown as { info: (...a: unknown[]) => void; warn: (...a: unknown[]) => void };
  const orig = { info: log.info, warn: log.warn };
  log.info = (...a: unknown[]) => void lines.push(JSON.stringify(a));
  log.warn = (...a: unknown[]) => void lines.push(JSON.stringify(a));
  try {
    const requestId = nextRequestId();
    const pik = await start(requestId);
    await stack.services.messages.send({ messageId: `${requestId}:x`, name: MESSAGE, tenantId: 'duisburg', correlation: { variable: 'requestId', value: requestId }, variables: { geheimerWert: 'Streng-Vertraulich-42' } });
    await sendRequest(pik);
    await until(async () => (await openElements(pik)).includes('Task_HandleAnswer'), 'Antwort zugestellt');
  } finally {
    Object.assign(log, orig);
  }
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.join('\n')).not.toContain('Streng-Vertraulich-42');
});

test('local correlation (a multi-instance element variable): kept for the instance named by a process variable, delivered to the one execution', async () => {
  const groupId = nextRequestId();
  const pik = (await stack.engine.runtime.start('kim-test-message-local', 'duisburg', { kommuneId: 'duisburg', groupId, itemIds: 'eintrag-1,eintrag-2' })).processInstanceKey;
  const done = (itemId: string, instance?: { variable: string; value: string }) =>
    stack.services.messages.send({ messageId: `${groupId}:${itemId}`, name: 'Msg_TestItemDone', tenantId: 'duisburg', correlation: { variable: 'itemId', value: itemId, local: true }, instance });
  const itemWaits = async () => (await stack.engine.watch.activityTrace(pik)).filter((a) => a.activityId === 'Task_WaitItemDone' && a.activityType === 'receiveTask');

  // Before the wait: the instance is found by its process variable groupId.
  expect(await done('eintrag-2', { variable: 'groupId', value: groupId })).toBe('kept');
  expect((await stack.db.pendingMessage.findUniqueOrThrow({ where: { messageId: `${groupId}:eintrag-2` } })).processInstanceKey).toBe(pik);
  const open = await stack.db.task.findFirstOrThrow({ where: { processInstanceKey: pik, state: 'CREATED' } });
  await stack.engine.tasks.complete(open.id, {});
  // Delivered to the execution of eintrag-2 only: one of the two waits ended.
  await until(async () => (await itemWaits()).filter((a) => a.endTime).length === 1, 'Erledigung von eintrag-2 zugestellt');
  expect(await openElements(pik)).toEqual([]);
  // While it waits: delivered at once; the other execution, and with it the instance, moves on.
  expect(await done('eintrag-1')).toBe('delivered');
  expect(await openElements(pik)).toEqual(['Task_AllDone']);
  // A local message for a value no execution has, with no instance named: kept (cannot tell), until it expires.
  expect(await done('eintrag-9')).toBe('kept');
  expect(await stack.services.messages.deliverAll(new Date(Date.now() + 400 * 86_400_000))).toBe(0);
  expect((await stack.db.pendingMessage.findUniqueOrThrow({ where: { messageId: `${groupId}:eintrag-9` } })).state).toBe('DROPPED');
});
