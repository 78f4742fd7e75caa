/**
 * Fault: a worker process dies holding a locked external task. A separate node process (the product's
 * stack with its worker runtime, short locks) fetches the task of kim.send-referral, does the side
 * effect – the referral marked sent and its mail queued – and is killed (SIGKILL) before it can report
 * the completion. The engine still shows the task locked by that dead worker. After the lock expires
 * the test's own worker (another worker id) takes the task and does it again: the instance ends once,
 * there is one outbox row and one delivered mail, no incident. Nothing lost, nothing doubled.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JOB } from '../../processes/kim-referral/contract';
import { ROOT } from '../../server/config';
import type { Stack } from '../../server/stack';
import type { WorkerDeps } from '../../workers/deps';
import { checkReferralConsent } from '../../workers/kim.check-referral-consent';
import { sendReferral } from '../../workers/kim.send-referral';
import type { Job } from '../../workers/runtime';
import { MailCatcher, startMailCatcher } from '../support/smtp';
import { startTestStack, testConfig, until } from '../support/stack';

const PID = 'kim-test-fault-worker';
const LOCK_MS = 3000;
const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_FaultWorker" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="${PID}" name="Störungstest Worker" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="StartEvent_Fault"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Fault" targetRef="Task_SendReferral" />
    <bpmn:serviceTask id="Task_SendReferral" name="Vermittlung senden" camunda:type="external" camunda:topic="${JOB.sendReferral}"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_SendReferral" targetRef="EndEvent_Fault" />
    <bpmn:endEvent id="EndEvent_Fault"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;

/**
 * The dying worker: the product's stack (no HTTP) with only the kim.send-referral worker, whose
 * handler does its work and then kills its own process before the runtime reports the outcome.
 */
const CHILD = `
import { loadConfig } from ${JSON.stringify(path.join(ROOT, 'server/config'))};
import { startStack } from ${JSON.stringify(path.join(ROOT, 'server/stack'))};
import { createLogger } from ${JSON.stringify(path.join(ROOT, 'server/util/log'))};
import { sendReferral } from ${JSON.stringify(path.join(ROOT, 'workers/kim.send-referral'))};
async function main() {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent' });
  await startStack({
    config,
    processesDir: process.env.FAULT_EMPTY_DIR,
    http: false,
    seed: false,
    log: createLogger('silent'),
    workerDefs: [{
      ...sendReferral,
      timeoutMs: ${LOCK_MS},
      handler: async (job, deps) => {
        const out = await sendReferral.handler(job, deps);
        process.stdout.write('effect ' + job.key + ' ' + out.kind + '\\n');
        process.kill(process.pid, 'SIGKILL');
        return out;
      },
    }],
  });
  process.stdout.write('ready\\n');
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

let smtp: MailCatcher;
let stack: Stack;
let tmp: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-fault-worker-'));
  fs.mkdirSync(path.join(tmp, 'processes', PID), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'empty'));
  fs.writeFileSync(path.join(tmp, 'processes', PID, `${PID}.bpmn`), MODEL);
  fs.writeFileSync(path.join(tmp, 'child.ts'), CHILD);
  smtp = await startMailCatcher();
  stack = await startTestStack({
    workers: false,
    processesDir: path.join(tmp, 'processes'),
    config: testConfig({ KIM_SMTP_URL: smtp.url, KIM_MAIL_RETRY_MS: '200', KIM_LINK_SECRET: 'test-secret-test-secret-test-secret-0123', KIM_PUBLIC_URL: 'https://kim.example' }),
  });
}, 300_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack?.stop();
  await smtp?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface EngineExternalTask {
  id: string;
  workerId: string | null;
  lockExpirationTime: string | null;
}

const engineGet = async <T>(p: string): Promise<T> => {
  const res = await fetch(`${stack.config.KIM_ENGINE_URL}${p}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

