/**
 * The local Camunda 8 engine: fetched from Maven Central with mvn into a cache outside the repo,
 * configured for loopback without authentication, started, health-checked and stopped.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isPortFree, waitFor } from '../server/util/ports';
import type { Progress } from '../server/util/progress';
import { ensureExporterJar, ExporterConfig, exporterYaml } from './exporter';

const run = promisify(execFile);

export class EngineError extends Error {}

export interface EngineOptions {
  version: string;
  cacheDir: string;
  dataDir: string;
  restPort: number;
  grpcPort: number;
  managementPort: number;
  heap: string;
  diskWatermark: string;
  progress?: Progress;
  /** Extra broker ports (cluster-internal); derived from grpcPort when absent. */
  commandPort?: number;
  internalPort?: number;
  /** The KIM element exporter (process view); without it the broker exports nothing. */
  exporter?: ExporterConfig;
}

export interface EngineEndpoints {
  restAddress: string;
  grpcAddress: string;
  managementAddress: string;
}

/** Minimum Java feature version the engine runs on. */
export const MIN_JAVA = 21;

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
 * JAVA_HOME if it is new enough, else the newest JDK ≥ 21 under /usr/lib/jvm, else a German error
 * naming what to install.
 */
export async function resolveJavaHome(env: NodeJS.ProcessEnv = process.env, jvmDir = '/usr/lib/jvm'): Promise<string> {
  const tried: string[] = [];
  if (env.JAVA_HOME) {
    const v = await javaVersion(path.join(env.JAVA_HOME, 'bin', 'java'));
    if (v !== undefined && v >= MIN_JAVA) return env.JAVA_HOME;
    tried.push(`JAVA_HOME=${env.JAVA_HOME} (Java ${v ?? 'nicht gefunden'})`);
  }
  const candidates = fs.existsSync(jvmDir) ? fs.readdirSync(jvmDir).map((d) => path.join(jvmDir, d)) : [];
  let best: { home: string; v: number } | undefined;
  for (const home of candidates) {
    const bin = path.join(home, 'bin', 'java');
    if (!fs.existsSync(bin)) continue;
    const v = await javaVersion(bin);
    if (v === undefined) continue;
    tried.push(`${home} (Java ${v})`);
    if (v >= MIN_JAVA && (!best || v > best.v)) best = { home: fs.realpathSync(home), v };
  }
  if (best) return best.home;
  throw new EngineError(
    `Die Camunda-Engine braucht Java ${MIN_JAVA} oder neuer, gefunden wurde keines.\n` +
      `  Geprüft: ${tried.join(', ') || 'nichts'}\n` +
      `  Abhilfe: ein JDK ≥ ${MIN_JAVA} installieren (z. B. "apt-get install temurin-25-jdk" oder "openjdk-21-jdk") ` +
      `oder JAVA_HOME auf ein solches JDK setzen.`,
  );
}

function dirSize(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const f of fs.readdirSync(dir)) {
    try {
      total += fs.statSync(path.join(dir, f)).size;
    } catch {
      /* file vanished while counting */
    }
  }
  return total;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

