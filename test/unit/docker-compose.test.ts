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
  expect(Object.keys(services).sort()).toEqual(['app', 'camunda', 'postgres']);
});

test('images are pinned to exact versions: PostgreSQL 15, Camunda 8.9; the app is built from the Dockerfile', () => {
  expect(services.postgres.image).toMatch(/^postgres:15\.\d+$/);
  expect(services.camunda.image).toMatch(/^camunda\/camunda:8\.9\.\d+$/);
  for (const s of Object.values(services)) if (s.image) expect(s.image).not.toMatch(/:latest$|^[^:]+$/);
  expect(services.app.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^FROM node:20(\.\d+)*-\w+$/m);
  expect(dockerfile).toMatch(/^RUN npm install/m);
  expect(dockerfile).toContain('CMD ["node", "scripts/bootstrap.cjs", "start"]');
});

describe('the app environment', () => {
  const env = envOf('app');
  const cfg = loadConfig(env);

  test('every variable is one server/config.ts knows, and the whole set validates', () => {
    // zod drops keys the schema does not know: each given variable must survive parsing.
    const unknown = Object.keys(env).filter((k) => !(k in cfg));
    expect(unknown).toEqual([]);
    expect(cfg).toMatchObject({ HOST: '0.0.0.0', PORT: 3000, CAMUNDA_AUTH_STRATEGY: 'NONE', NODE_ENV: 'production', KIM_DEMO_PASSWORD: 'kim-demo' });
  });

  test('a wrong value would be refused (the check can fail)', () => {
    expect(() => loadConfig({ ...env, PORT: 'drei' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...env, CAMUNDA_AUTH_STRATEGY: 'KEYCLOAK' })).toThrow(/CAMUNDA_AUTH_STRATEGY/);
  });

  test('DATABASE_URL points at the postgres service, database kim, with its user and password', () => {
    const u = new URL(cfg.DATABASE_URL!);
    const pg = envOf('postgres');
    expect(u.protocol).toBe('postgresql:');
    expect(u.hostname).toBe('postgres');
    expect(u.port).toBe('5432');
    expect(u.pathname).toBe('/kim');
    expect(decodeURIComponent(u.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(u.password)).toBe(pg.POSTGRES_PASSWORD);
  });

  test('the engine addresses point at the camunda service and ports it has', () => {
    const grpc = new URL(cfg.ZEEBE_GRPC_ADDRESS!);
    const rest = new URL(cfg.ZEEBE_REST_ADDRESS!);
    expect(grpc.protocol).toBe('grpc:');
    expect(grpc.hostname).toBe('camunda');
    expect(rest.hostname).toBe('camunda');
    expect(containerPorts('camunda')).toEqual(expect.arrayContaining([Number(grpc.port), Number(rest.port), 9600]));
    expect([Number(grpc.port), Number(rest.port)]).toEqual([26500, 8080]);
  });

  test('the app publishes the port it listens on', () => {
    expect(containerPorts('app')).toContain(cfg.PORT);
  });
});

test('Camunda keeps its secondary storage in the postgres service (database camunda) and runs unprotected', () => {
  const c = envOf('camunda');
  const pg = envOf('postgres');
  expect(c.CAMUNDA_DATA_SECONDARYSTORAGE_TYPE).toBe('rdbms');
  expect(c.CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_URL).toBe('jdbc:postgresql://postgres:5432/camunda');
  expect(c.CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_USERNAME).toBe(pg.POSTGRES_USER);
  expect(c.CAMUNDA_DATA_SECONDARYSTORAGE_RDBMS_PASSWORD).toBe(pg.POSTGRES_PASSWORD);
  // The database Camunda needs exists before it starts (the app creates "kim" itself).
  expect(pg.POSTGRES_DB).toBe('camunda');
  expect(c.CAMUNDA_SECURITY_AUTHENTICATION_UNPROTECTEDAPI).toBe('true');
  expect(c.CAMUNDA_SECURITY_AUTHORIZATIONS_ENABLED).toBe('false');
});

test('health checks: pg_isready, the engine actuator, the app health endpoint', () => {
  expect(healthTest('postgres')).toMatch(/pg_isready -U kim/);
  expect(healthTest('camunda')).toMatch(/127\.0\.0\.1\/9600/);
  expect(healthTest('camunda')).toContain('GET /actuator/health');
  expect(healthTest('app')).toContain(`http://127.0.0.1:${loadConfig(envOf('app')).PORT}/api/health`);
});

test('start order waits for health: camunda after postgres, the app after both', () => {
  expect(services.camunda.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  expect(services.app.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, camunda: { condition: 'service_healthy' } });
});

test('the image context leaves out what is built or installed inside', () => {
  const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', 'generated', 'admin-ui/dist', '.git']));
});
