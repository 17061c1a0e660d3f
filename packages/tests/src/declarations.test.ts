// The published declarations, met the way users meet them: the packed tarballs are
// installed into throwaway npm projects and `tsc --noEmit` checks an ES module
// application, a CommonJS one, and plugins compiled against the other module format
// or against a second copy of @plinth/writeable-body (another version, installed
// under an npm alias). A plugin's body must be a `WriteableBody` and its contexts
// `HttpContext`s for every consumer, whichever `.d.mts`/`.d.cts` and whichever
// copy each side resolved (issue 15, points 5 and 6).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTarball, publishablePackages, withPlinthDeps } from './packages';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
/** Where @types/node is, so that the throwaway projects need no registry for it. */
const typeRoots = dirname(dirname(require.resolve('@types/node/package.json')));

const CONTRACT = '@plinth/writeable-body';
/** The npm alias the second copy is installed under. */
const COPY = 'writeable-body-copy';

let work: string;
let copyVersion: string;
const projects = { esm: '', cjs: '' };

/** The same patch-level bump a compatible release would have. */
function nextPatch(version: string): string {
  const [major, minor, patch] = version.split(/[.-]/, 3).map(Number);
  return `${major}.${minor}.${(patch ?? 0) + 1}`;
}

/**
 * A plugin, written once and compiled against `from`: a body built with
 * `writeableBody`, a class implementing `WriteableBody` by hand, and interceptors
 * that stream through the context's responder.
 */
function pluginSource(from: string): string {
  return `import {
  type BodySink,
  endResponse,
  type HttpContext,
  WRITEABLE_BODY,
  type WriteableBody,
  writeableBody,
  writeResponse,
} from '${from}';

export function made(): WriteableBody {
  return writeableBody({ contentType: 'text/plain', write: (sink) => { sink.write('made'); } });
}

export class HandWritten implements WriteableBody {
  readonly [WRITEABLE_BODY] = true as const;
  defaultContentType(): string { return 'text/csv'; }
  contentLength(): undefined { return undefined; }
  writeBody(sink: BodySink): void { sink.write('a,b\\r\\n'); }
}

export function contentTypeOf(body: WriteableBody): string | undefined {
  return body.defaultContentType();
}

export function respond<C extends HttpContext>(ctx: C): C {
  return { ...ctx, response: { status: 200, body: made() } };
}

export const stream = {
  name: 'plugin-stream',
  async enter<C extends HttpContext>(ctx: C): Promise<C> {
    await writeResponse(ctx, { status: 200, body: new HandWritten() });
    return endResponse(ctx);
  },
};
`;
}

/** The application, which imports the contract and the adapter by their own names. */
function appSource(plugin: string): string {
  return `import type { Interceptor } from '@plinth/interceptor';
import { createServer } from '@plinth/node';
import {
  type HttpContext,
  isWriteableBody,
  type WriteableBody,
  writeableBody,
  writeResponse,
} from '@plinth/writeable-body';
import * as plugin from '${plugin}';

// The plugin's bodies are bodies here, and the application's are bodies there.
const made: WriteableBody = plugin.made();
const handWritten: WriteableBody = new plugin.HandWritten();
const mine = writeableBody({ write: (sink) => { sink.write('mine'); } });
export const types = [plugin.contentTypeOf(mine), plugin.contentTypeOf(made), handWritten.contentLength()];
export function narrowed(value: unknown): WriteableBody | undefined {
  return isWriteableBody(value) ? value : undefined;
}

// Contexts go both ways: the plugin's interceptors serve the application's
// contexts, and the application's functions take the plugin's.
const streamed: Interceptor<HttpContext> = plugin.stream;
const responded: Interceptor<HttpContext> = { name: 'respond', enter: (ctx) => plugin.respond(ctx) };
export async function reply(ctx: HttpContext): Promise<HttpContext> {
  return writeResponse(plugin.respond(ctx), { status: 204 });
}
export const server = createServer([streamed, responded]);

// @ts-expect-error a body needs the brand: proof that tsc checks these declarations
export const unbranded: WriteableBody = { defaultContentType: () => undefined, contentLength: () => undefined, writeBody: () => {} };
`;
}

function npmInstall(dir: string, specs: string[]): void {
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs],
    { cwd: dir, stdio: 'pipe', timeout: 240_000 },
  );
}

