/**
 * The KIM element exporter (engine/exporter/, a Maven project): built once per source hash into
 * the cache (~/.cache/kim/exporter/<hash>/kim-element-exporter.jar) and loaded by the local broker.
 * It writes element events and incidents – never variables – into the engine history database.
 */
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Progress } from '../server/util/progress';

const run = promisify(execFile);

export const EXPORTER_ID = 'kim';
export const EXPORTER_CLASS = 'de.kim.exporter.ElementExporter';
export const EXPORTER_DIR = path.join(__dirname, 'exporter');
const JAR_NAME = 'kim-element-exporter.jar';

export class ExporterBuildError extends Error {}

/** What the broker needs to load the exporter. */
export interface ExporterConfig {
  /** Built jar; when absent LocalEngine.start() builds it into the cache. */
  jarPath?: string;
  /** JDBC URL of the engine history database (jdbc:postgresql://host:port/db). */
  jdbcUrl: string;
  user?: string;
  password?: string;
  batchSize?: number;
  flushIntervalMs?: number;
}

/** postgres://user:pass@host:port/db → JDBC URL plus user and password (the driver takes them apart). */
export function jdbcFromUrl(url: string): Pick<ExporterConfig, 'jdbcUrl' | 'user' | 'password'> {
  const u = new URL(url);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new ExporterBuildError(`Keine PostgreSQL-Adresse: ${u.protocol}//…`);
  const db = u.pathname.replace(/^\//, '') || 'postgres';
  const params = new URLSearchParams();
  const ssl = u.searchParams.get('sslmode');
  if (ssl) params.set('sslmode', ssl);
  const query = params.toString();
  return {
    jdbcUrl: `jdbc:postgresql://${u.hostname}:${u.port || '5432'}/${db}${query ? `?${query}` : ''}`,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

/** Hash over pom.xml and every source file: a changed exporter gets a new cache folder. */
export function exporterSourceHash(dir = EXPORTER_DIR): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'target') walk(p);
      } else files.push(p);
    }
  };
  walk(dir);
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(path.relative(dir, f));
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export function exporterJarPath(cacheDir: string, dir = EXPORTER_DIR): string {
  return path.join(cacheDir, 'exporter', exporterSourceHash(dir), JAR_NAME);
}

export function exporterJarCached(cacheDir: string): boolean {
  return fs.existsSync(exporterJarPath(cacheDir));
}

/**
 * Returns the jar, building it with Maven when the cache has none for these sources: offline first
 * (everything is usually in ~/.m2 already), else online from Maven Central.
 */
export async function ensureExporterJar(opts: { cacheDir: string; javaHome: string; progress?: Progress; sourceDir?: string }): Promise<string> {
  const dir = opts.sourceDir ?? EXPORTER_DIR;
  const jar = exporterJarPath(opts.cacheDir, dir);
  if (fs.existsSync(jar)) return jar;
  fs.mkdirSync(path.dirname(jar), { recursive: true });
  const step = opts.progress?.step('KIM-Exporter für die Prozessansicht bauen (einmalig, Maven)');
  const buildDir = fs.mkdtempSync(path.join(path.dirname(jar), '.build-'));
  const mvn = async (offline: boolean) =>
    run('mvn', ['-B', '-q', ...(offline ? ['-o'] : []), '-f', path.join(dir, 'pom.xml'), 'package', `-Dkim.buildDir=${buildDir}`], {
      env: { ...process.env, JAVA_HOME: opts.javaHome },
      maxBuffer: 32 * 1024 * 1024,
    });
  try {
    try {
      await mvn(true);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw e;
      step?.update('nicht alles im lokalen Maven-Repository, lade von Maven Central');
      await mvn(false);
    }
    const built = path.join(buildDir, JAR_NAME);
    if (!fs.existsSync(built)) throw new ExporterBuildError(`Maven hat kein ${JAR_NAME} erzeugt (erwartet in ${buildDir}).`);
    // Copy next to the target, then rename: a parallel start sees either no jar or a whole one.
    const tmp = `${jar}.${process.pid}.tmp`;
    fs.copyFileSync(built, tmp);
    fs.renameSync(tmp, jar);
  } catch (e) {
    step?.fail();
    if (e instanceof ExporterBuildError) throw e;
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') {
      throw new ExporterBuildError('Maven ("mvn") ist nicht installiert; der KIM-Exporter kann nicht gebaut werden. Abhilfe: "apt-get install maven".');
    }
    const out = `${err.stdout ?? ''}${err.stderr ?? ''}`.replace(/^WARNING: .*\n/gm, '');
    if (/UnknownHost|Could not transfer|Connection refused|timed out|Network is unreachable/i.test(out)) {
      throw new ExporterBuildError(`Maven Central ist nicht erreichbar; der KIM-Exporter kann nicht gebaut werden.\n  Abhilfe: Netzwerk/Proxy für Maven prüfen.\n${out.slice(-800)}`);
    }
    throw new ExporterBuildError(`Bau des KIM-Exporters (${dir}) mit Maven fehlgeschlagen:\n${out.slice(-1500)}`);
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
  step?.done(path.relative(opts.cacheDir, jar));
  return jar;
}

/** The exporters block of application.yaml (indented for zeebe.broker). */
export function exporterYaml(cfg: ExporterConfig & { jarPath: string }): string[] {
  const q = (s: string) => JSON.stringify(s);
  return [
    '    exporters:',
    `      ${EXPORTER_ID}:`,
    `        className: ${EXPORTER_CLASS}`,
    `        jarPath: ${q(cfg.jarPath)}`,
    '        args:',
    `          url: ${q(cfg.jdbcUrl)}`,
    ...(cfg.user !== undefined ? [`          user: ${q(cfg.user)}`] : []),
    ...(cfg.password !== undefined ? [`          password: ${q(cfg.password)}`] : []),
    `          batchSize: ${cfg.batchSize ?? 100}`,
    `          flushIntervalMs: ${cfg.flushIntervalMs ?? 250}`,
  ];
}
