import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot: string = fileURLToPath(new URL('../../..', import.meta.url));
export const testsDir: string = fileURLToPath(new URL('..', import.meta.url));

export interface PackageInfo {
  name: string;
  dir: string;
  version: string;
  /** @plinth packages this one depends on at run time. */
  plinthDeps: string[];
}

/** Every publishable package under packages/, read from its package.json. */
export function publishablePackages(): PackageInfo[] {
  const dir = join(repoRoot, 'packages');
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .flatMap((pkgDir) => {
      let pkg: {
        name: string;
        version: string;
        private?: boolean;
        dependencies?: Record<string, string>;
      };
      try {
        pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      } catch {
        return [];
      }
      if (pkg.private) return [];
      return [
        {
          name: pkg.name,
          dir: pkgDir,
          version: pkg.version,
          plinthDeps: Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@plinth/')),
        },
      ];
    });
}

/** Closes the dependency list over @plinth packages. */
export function withPlinthDeps(pkg: PackageInfo, all: PackageInfo[]): PackageInfo[] {
  const byName = new Map(all.map((p) => [p.name, p]));
  const seen = new Map<string, PackageInfo>();
  const visit = (p: PackageInfo) => {
    if (seen.has(p.name)) return;
    seen.set(p.name, p);
    for (const dep of p.plinthDeps) {
      const d = byName.get(dep);
      if (!d) throw new Error(`${p.name} depends on ${dep}, which is not a package here`);
      visit(d);
    }
  };
  visit(pkg);
  return [...seen.values()];
}

/**
 * Packs a package as it would be published (pnpm pack rewrites `workspace:*` and
 * `catalog:` into real versions, as publish does) into `dest`; returns the tarball.
 */
export function packTarball(pkg: PackageInfo, dest: string): string {
  const before = new Set(readdirSync(dest));
  execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: pkg.dir, stdio: 'pipe' });
  const made = readdirSync(dest).filter((f) => !before.has(f));
  if (made.length !== 1) {
    throw new Error(`pnpm pack of ${pkg.name} made ${made.length} files: ${made.join(', ')}`);
  }
  return join(dest, made[0]!);
}