/** Runs the workspace's tsc on `files` with Node's own module rules (nodenext). */
function typecheck(
  dir: string,
  name: string,
  files: string[],
): { status: number | null; output: string } {
  const config = `tsconfig.${name}.json`;
  writeFileSync(
    join(dir, config),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        typeRoots: [typeRoots],
        types: ['node'],
      },
      files,
    }),
  );
  const run = spawnSync(process.execPath, [tsc, '-p', config], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'plinth-declarations-'));
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  const all = publishablePackages();
  const node = all.find((p) => p.name === '@plinth/node');
  if (!node) throw new Error('@plinth/node is not a package here');
  const tarballs = withPlinthDeps(node, all).map((p) => packTarball(p, dest));

  // The second copy: the contract's tarball with the next patch version, so that
  // TypeScript cannot take it for the same package (it merges copies whose name and
  // version are equal) and npm installs it beside the first.
  const contract = all.find((p) => p.name === CONTRACT);
  if (!contract) throw new Error(`${CONTRACT} is not a package here`);
  const unpacked = join(work, 'copy');
  mkdirSync(unpacked);
  execFileSync('tar', ['xzf', packTarball(contract, unpacked), '-C', unpacked]);
  const manifestPath = join(unpacked, 'package', 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  copyVersion = nextPatch(manifest.version);
  manifest.version = copyVersion;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  const copyDest = join(work, 'copy-tarball');
  mkdirSync(copyDest);
  execFileSync('npm', ['pack', '--loglevel=error', '--pack-destination', copyDest], {
    cwd: join(unpacked, 'package'),
    stdio: 'pipe',
  });
  const copyTarball = join(copyDest, `plinth-writeable-body-${copyVersion}.tgz`);

  for (const type of ['module', 'commonjs'] as const) {
    const dir = join(work, type);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `${type}-app`, private: true, type }),
    );
    npmInstall(dir, [...tarballs, `${COPY}@file:${copyTarball}`]);
    projects[type === 'module' ? 'esm' : 'cjs'] = dir;
  }
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the declarations of @plinth/writeable-body across module formats and copies', () => {
  it('installs a second copy of the contract under another version', () => {
    for (const dir of Object.values(projects)) {
      const version = (name: string) =>
        JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
      expect(version(CONTRACT)).not.toBe(copyVersion);
      expect(version(COPY)).toBe(copyVersion);
    }
  });

  it('an ES module application accepts a CommonJS plugin (.d.cts against .d.mts)', () => {
    const dir = projects.esm;
    writeFileSync(join(dir, 'src', 'cjs-plugin.cts'), pluginSource(CONTRACT));
    writeFileSync(join(dir, 'src', 'app-cjs-plugin.ts'), appSource('./cjs-plugin.cjs'));
    expect(typecheck(dir, 'cjs-plugin', ['src/app-cjs-plugin.ts'])).toEqual({
      status: 0,
      output: '',
    });
  });

  it('a CommonJS application accepts an ES module plugin (.d.mts against .d.cts)', () => {
    const dir = projects.cjs;
    writeFileSync(join(dir, 'src', 'esm-plugin.mts'), pluginSource(CONTRACT));
    writeFileSync(join(dir, 'src', 'app-esm-plugin.ts'), appSource('./esm-plugin.mjs'));
    expect(typecheck(dir, 'esm-plugin', ['src/app-esm-plugin.ts'])).toEqual({
      status: 0,
      output: '',
    });
  });

  it('an ES module application accepts a plugin compiled against another copy', () => {
    const dir = projects.esm;
    writeFileSync(join(dir, 'src', 'copy-plugin.ts'), pluginSource(COPY));
    writeFileSync(join(dir, 'src', 'app-copy-plugin.ts'), appSource('./copy-plugin.js'));
    expect(typecheck(dir, 'copy-plugin', ['src/app-copy-plugin.ts'])).toEqual({
      status: 0,
      output: '',
    });
  });

  it('a CommonJS application accepts a plugin compiled against another copy', () => {
    const dir = projects.cjs;
    writeFileSync(join(dir, 'src', 'copy-plugin.ts'), pluginSource(COPY));
    writeFileSync(join(dir, 'src', 'app-copy-plugin.ts'), appSource('./copy-plugin.js'));
    expect(typecheck(dir, 'copy-plugin', ['src/app-copy-plugin.ts'])).toEqual({
      status: 0,
      output: '',
    });
  });
});