test('a worker process dies holding a locked task: after the lock expires another worker does it, the side effect happens once', async () => {
  const deps: WorkerDeps = { inbox: stack.services.inbox, log: stack.log, referrals: stack.services.referrals };
  const tag = `fw-${process.pid}`;
  const org = await stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `Beratungsstelle ${tag}`, type: 'JMD', email: `${tag}@partner.test` } });
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-${tag}`, firstName: 'Nora', lastName: `Absturz-${tag}` } });
  const kase = await stack.db.case.create({ data: { reference: `R-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const r = await stack.db.referral.create({ data: { caseId: kase.id, organisationId: org.id, lifeArea: 'Arbeit', purpose: 'Bewerbungstraining' } });
  const gate = { key: 'gate', type: 't', processInstanceKey: '1', processDefinitionKey: '1', bpmnProcessId: 'kim-referral', elementId: 'x', activityInstanceId: 'x:1', tenantId: 'duisburg', retries: null, lockExpiresAt: 0, properties: {}, variables: { referralId: r.id } } satisfies Job;
  expect(await checkReferralConsent.handler(gate, deps)).toMatchObject({ kind: 'complete' });

  const { processInstanceKey } = await stack.engine.runtime.start(PID, 'duisburg', { referralId: r.id });

  // The other worker process takes the task, does the side effect and dies before reporting.
  let out = '';
  let err = '';
  // node itself with tsx's loader (not the tsx launcher), so the killed process is the one spawned.
  child = spawn(process.execPath, ['--import', 'tsx', path.join(tmp, 'child.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: stack.config.DATABASE_URL, KIM_ENGINE_URL: stack.config.KIM_ENGINE_URL, KIM_SMTP_URL: smtp.url, FAULT_EMPTY_DIR: path.join(tmp, 'empty'), KIM_LINK_SECRET: stack.config.KIM_LINK_SECRET, KIM_PUBLIC_URL: stack.config.KIM_PUBLIC_URL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += String(c)));
  child.stderr!.on('data', (c: Buffer) => (err += String(c)));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, signal) => resolve(signal)));
  const signal = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 180_000).unref())]);
  expect({ signal, err: err.slice(-2000) }).toEqual({ signal: 'SIGKILL', err: '' });
  expect(out).toMatch(/effect \S+ complete/);
  const diedAt = Date.now();

  // The side effect is there, the engine still holds the task locked for the dead worker.
  expect((await stack.db.referral.findUniqueOrThrow({ where: { id: r.id } })).status).toBe('gesendet');
  expect(await stack.db.mailOutbox.count({ where: { caseId: kase.id } })).toBe(1);
  const locked = await engineGet<EngineExternalTask[]>(`/external-task?processInstanceId=${processInstanceKey}`);
  expect(locked).toHaveLength(1);
  expect(locked[0].workerId).toMatch(new RegExp(`-${child.pid}$`));
  const lockEnd = new Date(locked[0].lockExpirationTime!.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).getTime();
  expect(lockEnd).toBeGreaterThan(diedAt - LOCK_MS);

  // Another worker (this process, another worker id) does the task once the lock has expired.
  const calls: number[] = [];
  stack.startWorkers([
    {
      ...sendReferral,
      timeoutMs: LOCK_MS,
      handler: async (job, d) => {
        calls.push(Date.now());
        return sendReferral.handler(job, d);
      },
    },
  ]);
  await until(async () => (await stack.engine.watch.instances([processInstanceKey]))[0]?.state === 'COMPLETED', 'Instanz nach Ablauf der Sperre beendet', 60_000);
  // The dead node's dispatcher may or may not have sent the mail; this node's sends what is left.
  await until(async () => {
    await stack.services.mail.drain();
    return (await stack.db.mailOutbox.count({ where: { caseId: kase.id, status: 'sent' } })) === 1;
  }, 'Vermittlung zugestellt');

  // Nothing lost, nothing doubled.
  expect(calls).toHaveLength(1);
  // The clocks of the engine and of this process are the same machine's.
  expect(calls[0]).toBeGreaterThanOrEqual(lockEnd - 50);
  expect(await engineGet<unknown[]>(`/external-task?processInstanceId=${processInstanceKey}`)).toEqual([]);
  expect(await stack.engine.watch.incidents({ tenantId: 'duisburg', processInstanceKey })).toEqual([]);
  const done = await engineGet<Array<{ activityId: string; endTime: string | null }>>(`/history/activity-instance?processInstanceId=${processInstanceKey}&activityId=Task_SendReferral`);
  expect(done).toHaveLength(1);
  expect(done[0].endTime).not.toBeNull();
  const rows = await stack.db.mailOutbox.findMany({ where: { caseId: kase.id } });
  expect(rows).toHaveLength(1);
  expect(rows[0].status).toBe('sent');
  expect(smtp.mails.filter((m) => m.to.includes(org.email!))).toHaveLength(1);
  expect((await stack.db.referral.findUniqueOrThrow({ where: { id: r.id } })).status).toBe('gesendet');
}, 300_000);
