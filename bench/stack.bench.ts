/**
 * Stack benchmark (`npm run bench`): measured in one run, printed next to the targets.
 *  (a) cold start to ready of the real start command (`node scripts/bootstrap.cjs start`) with the
 *      engine distribution already cached: fresh data folder, fresh database kim_bench, free ports;
 *  (b) resident memory of the idle stack: every process the command started (node and java);
 *  (c) round trip of a one-service-task process (create instance with result) served by a bare SDK
 *      worker versus the project's WorkerRuntime, N each, interleaved.
 * Stops everything it started and checks that no JVM of its own is left. No assertions: it prints.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createCamunda } from '../server/camunda/client';
import { ROOT } from '../server/config';
import { canConnect, dropDatabase } from '../server/db/postgres';
import { createLogger } from '../server/util/log';
import { freePort, isPortFree, waitFor } from '../server/util/ports';
import { WorkerRuntime } from '../workers/runtime';

const N = Number(process.env.KIM_BENCH_N ?? 50);
const WARMUP = 5;
const DB_NAME = 'kim_bench';
const LOCAL_PG = 'postgresql://postgres@127.0.0.1:5432/postgres';
const TARGET = { readyS: 60, rssGb: 3, overheadMs: 10 };

const say = (m: string) => console.log(`[bench] ${m}`);

/** A gRPC port whose two neighbours (the broker's command and internal API) are free too. */
async function freeGrpcPort(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 65533 && (await isPortFree(p + 1)) && (await isPortFree(p + 2))) return p;
  }
}

/** pid → { ppid, name, rssKb } from /proc. */
function processTable(): Map<number, { ppid: number; name: string; rssKb: number }> {
  const table = new Map<number, { ppid: number; name: string; rssKb: number }>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const status = fs.readFileSync(`/proc/${e}/status`, 'utf8');
      const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'm').exec(status)?.[1] ?? '';
      table.set(Number(e), { ppid: Number(field('PPid')), name: field('Name'), rssKb: parseInt(field('VmRSS'), 10) || 0 });
    } catch {
      /* process ended while reading */
    }
  }
  return table;
}

function descendants(root: number): Array<{ pid: number; name: string; rssKb: number }> {
  const table = processTable();
  const out: Array<{ pid: number; name: string; rssKb: number }> = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const p = table.get(pid);
    if (p) out.push({ pid, name: p.name, rssKb: p.rssKb });
    for (const [child, c] of table) if (c.ppid === pid) queue.push(child);
  }
  return out;
}

