// A worker target has no Node built-ins: bundling @plinth/fetch (and everything it
// pulls in) for one must meet no `node:` import (issue 20). Bundled from the built
// dist, as a user's bundler would.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const BUILTINS = new Set(builtinModules);

/** Bundles `entry` for a worker; returns the Node built-ins it imports, and the code. */
async function bundle(
  contents: string,
  platform: 'neutral' | 'browser',
): Promise<{ builtins: string[]; code: string }> {
  const seen: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        if (args.path.startsWith('node:') || BUILTINS.has(bare)) {
          seen.push(args.path);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    // What workerd and other worker bundlers resolve with.
    conditions: ['workerd', 'worker', 'browser', 'import'],
    mainFields: ['module', 'main'],
    plugins: [recordBuiltins],
    logLevel: 'silent',
  });
  return { builtins: seen, code: result.outputFiles[0]!.text };
}

describe('a bundle for a worker target', () => {
  for (const platform of ['neutral', 'browser'] as const) {
    it(`of @plinth/fetch with the router and SSE has no node: import (platform ${platform})`, async () => {
      const { builtins, code } = await bundle(
        `import { fetchApp } from '../dist/index.mjs';
         import { router } from '@plinth/router';
         import { eventStream } from '@plinth/sse';
         import { ndjson } from '@plinth/body-writer/portable';
         export default fetchApp([router([['/', 'GET', () => ({ status: 200, body: ndjson([1]) })]]), eventStream(() => {})]);`,
        platform,
      );
      expect(builtins).toEqual([]);
      expect(code).not.toMatch(/["']node:/);
      expect(code).toContain('plinth.ring-response');
    });
  }

  it('would see one: body-writer main entry, whose file() needs node:fs', async () => {
    const { builtins } = await bundle(
      `export { file } from '@plinth/body-writer'; export { fetchApp } from '../dist/index.mjs';`,
      'neutral',
    );
    expect(builtins).toContain('node:fs/promises');
  });
});

// The bundle must also run where Node's globals are missing, not only import nothing
// from `node:`. Node's own Fetch classes need them, so they cannot be deleted from
// the process: the bundle's module scope hides them instead (its \`globalThis\` too),
// and a child process reads an event stream (with a heartbeat) and a sequence.
const HIDE_NODE_GLOBALS = `
const NODE_ONLY = new Set(['Buffer', 'process', 'setImmediate', 'clearImmediate', 'global']);
const globalThis = new Proxy(Function('return this')(), {
  get: (target, key) => (NODE_ONLY.has(key) ? undefined : Reflect.get(target, key)),
  has: (target, key) => !NODE_ONLY.has(key) && Reflect.has(target, key),
});
const Buffer = undefined, process = undefined, setImmediate = undefined,
  clearImmediate = undefined, global = undefined;
`;
const SEEN_GLOBALS = `
export const seen = [typeof Buffer, typeof process, typeof setImmediate, typeof globalThis.process, typeof globalThis.Buffer];
`;
const RUN = `
const { default: app, seen } = await import(BUNDLE);
// The runtime's own request keeps a worker alive; here a timer does (heartbeats are unref'd).
const alive = setInterval(() => {}, 1000);
const text = async (path, bytes) => {
  const response = await app.fetch(new Request('http://worker.test' + path));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let out = '';
  while (out.length < bytes) {
    const { done, value } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return { status: response.status, type: response.headers.get('content-type'), out };
};
console.log(JSON.stringify({ seen, events: await text('/events', 38), range: await text('/range', 1e9) }));
clearInterval(alive);
`;

describe('a bundle for a worker target, run without Node globals', () => {
  it('streams events (heartbeats included) and a sequence', async () => {
    const { code } = await bundle(
      `import { fetchApp } from '../dist/index.mjs';
       import { router } from '@plinth/router';
       import { eventStream } from '@plinth/sse';
       function* range() { for (let i = 0; i < 5; i++) yield i; }
       const events = eventStream((channel) => {
         channel.send({ id: '1', data: 'one' });
         channel.send({ id: '2', data: 'two' });
       }, { heartbeatMs: 20 });
       export default fetchApp([router([
         ['/events', 'GET', events, { name: 'events' }],
         ['/range', 'GET', () => ({ status: 200, body: range() }), { name: 'range' }],
       ])]);`,
      'browser',
    );
    const dir = await mkdtemp(join(tmpdir(), 'plinth-worker-'));
    try {
      const file = join(dir, 'worker.mjs');
      await writeFile(file, HIDE_NODE_GLOBALS + code + SEEN_GLOBALS);
      const script = `const BUNDLE = ${JSON.stringify(pathToFileURL(file).href)};${RUN}`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', script],
        { timeout: 20_000 },
      ).catch((error: { stderr?: string }) => {
        throw new Error(`the worker bundle failed: ${error.stderr ?? String(error)}`);
      });
      const result = JSON.parse(stdout) as {
        seen: string[];
        events: { status: number; type: string; out: string };
        range: { status: number; type: string; out: string };
      };
      expect(result.seen).toEqual([
        'undefined',
        'undefined',
        'undefined',
        'undefined',
        'undefined',
      ]);
      expect(result.events.status).toBe(200);
      expect(result.events.type).toMatch(/^text\/event-stream/);
      expect(result.events.out).toContain('id: 1\ndata: one\n\n');
      expect(result.events.out).toContain('id: 2\ndata: two\n\n');
      // Read until 38 characters: the two events are 34, so heartbeats came too.
      expect(result.events.out).toMatch(/\n\n:\n/);
      expect(result.range).toMatchObject({ status: 200, out: '[0,1,2,3,4]' });
      expect(result.range.type).toMatch(/^application\/json/);
    } finally {
      if (!process.env.KEEP) await rm(dir, { recursive: true, force: true });
    }
  });
});
