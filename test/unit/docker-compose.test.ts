/**
 * docker-compose.yml agrees with the app's configuration (server/config.ts): variable names the
 * schema knows, engine and database addresses that point at the compose services and their ports,
 * pinned images, health checks and start order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, ROOT } from '../../server/config';

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  environment?: Env | string[];
  ports?: Array<string | number | { target: number; published?: number | string }>;
  healthcheck?: { test?: string | string[] };
  depends_on?: Record<string, { condition?: string }> | string[];
}

const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

/** Compose interpolation as `docker compose` does it when the variables are unset: ${X:-default} → default. */
function interpolate(v: string): string {
  return v.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, _name: string, def?: string) => def ?? '');
}

function envOf(name: string): Env {
  const e = services[name].environment ?? {};
  const pairs = Array.isArray(e) ? e.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]) : Object.entries(e);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(String(v))]));
}

/** Container-side ports of a service. */
function containerPorts(name: string): number[] {
  return (services[name].ports ?? []).map((p) => (typeof p === 'object' ? p.target : Number(String(p).split(':').pop())));
}

const healthTest = (name: string) => {
  const t = services[name].healthcheck?.test;
  return Array.isArray(t) ? t.join(' ') : (t ?? '');
};

test('the three services exist', () => {
  expect(Object.keys(services).sort()).toEqual(['app', 'engine', 'postgres']);
});

test('images are pinned: PostgreSQL 15; engine and app are built from their Dockerfiles (no vendor engine image)', () => {
  expect(services.postgres.image).toMatch(/^postgres:15\.\d+$/);
  for (const s of Object.values(services)) if (s.image) expect(s.image).not.toMatch(/:latest$|^[^:]+$|^camunda\//i);
  expect(services.app.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
  expect(services.engine.build).toMatchObject({ context: './engine', dockerfile: 'Dockerfile' });
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^FROM node:20(\.\d+)*-\w+$/m);
  expect(dockerfile).toContain('CMD ["node", "scripts/bootstrap.cjs", "start"]');
  const engineDockerfile = fs.readFileSync(path.join(ROOT, 'engine', 'Dockerfile'), 'utf8');
  expect(engineDockerfile).toMatch(/^FROM maven:[\d.]+-eclipse-temurin-17 AS build$/m);
  expect(engineDockerfile).toMatch(/^FROM eclipse-temurin:17[\w.]*-jre$/m);
  expect(engineDockerfile).toContain('COPY app/pom.xml');
});

describe('the app environment', () => {
  const env = envOf('app');
  const cfg = loadConfig(env);

  test('every variable is one server/config.ts knows, and the whole set validates', () => {
    // zod drops keys the schema does not know: each given variable must survive parsing.
    const unknown = Object.keys(env).filter((k) => !(k in cfg));
    expect(unknown).toEqual([]);
    expect(cfg).toMatchObject({ HOST: '0.0.0.0', PORT: 3000, NODE_ENV: 'production', KIM_DEMO_PASSWORD: 'kim-demo' });
  });

  test('a wrong value would be refused (the check can fail)', () => {
    expect(() => loadConfig({ ...env, PORT: 'drei' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...env, KIM_ENGINE_URL: 'kein url' })).toThrow(/KIM_ENGINE_URL/);
  });

  test('DATABASE_URL points at the postgres service, database kim, with its user and password', () => {
    const u = new URL(cfg.DATABASE_URL!);
    const pg = envOf('postgres');
    expect(u.protocol).toBe('postgresql:');
    expect(u.hostname).toBe('postgres');
    expect(u.port).toBe('5432');
    expect(u.pathname).toBe('/kim');
    expect(pg.POSTGRES_DB).toBe('kim');
    expect(decodeURIComponent(u.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(u.password)).toBe(pg.POSTGRES_PASSWORD);
  });

  test('the engine URL points at the engine service and its port, with the credentials the engine demands', () => {
    const u = new URL(cfg.KIM_ENGINE_URL!);
    const e = envOf('engine');
    expect(u.hostname).toBe('engine');
    expect(u.port).toBe(e.SERVER_PORT);
    expect(u.pathname).toBe('/engine-rest');
    expect(cfg.KIM_ENGINE_USERNAME).toBe(e.KIM_AUTH_USERNAME);
    expect(cfg.KIM_ENGINE_PASSWORD).toBe(e.KIM_AUTH_PASSWORD);
    expect(e.KIM_AUTH_PASSWORD.length).toBeGreaterThan(0);
  });

  test('the app publishes the port it listens on; the engine publishes none', () => {
    expect(containerPorts('app')).toContain(cfg.PORT);
    expect(containerPorts('engine')).toEqual([]);
  });
});

test('the engine keeps its data in schema "engine" of the app database, with the postgres service user', () => {
  const e = envOf('engine');
  const pg = envOf('postgres');
  expect(e.SPRING_DATASOURCE_URL).toBe('jdbc:postgresql://postgres:5432/kim?currentSchema=engine');
  expect(e.SPRING_DATASOURCE_USERNAME).toBe(pg.POSTGRES_USER);
  expect(e.SPRING_DATASOURCE_PASSWORD).toBe(pg.POSTGRES_PASSWORD);
  const init = fs.readFileSync(path.join(ROOT, 'engine', 'docker', 'init-engine-schema.sql'), 'utf8');
  expect(init).toMatch(/CREATE SCHEMA IF NOT EXISTS engine/);
});

test('health checks: pg_isready, the engine REST API (guarded: 401), the app health endpoint', () => {
  expect(healthTest('postgres')).toMatch(/pg_isready -U kim/);
  expect(healthTest('engine')).toMatch(/127\.0\.0\.1\/8090/);
  expect(healthTest('engine')).toContain('GET /engine-rest/engine');
  expect(healthTest('engine')).toContain('401');
  expect(healthTest('app')).toContain(`http://127.0.0.1:${loadConfig(envOf('app')).PORT}/api/health`);
});

test('start order waits for health: engine after postgres, the app after both', () => {
  expect(services.engine.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  expect(services.app.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, engine: { condition: 'service_healthy' } });
});

test('the image context leaves out what is built or installed inside', () => {
  const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', 'generated', 'admin-ui/dist', '.git']));
});