/** True while the process runs; a zombie (terminated, not yet reaped) counts as ended. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const processXml = (id: string, jobType: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_${id.replace(/-/g, '_')}" targetNamespace="http://kim.nrw/bench">
  <bpmn:process id="${id}" name="Bench" isExecutable="true">
    <bpmn:startEvent id="StartEvent_Started" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Task_Work" />
    <bpmn:serviceTask id="Task_Work"><bpmn:extensionElements><zeebe:taskDefinition type="${jobType}" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Work" targetRef="EndEvent_Done" />
    <bpmn:endEvent id="EndEvent_Done" />
  </bpmn:process>
</bpmn:definitions>`;

async function main() {
  const runDir = path.join(ROOT, '.data', 'bench', `run-${process.pid}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const readyFile = path.join(runDir, 'ready');
  const localPg = await canConnect(LOCAL_PG);
  if (localPg) await dropDatabase(LOCAL_PG, DB_NAME);

  const ports = { app: await freePort(), rest: await freePort(), grpc: await freeGrpcPort(), mgmt: await freePort() };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(ports.app),
    KIM_DATA_DIR: runDir,
    KIM_DB_NAME: DB_NAME,
    KIM_ENGINE_REST_PORT: String(ports.rest),
    KIM_ENGINE_GRPC_PORT: String(ports.grpc),
    KIM_ENGINE_MANAGEMENT_PORT: String(ports.mgmt),
    KIM_ENGINE_DISK_WATERMARK: process.env.KIM_ENGINE_DISK_WATERMARK ?? '512MB',
    KIM_READY_FILE: readyFile,
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.ZEEBE_GRPC_ADDRESS;
  delete env.ZEEBE_REST_ADDRESS;

  const startLog = path.join(runDir, 'start.log');
  // Installs, Prisma client and web-app build are not part of a start: bring them up to date first.
  const setup = spawnSync(process.execPath, ['scripts/bootstrap.cjs', 'setup'], { cwd: ROOT, env, encoding: 'utf8' });
  const viaBootstrap = setup.status === 0;
  if (!viaBootstrap) {
    say(`WARNUNG: "node scripts/bootstrap.cjs setup" schlug fehl (Exit-Code ${setup.status}); gemessen wird daher "tsx scripts/start.ts" (was bootstrap.cjs start danach aufruft).`);
    say(`  ${`${setup.stdout}${setup.stderr}`.trim().split('\n').slice(-4).join('\n  ')}`);
  }
  const command = viaBootstrap ? [process.execPath, 'scripts/bootstrap.cjs', 'start'] : [path.join(ROOT, 'node_modules', '.bin', 'tsx'), 'scripts/start.ts'];
  const logFd = fs.openSync(startLog, 'a');
  say(`(a) Kaltstart: ${path.basename(command[0])} ${command.slice(1).join(' ')} (Datenbank ${DB_NAME}, Engine-Daten neu, Ports ${JSON.stringify(ports)})`);
  const t0 = performance.now();
  const child: ChildProcess = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited = false;
  const exitedP = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const ourJavas = new Set<number>();
  const trackJava = () => {
    if (child.pid) for (const p of descendants(child.pid)) if (p.name === 'java') ourJavas.add(p.pid);
  };

  const zeebeHolder: { close?: () => Promise<unknown> } = {};
  const runtimes: Array<WorkerRuntime<unknown>> = [];
  const bareWorkers: Array<{ close(): Promise<unknown> }> = [];
  let readyS = NaN;
  try {
    const ready = waitFor(
      async () => {
        trackJava();
        return exited || fs.existsSync(readyFile);
      },
      { timeoutMs: 240_000, intervalMs: 100, what: 'Stack bereit' },
    );
    await Promise.race([ready, exitedP])
      .then(() => {
        if (!fs.existsSync(readyFile)) throw new Error('Der Startbefehl hat sich vor „bereit“ beendet');
      })
      .catch((e: Error) => {
        throw new Error(`${e.message}\n${fs.readFileSync(startLog, 'utf8').slice(-2000)}`);
      });
    readyS = (performance.now() - t0) / 1000;
    trackJava();
    say(`bereit nach ${readyS.toFixed(1)} s: ${fs.readFileSync(readyFile, 'utf8')}`);
    // The start command's own step timings (its progress lines), to see where the time goes.
    for (const l of fs.readFileSync(startLog, 'utf8').split('\n')) if (/✓|✗/.test(l)) say(`  ${l.trim()}`);

    // (b) idle RSS, once the stack has settled: the total changes by less than 1 % between samples.
    const totalRss = () => descendants(child.pid!).reduce((sum, p) => sum + p.rssKb, 0);
    let lastRss = totalRss();
    await waitFor(
      async () => {
        const now = totalRss();
        const settled = Math.abs(now - lastRss) < lastRss * 0.01;
        lastRss = now;
        return settled;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'Speicher des ruhenden Stacks stabil' },
    );
    const procs = descendants(child.pid!);
    const nodeKb = procs.filter((p) => p.name.startsWith('node') || p.name === 'tsx').reduce((s, p) => s + p.rssKb, 0);
    const javaKb = procs.filter((p) => p.name === 'java').reduce((s, p) => s + p.rssKb, 0);
    const otherKb = procs.filter((p) => !(p.name.startsWith('node') || p.name === 'tsx' || p.name === 'java')).reduce((s, p) => s + p.rssKb, 0);
    const totalKb = nodeKb + javaKb + otherKb;
    const procList = procs.map((p) => `${p.name}:${p.pid}=${(p.rssKb / 1024).toFixed(0)}MB`).join(', ');

    // (c) round trips: bare SDK worker vs WorkerRuntime, same client settings
    const { zeebe } = createCamunda({ grpcAddress: `grpc://127.0.0.1:${ports.grpc}`, restAddress: `http://127.0.0.1:${ports.rest}` });
    zeebeHolder.close = () => zeebe.close();
    await zeebe.deployResource({ name: 'kim-bench-bare.bpmn', process: Buffer.from(processXml('kim-bench-bare', 'kim.bench-bare')) });
    await zeebe.deployResource({ name: 'kim-bench-runtime.bpmn', process: Buffer.from(processXml('kim-bench-runtime', 'kim.bench-runtime')) });
    const bare = zeebe.createWorker({
      taskType: 'kim.bench-bare',
      loglevel: 'NONE',
      timeout: 60_000,
      maxJobsToActivate: 16,
      taskHandler: ((job: { complete(v?: Record<string, unknown>): Promise<unknown> }) => job.complete({})) as never,
    });
    bareWorkers.push(bare as never);
    const runtime = new WorkerRuntime<unknown>(zeebe, {}, createLogger('silent'));
    runtime.start([{ type: 'kim.bench-runtime', handler: async () => ({ kind: 'complete' }) }]);
    runtimes.push(runtime);

    const roundTrip = async (bpmnProcessId: string) => {
      const t = performance.now();
      await zeebe.createProcessInstanceWithResult({ bpmnProcessId, variables: {}, requestTimeout: 30_000 } as never);
      return performance.now() - t;
    };
    for (let i = 0; i < WARMUP; i++) {
      await roundTrip('kim-bench-bare');
      await roundTrip('kim-bench-runtime');
    }
    const times = { bare: [] as number[], runtime: [] as number[] };
    for (let i = 0; i < N; i++) {
      // Alternate the order so neither side always runs first.
      const order: Array<'bare' | 'runtime'> = i % 2 ? ['runtime', 'bare'] : ['bare', 'runtime'];
      for (const k of order) times[k].push(await roundTrip(`kim-bench-${k}`));
    }
    const stat = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { p50: percentile(s, 50), p95: percentile(s, 95) };
    };
    const b = stat(times.bare);
    const r = stat(times.runtime);

    const ok = (good: boolean) => (good ? 'erfüllt' : 'VERFEHLT');
    const lines = [
      '',
      'KIM Prozessplattform – Stack-Benchmark',
      `(a) Kaltstart bis bereit (Engine-Artefakte im Cache):  ${readyS.toFixed(1)} s      Ziel ≤ ${TARGET.readyS} s   ${ok(readyS <= TARGET.readyS)}`,
      `(b) RSS des ruhenden Stacks:                           ${(totalKb / 1024 / 1024).toFixed(2)} GB   Ziel ≤ ${TARGET.rssGb} GB   ${ok(totalKb / 1024 / 1024 <= TARGET.rssGb)}`,
      `      node ${(nodeKb / 1024).toFixed(0)} MB + java ${(javaKb / 1024).toFixed(0)} MB + sonstige ${(otherKb / 1024).toFixed(0)} MB  (${procList}; PostgreSQL ${localPg ? 'ist der gemeinsame lokale Server, nicht mitgezählt' : 'eingebettet, in „sonstige“'})`,
      `(c) Round-Trip 1-Service-Task-Prozess (createProcessInstanceWithResult), N=${N} je Variante, abwechselnd:`,
      `      bare SDK-Worker:   p50 ${b.p50.toFixed(1)} ms   p95 ${b.p95.toFixed(1)} ms`,
      `      WorkerRuntime:     p50 ${r.p50.toFixed(1)} ms   p95 ${r.p95.toFixed(1)} ms`,
      `      Verhältnis Runtime/bare: p50 ${(r.p50 / b.p50).toFixed(2)}   p95 ${(r.p95 / b.p95).toFixed(2)}`,
      `      Differenz Runtime−bare:  p50 ${(r.p50 - b.p50).toFixed(1)} ms   p95 ${(r.p95 - b.p95).toFixed(1)} ms   Ziel p95 ≤ bare p95 + ${TARGET.overheadMs} ms   ${ok(r.p95 <= b.p95 + TARGET.overheadMs)}`,
      '',
    ];
    console.log(lines.join('\n'));
  } finally {
    for (const rt of runtimes) await rt.stop().catch(() => undefined);
    for (const w of bareWorkers) await Promise.resolve(w.close()).catch(() => undefined);
    await zeebeHolder.close?.().catch(() => undefined);
    trackJava();
    if (!exited) {
      say('beende den Stack (SIGTERM) …');
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        say('Stack reagiert nicht – SIGKILL');
        if (child.pid) for (const p of descendants(child.pid)) process.kill(p.pid, 'SIGKILL');
      }, 60_000);
      await exitedP;
      clearTimeout(timer);
    }
    // The start command waits for the JVM before it exits; make sure and say so.
    await waitFor(async () => [...ourJavas].every((p) => !alive(p)), { timeoutMs: 30_000, intervalMs: 200, what: 'JVM beendet' }).catch(() => undefined);
    const left = [...ourJavas].filter(alive);
    for (const p of left) process.kill(p, 'SIGKILL');
    let allJava: number[] = [];
    try {
      allJava = execFileSync('pgrep', ['-x', 'java'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    } catch {
      /* pgrep exits 1 when nothing matches */
    }
    const oursLeft = allJava.filter((p) => ourJavas.has(p));
    say(
      `Aufräumen: eigene JVM(s) ${[...ourJavas].join(', ') || '–'} ${oursLeft.length ? `NOCH DA: ${oursLeft.join(', ')}` : 'beendet'}` +
        (left.length ? ` (mit SIGKILL: ${left.join(', ')})` : '') +
        `; pgrep -x java: ${allJava.length ? allJava.join(', ') + ' (fremde, z. B. parallele Testläufe)' : 'keine'}`,
    );
    if (localPg) await dropDatabase(LOCAL_PG, DB_NAME).catch(() => undefined);
    if (!process.env.KIM_BENCH_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`[bench] Abgebrochen: ${(e as Error).message}`);
    process.exit(1);
  },
);
