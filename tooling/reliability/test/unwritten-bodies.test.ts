// Bodies that are made but never written: HEAD, 204, 304, a response rejected before
// its headers (a CR/LF in a header value), and an answer made after the client left.
// Whatever holds a resource from its creation must be let go: a file() body's
// descriptor (it opens in prepare()), a Node stream (destroy), a Web stream (cancel).
//
// This file found that stream bodies were leaked in all of these cases; @plinth/node
// fixed HEAD, 204, 304 and the client-gone case (5781243), then a response that the
// adapter refuses before its headers (a CR/LF in a header value, a status out of
// range): it answers 500 and now destroys or cancels its stream body too, so a
// `fs.createReadStream()` closes its descriptor and a proxied `fetch()` body is
// cancelled.
import { createReadStream } from 'node:fs';
import { file } from '@plinth/body-writer';
import { interceptor } from '@plinth/interceptor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h1Trial, rawRequest } from './support/clients';
import { openFds, waitFor } from './support/env';
import { errorLines, type Served, serve } from './support/server';
import { BIG_FILE } from './support/trial-app';

interface Made {
  kind: string;
  how: string;
  released: boolean;
  destroy(): void;
}
const made: Made[] = [];

function bodyOf(kind: string, how: string): unknown {
  if (kind === 'file') {
    made.push({ kind, how, released: false, destroy: () => {} });
    return file(BIG_FILE);
  }
  if (kind === 'fs-stream') {
    const stream = createReadStream(BIG_FILE);
    const entry: Made = { kind, how, released: false, destroy: () => stream.destroy() };
    stream.once('close', () => {
      entry.released = true;
    });
    made.push(entry);
    return stream;
  }
  if (kind === 'web-stream') {
    let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
    const entry: Made = {
      kind,
      how,
      released: false,
      destroy: () => {
        try {
          controllerRef?.close();
        } catch {
          // already closed
        }
      },
    };
    made.push(entry);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controllerRef = controller;
      },
      pull(controller) {
        controller.enqueue(new Uint8Array(1024));
      },
      cancel() {
        entry.released = true;
      },
    });
  }
  throw new Error(`unknown kind ${kind}`);
}

/** Requests the server is holding until their client leaves. */
let waiting = 0;

/** `GET /:kind/:case`: answers with a body of `kind` in the way `case` says. */
const app = interceptor<any>({
  name: 'unwritten',
  enter(ctx) {
    const [, kind, how] = ctx.request.path.split('/') as [string, string, string];
    const answer = () => {
      ctx.response = {
        status: how === '204' ? 204 : how === '304' ? 304 : how === 'bad-status' ? 1000 : 200,
        headers: how === 'bad-header' ? { 'x-injected': 'a\r\nset-cookie: evil=1' } : {},
        body: bodyOf(kind, how),
      };
      return ctx;
    };
    if (how !== 'client-gone') return answer();
    // Made once the client has gone (a slow handler whose client gave up).
    const signal: AbortSignal = ctx.request.signal;
    waiting++;
    return new Promise((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          waiting--;
          resolve(answer());
        },
        { once: true },
      );
    });
  },
});

const CASES = ['HEAD', '204', '304', 'client-gone', 'bad-header', 'bad-status'] as const;
const EXPECTED_STATUS: Record<(typeof CASES)[number], number> = {
  HEAD: 200,
  '204': 204,
  '304': 304,
  'bad-header': 500,
  'bad-status': 500,
  'client-gone': 0,
};

let served: Served;
beforeAll(async () => {
  served = await serve([app]);
});
afterAll(async () => {
  // Whatever a regression leaked is let go here.
  for (const entry of made.splice(0)) if (!entry.released) entry.destroy();
  await served.stop();
});

async function exercise(kind: string, how: (typeof CASES)[number]): Promise<void> {
  if (how === 'client-gone') {
    const before = waiting;
    const outcome = await h1Trial(served.port, `/${kind}/${how}`, {
      at: 'ready',
      ready: () => waiting > before,
    });
    expect(outcome).toEqual({ received: 0, left: true });
    await waitFor(() => made.some((m) => m.kind === kind && m.how === how), 'the late answer');
    return;
  }
  const reply = await rawRequest(served.port, `/${kind}/${how}`, {
    method: how === 'HEAD' ? 'HEAD' : 'GET',
  });
  expect(reply.status).toBe(EXPECTED_STATUS[how]);
  const refused = how === 'bad-header' || how === 'bad-status';
  expect(reply.body.byteLength).toBe(refused ? 'Internal server error'.length : 0);
  expect(reply.headers['set-cookie']).toBeUndefined();
  expect(reply.headers['x-injected']).toBeUndefined();
}

describe('a file() body that is never written closes its descriptor', () => {
  it.each(CASES)('%s', async (how) => {
    const fds = openFds();
    served.logger.clear();
    await exercise('file', how);
    await waitFor(() => openFds() <= fds, 'the descriptor to be closed', 2000);
    expect(openFds()).toBeLessThanOrEqual(fds);
    if (how !== 'bad-header' && how !== 'bad-status') expect(errorLines(served.logger)).toEqual([]);
  });
});

describe('a stream body that is never written is destroyed or cancelled', () => {
  const kinds = ['fs-stream', 'web-stream'] as const;
  const entry = (kind: string, how: string) => made.find((m) => m.kind === kind && m.how === how);

  it('every case answers as it should, without sending the body', async () => {
    for (const kind of kinds) for (const how of CASES) await exercise(kind, how);
    for (const kind of kinds) for (const how of CASES) expect(entry(kind, how)).toBeDefined();
    // Give the adapter its chance to let go: wait (bounded) for every body to be released.
    await waitFor(() => made.every((m) => m.released), 'every body to be released', 1000).catch(
      () => undefined,
    );
  });

  for (const kind of kinds) {
    it.each(CASES)(`${kind}, %s: released`, (how) => {
      expect(entry(kind, how)?.released).toBe(true);
    });
  }
});
