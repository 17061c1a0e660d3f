#!/usr/bin/env node
// Runs a root script with the pinned pnpm, on a machine that has only Node and npm.
// pnpm is not preinstalled there and corepack's signature check fails on Node 20,
// so the pinned version (package.json "packageManager") is installed with npm into
// .cache/pnpm once, then put first on PATH for everything run below (turbo calls
// `pnpm` itself).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const task = process.argv[2];
if (!task) {
  console.error('usage: node scripts/bootstrap.mjs <root script>');
  process.exit(2);
}
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = /^pnpm@(\d+\.\d+\.\d+)$/.exec(packageManager)?.[1];
if (!version) throw new Error(`package.json packageManager must pin pnpm, got ${packageManager}`);

const prefix = join(root, '.cache', 'pnpm', version);
const bin = join(prefix, 'node_modules', '.bin');
const pnpm = join(bin, process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm');
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(pnpm)) {
  console.log(
    `bootstrap: installing pnpm@${version} with npm into ${join('.cache', 'pnpm', version)}`,
  );
  run('npm', [
    'install',
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--prefix',
    prefix,
    `pnpm@${version}`,
  ]);
}
run(pnpm, ['install', '--frozen-lockfile', '--config.confirmModulesPurge=false']);
run(pnpm, ['run', task]);
