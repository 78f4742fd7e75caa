/**
 * The local Operaton engine: the Maven project in engine/app is built once per source hash (its
 * dependencies come from Maven Central) into the cache, configured for loopback, started with the
 * default Java, health-checked and stopped with SIGTERM.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isPortFree, waitFor } from '../server/util/ports';
import type { Progress } from '../server/util/progress';

const run = promisify(execFile);

export const ENGINE_APP_DIR = path.join(__dirname, 'app');

export class EngineStartError extends Error {}

/** Minimum Java feature version the engine (Spring Boot 3.5, Operaton 1.0) runs on. */
export const MIN_JAVA = 17;

export interface DatabaseTarget {
  /** jdbc:postgresql://host:port/db */
  jdbcUrl: string;
  username: string;
  password: string;
}

export interface EngineOptions {
  cacheDir: string;
  dataDir: string;
  port: number;
  heap: string;
  database: DatabaseTarget;
  /** Bind address; anything but loopback requires a password. */
  host?: string;
  /** HTTP Basic credentials the REST API demands (empty password = none, loopback only). */
  username?: string;
  password?: string;
  /** Allows POST /kim-admin/engines (one engine per test database). Tests only. */
  testEngines?: boolean;
  /** Job acquisition: longest idle wait (ms) before the engine looks for due timers again. */
  jobMaxWaitMs?: number;
  progress?: Progress;
}

export async function javaVersion(javaBin: string): Promise<number | undefined> {
  try {
    const { stderr, stdout } = await run(javaBin, ['-version']);
    const m = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
    if (!m) return undefined;
    const major = Number(m[1]);
    return major === 1 ? Number(m[2]) : major;
  } catch {
    return undefined;
  }
}

/**
 * The Java to run the engine with: JAVA_HOME when it is new enough, else `java` on the PATH, else
 * the newest JDK under /usr/lib/jvm; a German error naming what to install when there is none.
 */
export async function resolveJava(env: NodeJS.ProcessEnv = process.env, jvmDir = '/usr/lib/jvm'): Promise<{ java: string; version: number }> {
  const tried: string[] = [];
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(path.join(env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  if (fs.existsSync(jvmDir)) for (const d of fs.readdirSync(jvmDir).sort().reverse()) candidates.push(path.join(jvmDir, d, 'bin', 'java'));
  for (const bin of candidates) {
    const v = await javaVersion(bin);
    tried.push(`${bin} (${v === undefined ? 'nicht gefunden' : `Java ${v}`})`);
    if (v !== undefined && v >= MIN_JAVA) return { java: bin, version: v };
  }
  throw new EngineStartError(
    `Die Engine (Operaton) braucht Java ${MIN_JAVA} oder neuer, gefunden wurde keines.\n` +
      `  Geprüft: ${tried.join(', ')}\n` +
      `  Abhilfe: "apt-get install -y openjdk-17-jre-headless" oder JAVA_HOME auf ein JDK ≥ ${MIN_JAVA} setzen.`,
  );
}

/** Hash of the engine app's sources: a changed source builds a new jar. */
export function engineSourceHash(dir = ENGINE_APP_DIR): string {
  const h = crypto.createHash('sha256');
  const visit = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) if (e !== 'target') visit(path.join(p, e));
    } else {
      h.update(path.relative(dir, p));
      h.update(fs.readFileSync(p));
    }
  };
  visit(dir);
  return h.digest('hex').slice(0, 16);
}

export function engineJarPath(cacheDir: string): string {
  return path.join(cacheDir, 'engine', `kim-engine-${engineSourceHash()}.jar`);
}

export function engineJarCached(cacheDir: string): boolean {
  return fs.existsSync(engineJarPath(cacheDir));
}