/** Ensures the unpacked distribution is in the cache; returns its directory. */
export async function ensureDistribution(opts: Pick<EngineOptions, 'version' | 'cacheDir' | 'progress'>): Promise<string> {
  const base = path.join(opts.cacheDir, 'camunda');
  const home = path.join(base, `camunda-zeebe-${opts.version}`);
  if (fs.existsSync(path.join(home, 'bin', 'broker'))) return home;
  fs.mkdirSync(base, { recursive: true });
  const tarball = path.join(base, `camunda-zeebe-${opts.version}.tar.gz`);

  if (!fs.existsSync(tarball)) {
    const step = opts.progress?.step(`Camunda ${opts.version} von Maven Central laden (einmalig, ~300 MB)`);
    const m2dir = path.join(process.env.HOME ?? '/root', '.m2', 'repository', 'io', 'camunda', 'camunda-zeebe', opts.version);
    const timer = setInterval(() => step?.update(`${mb(dirSize(m2dir))} geladen`), 1000);
    try {
      await run(
        'mvn',
        [
          '-B',
          '-q',
          '-U',
          'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
          `-Dartifact=io.camunda:camunda-zeebe:${opts.version}:tar.gz`,
          `-DoutputDirectory=${base}`,
        ],
        { maxBuffer: 32 * 1024 * 1024 },
      );
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      step?.fail();
      if (err.code === 'ENOENT') {
        throw new EngineError('Maven ("mvn") ist nicht installiert. Abhilfe: "apt-get install maven" oder die Engine selbst betreiben und ZEEBE_GRPC_ADDRESS setzen.');
      }
      const out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      if (/was not found in|could not find artifact/i.test(out)) {
        throw new EngineError(
          `Camunda ${opts.version} (io.camunda:camunda-zeebe:tar.gz) gibt es auf Maven Central nicht.\n` +
            `  Abhilfe: KIM_CAMUNDA_VERSION auf eine veröffentlichte Version setzen (Standard 8.6.0) ` +
            `oder eine laufende Engine über ZEEBE_GRPC_ADDRESS/ZEEBE_REST_ADDRESS angeben.`,
        );
      }
      if (/UnknownHost|Could not transfer|Connection refused|timed out|Network is unreachable/i.test(out)) {
        throw new EngineError(`Maven Central ist nicht erreichbar; die Engine kann nicht geladen werden.\n  Abhilfe: Netzwerk/Proxy für Maven prüfen.\n${out.slice(-800)}`);
      }
      throw new EngineError(`Laden der Engine mit Maven fehlgeschlagen:\n${out.slice(-1500)}`);
    } finally {
      clearInterval(timer);
    }
    step?.done(mb(fs.statSync(tarball).size));
  }

  const step = opts.progress?.step(`Camunda ${opts.version} entpacken`);
  const tmp = fs.mkdtempSync(path.join(base, '.unpack-'));
  try {
    await run('tar', ['xzf', tarball, '-C', tmp]);
    const inner = fs.readdirSync(tmp).find((d) => d.startsWith('camunda-zeebe'));
    if (!inner) throw new EngineError(`Das Archiv ${tarball} enthält keine Camunda-Distribution. Löschen Sie es, es wird neu geladen.`);
    fs.rmSync(home, { recursive: true, force: true });
    fs.renameSync(path.join(tmp, inner), home);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  step?.done();
  return home;
}

function parseSize(s: string): number {
  const m = /^(\d+)(MB|GB)$/.exec(s);
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'GB' ? 1024 ** 3 : 1024 ** 2);
}

/** Application config handed to the engine with --spring.config.additional-location. */
export function engineConfigYaml(opts: EngineOptions): string {
  const commandPort = opts.commandPort ?? opts.grpcPort + 1;
  const internalPort = opts.internalPort ?? opts.grpcPort + 2;
  const water = opts.diskWatermark;
  return [
    '# Generated by engine/engine.ts – local, unauthenticated, loopback only.',
    'zeebe:',
    '  broker:',
    '    gateway:',
    '      enable: true',
    '      network:',
    '        host: 127.0.0.1',
    `        port: ${opts.grpcPort}`,
    '      security:',
    '        enabled: false',
    '        authentication:',
    '          mode: none',
    '    network:',
    '      host: 127.0.0.1',
    '      commandApi:',
    `        port: ${commandPort}`,
    '      internalApi:',
    `        port: ${internalPort}`,
    '    data:',
    `      directory: ${JSON.stringify(path.join(opts.dataDir, 'data'))}`,
    '      snapshotPeriod: 5m',
    '      disk:',
    '        freeSpace:',
    `          processing: ${water}`,
    `          replication: ${Math.max(1, Math.floor(parseSize(water) / 2 / 1024 / 1024))}MB`,
    '    cluster:',
    '      clusterSize: 1',
    '      replicationFactor: 1',
    '      partitionsCount: 1',
    '    threads:',
    '      cpuThreadCount: 2',
    '      ioThreadCount: 2',
    ...(opts.exporter?.jarPath ? exporterYaml({ ...opts.exporter, jarPath: opts.exporter.jarPath }) : ['    exporters: {}']),
    'server:',
    '  address: 127.0.0.1',
    `  port: ${opts.restPort}`,
    'management:',
    '  server:',
    '    address: 127.0.0.1',
    `    port: ${opts.managementPort}`,
    'camunda:',
    '  rest:',
    '    enabled: true',
    '',
  ].join('\n');
}

export class LocalEngine {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly endpoints: EngineEndpoints;

  constructor(private readonly opts: EngineOptions) {
    this.endpoints = {
      restAddress: `http://127.0.0.1:${opts.restPort}`,
      grpcAddress: `grpc://127.0.0.1:${opts.grpcPort}`,
      managementAddress: `http://127.0.0.1:${opts.managementPort}`,
    };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return path.join(this.opts.dataDir, 'engine.log');
  }

