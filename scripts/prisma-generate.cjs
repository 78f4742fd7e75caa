#!/usr/bin/env node
// Generates the Prisma client offline. Prisma 7's CLI insists on locating its native schema engine
// (downloaded from a host these machines cannot reach) even though `generate` does not use it;
// pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file satisfies that check.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [require.resolve('prisma/build/index.js', { paths: [root] }), 'generate'], {
  cwd: root,
  stdio: process.env.KIM_QUIET ? 'ignore' : 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || __filename, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
