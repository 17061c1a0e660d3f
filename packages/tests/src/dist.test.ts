// Imports the built dist/ of every package through its package name, as ESM and as
// CJS, in a fresh Node process: what a user of the published package gets, not
// what vitest's transform of src/ gives (h3 learned this the hard way).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishablePackages, testsDir } from './packages';
import { cjsProgram, esmProgram, subpaths } from './smoke';

const packages = publishablePackages();
const declared = Object.keys(
  JSON.parse(readFileSync(join(testsDir, 'package.json'), 'utf8')).dependencies ?? {},
);

function runNode(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: testsDir, encoding: 'utf8', timeout: 30_000 });
}

describe('built packages', () => {
  it('covers every publishable package', () => {
    expect(packages.length).toBeGreaterThanOrEqual(6);
    expect(declared.sort()).toEqual(packages.map((p) => p.name).sort());
  });

  for (const name of packages.flatMap((p) => [p.name, ...(subpaths[p.name] ?? [])])) {
    it(`${name} loads and works as ESM`, () => {
      expect(runNode(['--input-type=module', '-e', esmProgram(name)])).toContain(`ok ${name} esm`);
    });
    it(`${name} loads and works as CJS`, () => {
      expect(runNode(['--input-type=commonjs', '-e', cjsProgram(name)])).toContain(
        `ok ${name} cjs`,
      );
    });
  }
});
