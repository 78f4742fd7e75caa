#!/usr/bin/env node
/*
 * Entry point of the README's commands. Needs nothing but Node.js: it installs what the project
 * needs (npm packages, the Prisma client, the web app build, Java and Maven for the engine when they
 * are missing, and for tests Debian's Chromium), then hands over to the real command (the engine
 * itself is built with Maven on first start, see engine/engine.ts).
 * Usage: node scripts/bootstrap.cjs start|test|bench [args…]
 */
const { spawnSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const [cmd, ...args] = process.argv.slice(2);
const t0 = Date.now();
const say = (m) => console.log(`[setup] ${m} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

function hashOf(paths) {
  const h = crypto.createHash('sha256');
  const visit = (p) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) if (e !== 'node_modules' && e !== 'dist') visit(path.join(p, e));
    } else {
      h.update(path.relative(root, p));
      h.update(fs.readFileSync(p));
    }
  };
  paths.forEach((p) => visit(path.join(root, p)));
  return h.digest('hex');
}

function run(bin, argv, what) {
  say(what);
  const r = spawnSync(bin, argv, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`[setup] Fehlgeschlagen: ${what} (Exit-Code ${r.status}).`);
    process.exit(r.status || 1);
  }
}

function stamp(name, hash) {
  const file = path.join(root, 'node_modules', `.kim-${name}`);
  return { ok: fs.existsSync(file) && fs.readFileSync(file, 'utf8') === hash, write: () => fs.writeFileSync(file, hash) };
}

// 1. npm packages, whenever package.json or the lock file changed since the last install. (npm ci
//    refuses this lock file: npm 11 leaves other platforms' optional packages out of it.)
const lockHash = hashOf(['package.json', 'package-lock.json']);
if (!fs.existsSync(path.join(root, 'node_modules')) || !stamp('install', lockHash).ok) {
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], 'npm-Pakete installieren');
  stamp('install', hashOf(['package.json', 'package-lock.json'])).write();
}
// 2. Prisma client (offline generation)
const schemaHash = hashOf(['prisma/schema.prisma']);
if (!stamp('prisma', schemaHash).ok || !fs.existsSync(path.join(root, 'generated', 'prisma', 'client.ts'))) {
  run(process.execPath, ['scripts/prisma-generate.cjs'], 'Prisma-Client erzeugen');
  stamp('prisma', schemaHash).write();
}
// 3. Web app build
if (fs.existsSync(path.join(root, 'admin-ui', 'vite.config.ts'))) {
  const uiHash = hashOf(['admin-ui', 'package-lock.json']);
  if (!stamp('ui', uiHash).ok || !fs.existsSync(path.join(root, 'admin-ui', 'dist', 'index.html'))) {
    run(process.execPath, [path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js'), 'build', '--config', 'admin-ui/vite.config.ts', '--logLevel', 'warn'], 'Web-App bauen (Vite)');
    stamp('ui', uiHash).write();
  }
}
// 4. Java 17+ and Maven for the local engine (Operaton, built from engine/app), unless an external
//    engine is configured.
const has = (bin, args) => spawnSync(bin, args, { stdio: 'ignore' }).status === 0;
const aptInstall = (pkgs, what) => {
  if (process.getuid && process.getuid() === 0) {
    if (!aptUpdated) run('apt-get', ['update', '-qq'], 'Paketlisten aktualisieren');
    aptUpdated = true;
    run('apt-get', ['install', '-y', '-qq', ...pkgs], what);
  } else {
    console.error(`[setup] ${what}: bitte "sudo apt-get install -y ${pkgs.join(' ')}" ausführen.`);
    process.exit(1);
  }
};
let aptUpdated = false;
if (['start', 'test', 'bench'].includes(cmd) && !process.env.KIM_ENGINE_URL) {
  if (!has('java', ['-version'])) aptInstall(['openjdk-17-jre-headless'], 'Java 17 installieren (Engine)');
  if (!has('mvn', ['-v'])) aptInstall(['maven'], 'Maven installieren (Bau der Engine)');
}
// 5. Chromium for browser tests
if (cmd === 'test' && !process.env.KIM_CHROMIUM && !fs.existsSync('/usr/bin/chromium')) {
  aptInstall(['chromium'], 'Chromium installieren (Browser-Tests)');
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
let child;
if (cmd === 'start') child = spawn(bin('tsx'), ['scripts/start.ts', ...args], { cwd: root, stdio: 'inherit' });
else if (cmd === 'test') {
  // The whole suite type-checks first (a focused run with arguments skips it).
  if (args.length === 0) {
    run(bin('tsc'), ['-p', '.', '--noEmit'], 'Typprüfung Server, Worker, Tests (tsc --noEmit)');
    run(bin('tsc'), ['-p', 'admin-ui', '--noEmit'], 'Typprüfung Web-App (tsc --noEmit)');
    // Known high/critical vulnerabilities of production dependencies fail the run (README "Betrieb").
    run(bin('tsx'), ['scripts/audit.ts'], 'Sicherheitsprüfung der Produktionsabhängigkeiten (npm audit --omit=dev)');
  }
  child = spawn(bin('jest'), [...args], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
}
else if (cmd === 'bench') child = spawn(bin('tsx'), [args[0] || 'bench/stack.bench.ts', ...args.slice(1)], { cwd: root, stdio: 'inherit' });
else if (cmd === 'setup') process.exit(0);
else {
  console.error('Aufruf: node scripts/bootstrap.cjs start|test|bench|setup');
  process.exit(2);
}
// Forward stop signals; exit with the child's code once it has stopped everything it started.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
