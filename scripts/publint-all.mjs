#!/usr/bin/env node
// Runs publint --strict and @arethetypeswrong/cli on every publishable package
// (packages/* that are not private). Fails when any of them fails.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => {
    try {
      return !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private;
    } catch {
      return false;
    }
  });

let failed = 0;
for (const dir of dirs) {
  for (const [cmd, args] of [
    ['publint', ['--strict']],
    ['attw', ['--pack', '.', '--format', 'table-flipped']],
  ]) {
    console.log(`\n$ (${dir.slice(root.length)}) ${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { cwd: dir, stdio: 'inherit', shell: false });
    if (r.status !== 0) {
      failed++;
      console.error(`FAILED: ${cmd} in ${dir.slice(root.length)}`);
    }
  }
}
if (failed) {
  console.error(`\n${failed} package check(s) failed`);
  process.exit(1);
}
console.log(`\npublint and attw passed for ${dirs.length} package(s)`);
