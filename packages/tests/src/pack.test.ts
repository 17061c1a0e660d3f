// Selective installs: each package is packed as it would be published, installed
// alone (with the tarballs of the @plinth packages it depends on) into an empty npm
// project, and used by a tiny script. A dependency missing from package.json, or a
// file missing from "files", fails here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackageInfo, packTarball, publishablePackages, withPlinthDeps } from './packages';
import { cjsProgram, esmProgram, subpaths } from './smoke';

const packages = publishablePackages();
let work: string;
const tarballs = new Map<string, string>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'plinth-pack-'));
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  for (const pkg of packages) tarballs.set(pkg.name, packTarball(pkg, dest));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function install(pkg: PackageInfo): string {
  const dir = join(work, pkg.name.replace('/', '__'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const files = withPlinthDeps(pkg, packages).map((p) => tarballs.get(p.name)!);
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files],
    { cwd: dir, stdio: 'pipe', timeout: 240_000 },
  );
  return dir;
}

describe('selective install from packed tarballs', () => {
  for (const pkg of packages) {
    it(`${pkg.name} installs alone and works (ESM and CJS)`, () => {
      const dir = install(pkg);
      const installed = readdirSync(join(dir, 'node_modules', '@plinth')).sort();
      // Only the package and the @plinth packages it depends on, nothing else of ours.
      expect(installed).toEqual(
        withPlinthDeps(pkg, packages)
          .map((p) => p.name.slice('@plinth/'.length))
          .sort(),
      );
      const run = (args: string[]) =>
        execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      expect(run(['--input-type=module', '-e', esmProgram(pkg.name)])).toContain('esm');
      expect(run(['--input-type=commonjs', '-e', cjsProgram(pkg.name)])).toContain('cjs');
      for (const subpath of subpaths[pkg.name] ?? []) {
        expect(run(['--input-type=module', '-e', esmProgram(subpath)])).toContain('esm');
        expect(run(['--input-type=commonjs', '-e', cjsProgram(subpath)])).toContain('cjs');
      }
    });
  }
});
