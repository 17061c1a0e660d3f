// Regression: a response refused before its headers (a CR/LF in a header value, a
// status out of range), or dropped because an interceptor's leave threw, still lets
// go of its body: a Node stream is destroyed (an fs.ReadStream closes its
// descriptor), a Web stream is cancelled, a prepared body is released. For every
// body the adapter calls exactly one of writeBody or release.
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { file } from '@plinth/body-writer';
import { WRITEABLE_BODY, writeResponse } from '@plinth/writeable-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { openFds, PROTOCOLS, rawGet, serve, waitFor } from './helpers';

const FIXTURE = fileURLToPath(new URL('./fixtures/hello.txt', import.meta.url));

interface Tracked {
  released: number;
  written: number;
}

/** Bodies made by the app, by request path, with what happened to them. */
const made = new Map<string, Tracked>();

function bodyOf(kind: string, path: string): unknown {
  const tracked: Tracked = { released: 0, written: 0 };
  made.set(path, tracked);
  if (kind === 'fs') {
    const stream = createReadStream(FIXTURE);
    stream.once('close', () => tracked.released++);
    return stream;
  }
  if (kind === 'web') {
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(16));
      },
      cancel() {
        tracked.released++;
      },
    });
  }
  if (kind === 'prepared') {
    return {
      [WRITEABLE_BODY]: true,
      defaultContentType: () => 'text/plain',
      contentLength: () => undefined,
      prepare: () => Promise.resolve(),
      release: () => {
        tracked.released++;
      },
      writeBody: () => {
        tracked.written++;
      },
    };
  }
  if (kind === 'file') return file(FIXTURE);
  throw new Error(`unknown kind ${kind}`);
}

// GET /<how>/<kind>/<n>
const app = {
  name: 'app',
  async enter(ctx: any) {
    const path: string = ctx.request.path;
    const [, how, kind] = path.split('/') as [string, string, string];
    const body = bodyOf(kind, path);
    if (how === 'low-level') {
      // writeResponse refuses the header; the app then answers nothing more.
      try {
        await writeResponse(ctx, { status: 200, headers: { 'x-a': 'v\r\nx-b: 1' }, body });
      } catch (error) {
        return { ...ctx, response: { status: 400, body: (error as Error).message } };
      }
      return ctx;
    }
    return {
      ...ctx,
      response: {
        status: how === 'bad-status' ? 1000 : 200,
        headers: how === 'bad-header' ? { 'x-injected': 'a\r\nset-cookie: evil=1' } : {},
        body,
      },
    };
  },
};

// Its leave throws after the app set a response: ring-response never sees it.
const failingLeave = {
  name: 'failing-leave',
  leave(ctx: any) {
    if (ctx.request.path.startsWith('/leave-throws/')) throw new Error('leave failed');
    return ctx;
  },
};

describe.each(PROTOCOLS)('bodies of refused responses are let go, over $name', ({ http2 }) => {
  let server: PlinthServer;
  let url: string;
  let n = 0;
  beforeAll(async () => {
    ({ server, url } = await serve([failingLeave, app], { http2 }));
  });
  afterAll(() => server.stop());

  const cases = [
    ['bad-header', 500],
    ['bad-status', 500],
    ['leave-throws', 500],
    ['low-level', 400],
  ] as const;
  const kinds = ['fs', 'web', 'prepared'] as const;

  for (const [how, status] of cases) {
    it.each(kinds)(`${how}: a %s body is released once and never written`, async (kind) => {
      const path = `/${how}/${kind}/${n++}`;
      const r = await rawGet(url + path, http2);
      expect(r.status).toBe(status);
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.headers['x-injected']).toBeUndefined();
      const tracked = made.get(path)!;
      await waitFor(() => tracked.released > 0, `the ${kind} body to be released`, 2000);
      expect(tracked).toEqual({ released: 1, written: 0 });
    });
  }

  it('an fs.ReadStream of a refused response closes its descriptor', async () => {
    const before = openFds();
    for (const how of ['bad-header', 'bad-status']) {
      const r = await rawGet(`${url}/${how}/fs/${n++}`, http2);
      expect(r.status).toBe(500);
    }
    await waitFor(() => openFds() <= before, 'the descriptors to be closed', 2000);
    expect(openFds()).toBeLessThanOrEqual(before);
  });

  it('a file() body prepared for a refused response closes its descriptor', async () => {
    const before = openFds();
    const r = await rawGet(`${url}/bad-header/file/${n++}`, http2);
    expect(r.status).toBe(500);
    await waitFor(() => openFds() <= before, 'the descriptor to be closed', 2000);
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});