/** Builds engine/app with Maven (first time: dependencies from Maven Central) unless the jar for these sources is cached. */
export async function ensureEngineJar(opts: { cacheDir: string; progress?: Progress }): Promise<string> {
  const jar = engineJarPath(opts.cacheDir);
  if (fs.existsSync(jar)) return jar;
  const step = opts.progress?.step('Engine (Operaton) mit Maven bauen – beim ersten Mal lädt Maven die Abhängigkeiten (~60 MB)');
  const started = Date.now();
  const timer = setInterval(() => step?.update(`${Math.round((Date.now() - started) / 1000)} s`), 2000);
  try {
    await run('mvn', ['-B', '-q', '-DskipTests', '-f', path.join(ENGINE_APP_DIR, 'pom.xml'), 'package'], { maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    step?.fail();
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new EngineStartError('Maven ("mvn") ist nicht installiert. Abhilfe: "apt-get install -y maven" oder eine laufende Engine über KIM_ENGINE_URL angeben.');
    const out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
    if (/UnknownHost|Could not transfer|Connection refused|timed out|Network is unreachable/i.test(out)) {
      throw new EngineStartError(`Maven Central ist nicht erreichbar; die Engine kann nicht gebaut werden.\n  Abhilfe: Netzwerk/Proxy für Maven prüfen.\n${out.slice(-800)}`);
    }
    throw new EngineStartError(`Bau der Engine mit Maven fehlgeschlagen:\n${out.slice(-2000)}`);
  } finally {
    clearInterval(timer);
  }
  fs.mkdirSync(path.dirname(jar), { recursive: true });
  const tmp = `${jar}.${process.pid}.tmp`;
  fs.copyFileSync(path.join(ENGINE_APP_DIR, 'target', 'kim-engine.jar'), tmp);
  fs.renameSync(tmp, jar);
  step?.done(`${Math.round(fs.statSync(jar).size / 1024 / 1024)} MB`);
  return jar;
}

/** Spring arguments for one engine process (passwords go through the environment, not argv). */
export function engineArgs(opts: EngineOptions): string[] {
  const host = opts.host ?? '127.0.0.1';
  const url = opts.database.jdbcUrl + (opts.database.jdbcUrl.includes('?') ? '&' : '?') + 'currentSchema=engine';
  return [
    `--server.address=${host}`,
    `--server.port=${opts.port}`,
    `--spring.datasource.url=${url}`,
    `--spring.datasource.username=${opts.database.username}`,
    '--spring.datasource.hikari.maximum-pool-size=12',
    `--operaton.bpm.job-execution.max-wait=${opts.jobMaxWaitMs ?? 5000}`,
    `--kim.auth.username=${opts.username ?? 'kim'}`,
    `--kim.test-engines.enabled=${opts.testEngines ? 'true' : 'false'}`,
  ];
}

export class LocalEngine {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly url: string;

  constructor(private readonly opts: EngineOptions) {
    this.url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${opts.port}/engine-rest`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return path.join(this.opts.dataDir, 'engine.log');
  }

  /** Java, port and an unsafe bind address are checked before anything starts. */
  async preflight(): Promise<string> {
    const { java } = await resolveJava();
    if (!(await isPortFree(this.opts.port))) {
      throw new EngineStartError(
        `Port ${this.opts.port} ist bereits belegt – die Engine kann nicht starten.\n` +
          `  Abhilfe: den Prozess beenden, der ihn nutzt ("ss -ltnp | grep ${this.opts.port}"), oder einen anderen Port über KIM_ENGINE_PORT wählen.`,
      );
    }
    const host = this.opts.host ?? '127.0.0.1';
    if (!/^(127\.|::1$|localhost$)/.test(host) && !this.opts.password) {
      throw new EngineStartError(`Die Engine-REST-API soll auf ${host} lauschen, aber ohne Passwort. Abhilfe: KIM_ENGINE_PASSWORD setzen oder nur 127.0.0.1 verwenden.`);
    }
    fs.mkdirSync(this.opts.dataDir, { recursive: true });
    return java;
  }

  async start(): Promise<string> {
    const java = await this.preflight();
    const jar = await ensureEngineJar(this.opts);
    const step = this.opts.progress?.step('Engine (Operaton) starten');
    const log = fs.openSync(this.logFile, 'a');
    const child = spawn(java, [`-Xmx${this.opts.heap}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-jar', jar, ...engineArgs(this.opts)], {
      env: {
        ...process.env,
        SPRING_DATASOURCE_PASSWORD: this.opts.database.password,
        KIM_AUTH_PASSWORD: this.opts.password ?? '',
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    if (child.pid) fs.writeFileSync(path.join(this.opts.dataDir, 'engine.pid'), String(child.pid));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let earlyExit: number | null | undefined;
    void this.exited.then((c) => {
      earlyExit = c;
    });
    const started = Date.now();
    try {
      await waitFor(
        async () => {
          if (earlyExit !== undefined) throw new EngineStartError('exited');
          const auth = this.opts.password ? { authorization: `Basic ${Buffer.from(`${this.opts.username ?? 'kim'}:${this.opts.password}`).toString('base64')}` } : undefined;
          const r = await fetch(`${this.url}/engine`, { headers: auth, signal: AbortSignal.timeout(2000) }).catch(() => null);
          return r?.ok ?? false;
        },
        {
          timeoutMs: 180_000,
          intervalMs: 250,
          what: 'Die Engine meldet sich nicht',
          onTick: () => step?.update(`${Math.round((Date.now() - started) / 1000)} s`),
        },
      );
    } catch (e) {
      step?.fail();
      const tail = this.logTail();
      await this.stop();
      const reason = earlyExit !== undefined ? `Die Engine hat sich beendet (Exit-Code ${earlyExit}).` : (e as Error).message;
      throw new EngineStartError(`${reason}\n  Protokoll: ${this.logFile}\n${tail}`);
    }
    step?.done(this.url);
    return this.url;
  }

  logTail(lines = 25): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the JVM is gone. */
  async stop(graceMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the JVM at once (fault tests: a node dies mid-run). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }
}

/** JDBC coordinates of a postgres:// URL (user and password separately, never in the JDBC URL). */
export function jdbcTarget(databaseUrl: string): DatabaseTarget {
  const u = new URL(databaseUrl);
  return {
    jdbcUrl: `jdbc:postgresql://${u.hostname}:${u.port || 5432}${u.pathname}`,
    username: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password || ''),
  };
}