  /** Checks Java, ports and disk before anything is started; throws a German EngineError naming the fix. */
  async preflight(): Promise<string> {
    const javaHome = await resolveJavaHome();
    const ports: Array<[number, string]> = [
      [this.opts.restPort, 'KIM_ENGINE_REST_PORT'],
      [this.opts.grpcPort, 'KIM_ENGINE_GRPC_PORT'],
      [this.opts.managementPort, 'KIM_ENGINE_MANAGEMENT_PORT'],
      [this.opts.commandPort ?? this.opts.grpcPort + 1, 'KIM_ENGINE_GRPC_PORT'],
      [this.opts.internalPort ?? this.opts.grpcPort + 2, 'KIM_ENGINE_GRPC_PORT'],
    ];
    for (const [port, variable] of ports) {
      if (!(await isPortFree(port))) {
        throw new EngineError(
          `Port ${port} ist bereits belegt – die Engine kann nicht starten.\n` +
            `  Abhilfe: den Prozess beenden, der ihn nutzt ("ss -ltnp | grep ${port}"), ` +
            `oder einen anderen Port über ${variable} wählen.`,
        );
      }
    }
    fs.mkdirSync(this.opts.dataDir, { recursive: true });
    const st = fs.statfsSync(this.opts.dataDir);
    const free = st.bavail * st.bsize;
    const need = parseSize(this.opts.diskWatermark) + 512 * 1024 * 1024;
    if (free < need) {
      throw new EngineError(
        `Zu wenig freier Speicher für die Engine in ${this.opts.dataDir}: ${mb(free)} frei, ` +
          `nötig sind mindestens ${mb(need)} (Wasserzeichen ${this.opts.diskWatermark} plus Reserve).\n` +
          `  Abhilfe: Platz schaffen, KIM_DATA_DIR auf eine Platte mit Platz legen ` +
          `oder (nur lokal) KIM_ENGINE_DISK_WATERMARK senken, z. B. 512MB.`,
      );
    }
    return javaHome;
  }

  async start(): Promise<EngineEndpoints> {
    const javaHome = await this.preflight();
    const home = await ensureDistribution(this.opts);
    let opts = this.opts;
    if (opts.exporter && !opts.exporter.jarPath) {
      const jarPath = await ensureExporterJar({ cacheDir: opts.cacheDir, javaHome, progress: opts.progress });
      opts = { ...opts, exporter: { ...opts.exporter, jarPath } };
    }
    const cfgFile = path.join(this.opts.dataDir, 'application.yaml');
    // May hold the history database's password: readable by the owner only.
    fs.writeFileSync(cfgFile, engineConfigYaml(opts), { mode: 0o600 });
    fs.chmodSync(cfgFile, 0o600);
    const step = this.opts.progress?.step(`Camunda-Engine ${this.opts.version} starten (Java: ${path.basename(javaHome)})`);
    const log = fs.openSync(this.logFile, 'a');
    const child = spawn(path.join(home, 'bin', 'broker'), [], {
      env: {
        ...process.env,
        JAVA_HOME: javaHome,
        JAVA_OPTS: `-Xmx${this.opts.heap} -Xms256m`,
        // The broker's launcher does not pass program arguments to Spring; the environment does.
        SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${cfgFile}`,
        JDK_JAVA_OPTIONS: '--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow',
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
    try {
      await waitFor(
        async () => {
          if (earlyExit !== undefined) throw new EngineError('exited');
          const h = await fetch(`${this.endpoints.managementAddress}/actuator/health`, { signal: AbortSignal.timeout(2000) });
          if (!h.ok) return false;
          const topo = await fetch(`${this.endpoints.restAddress}/v2/topology`, { signal: AbortSignal.timeout(2000) });
          if (!topo.ok) return false;
          const t = (await topo.json()) as { brokers?: Array<{ partitions?: Array<{ role: string; health: string }> }> };
          return t.brokers?.some((b) => b.partitions?.some((p) => p.role === 'leader' && p.health === 'healthy'));
        },
        {
          timeoutMs: 180_000,
          intervalMs: 500,
          what: 'Camunda-Engine meldet sich nicht gesund',
          onTick: () => {
            if (earlyExit !== undefined) throw new EngineError('exited');
            step?.update('warte auf Health-Endpunkt');
          },
        },
      );
    } catch (e) {
      step?.fail();
      const tail = this.logTail();
      await this.stop();
      const reason = earlyExit !== undefined ? `Die Engine hat sich beendet (Exit-Code ${earlyExit}).` : (e as Error).message;
      throw new EngineError(`${reason}\n  Protokoll: ${this.logFile}\n${tail}`);
    }
    step?.done(`REST ${this.endpoints.restAddress}, gRPC ${this.endpoints.grpcAddress}`);
    return this.endpoints;
  }

  logTail(lines = 25): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the JVM is gone. */
  async stop(graceMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
