// The handlerTimeout option: a chain that has not started a response in time is
// answered 503 (Retry-After, Connection: close on HTTP/1.1), its signal aborts with
// `timeout`, one warning names the pending interceptor and stage, and whatever the
// chain does afterwards writes nothing. A response that started in time is never cut.
import { createHook } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { ndjson, text } from '@plinth/body-writer';
import type { BodySink } from '@plinth/writeable-body';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createServer,
  endResponse,
  NodeAdapterError,
  type PlinthServer,
  requestListener,
  writeResponse,
  writeResponseBody,
} from '../src/index';
import { expectNoErrorLogs, PROTOCOLS, rawGet, serve, waitFor } from './helpers';

const TIMEOUT_MS = 200;
const TIMEOUT_TEXT = 'Service unavailable: the server took too long to answer';

/** A promise the test opens. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

let reasons: string[] = [];
let lateGate = gate();
let streamGate = gate();
let lateBody: Readable | undefined;
let lateFinally = false;
/** What the late function body saw: its sink's signal, and how its write after the gate went. */
let lateSink: BodySink | undefined;
let lateWrite: unknown;

/** An async generator that waits for `lateGate` before its first element. */
async function* lateElements(element: unknown): AsyncGenerator<unknown> {
  try {
    await lateGate.promise;
    yield element;
  } finally {
    lateFinally = true;
  }
}

/**
 * Ring bodies that have produced nothing when the time is up (their first write would
 * be the application's own): each must be replaced by the 503 and its producer stopped.
 */
const LATE_BODIES: Record<string, () => unknown> = {
  '/late-body': () => text(lateElements('too late') as AsyncIterable<string>),
  '/late-ndjson': () => ndjson(lateElements({ too: 'late' })),
  '/late-function': () => async (sink: BodySink) => {
    lateSink = sink;
    await lateGate.promise;
    try {
      await sink.write('too late');
      lateWrite = 'written';
    } catch (error) {
      lateWrite = error;
    }
  },
  '/late-readable': () => {
    lateBody = new Readable({ read() {} });
    return lateBody;
  },
};

/** Ring bodies whose first bytes go out before the timeout; each then waits for `streamGate`. */
const STARTED_BODIES: Record<string, [() => unknown, string]> = {
  '/stream-ring': [
    () =>
      text(
        (async function* () {
          yield 'first;';
          await streamGate.promise;
          yield 'second';
        })(),
      ),
    'first;second',
  ],
  '/stream-ndjson': [
    () =>
      ndjson(
        (async function* () {
          yield { n: 1 };
          await streamGate.promise;
          yield { n: 2 };
        })(),
      ),
    '{"n":1}\n{"n":2}\n',
  ],
  '/stream-function': [
    () => async (sink: BodySink) => {
      await sink.write('first;');
      await streamGate.promise;
      await sink.write('second');
    },
    'first;second',
  ],
  // Wrote only the head: flush() with nothing pending puts status and headers on the wire.
  '/stream-head': [
    () => async (sink: BodySink) => {
      sink.flush();
      await streamGate.promise;
      await sink.write('first;second');
    },
    'first;second',
  ],
};

function watchSignal(ctx: any): void {
  const signal: AbortSignal = ctx.request.signal;
  signal.addEventListener('abort', () => {
    reasons.push((signal.reason as { code?: string }).code ?? '?');
  });
}

const never = (): Promise<never> => new Promise(() => {});

async function lateResponse(ctx: any): Promise<any> {
  watchSignal(ctx);
  await lateGate.promise;
  lateBody = Readable.from(['late body']);
  return { ...ctx, response: { status: 200, body: lateBody } };
}

async function lowLevelStream(ctx: any): Promise<any> {
  await writeResponse(ctx, { status: 200, body: 'first;' });
  await streamGate.promise;
  await writeResponseBody(ctx, 'second');
  return endResponse(ctx);
}

const interceptors = [
  {
    name: 'hang-leave',
    leave: (ctx: any) => {
      if (ctx.request.path !== '/hang-leave') return ctx;
      watchSignal(ctx);
      return never();
    },
  },
  {
    name: 'hang',
    enter: (ctx: any) => {
      if (ctx.request.path !== '/hang') return ctx;
      watchSignal(ctx);
      return never();
    },
  },
  {
    name: 'late',
    // Not async: the other paths must stay synchronous.
    enter: (ctx: any) => {
      if (ctx.request.path === '/late') return lateResponse(ctx);
      const late = LATE_BODIES[ctx.request.path];
      if (late !== undefined) {
        watchSignal(ctx);
        return { ...ctx, response: { status: 200, body: late() } };
      }
      return ctx;
    },
  },
  {
    name: 'streams',
    enter: (ctx: any) => {
      const started = STARTED_BODIES[ctx.request.path];
      if (started !== undefined) return { ...ctx, response: { status: 200, body: started[0]() } };
      if (ctx.request.path === '/stream-low') return lowLevelStream(ctx);
      return ctx;
    },
  },
  {
    name: 'answer',
    enter: (ctx: any) => {
      if (ctx.request.path === '/sync') return { ...ctx, response: { status: 200, body: 'sync' } };
      if (ctx.request.path === '/async') {
        return Promise.resolve({ ...ctx, response: { status: 200, body: 'async' } });
      }
      return ctx;
    },
  },
];

describe.each(PROTOCOLS)('handlerTimeout over $name', ({ http2 }) => {
  let server: PlinthServer;
  let url: string;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];

  beforeAll(async () => {
    ({ server, url, logger } = await serve(interceptors, { http2, handlerTimeout: TIMEOUT_MS }));
  });
  afterAll(() => server.stop({ graceMs: 0 }));
  afterEach(() => {
    lateGate.open();
    streamGate.open();
  });

  function reset(): void {
    logger.entries.length = 0;
    reasons = [];
    lateGate = gate();
    streamGate = gate();
    lateBody = undefined;
    lateFinally = false;
    lateSink = undefined;
    lateWrite = undefined;
  }

  it.each([
    ['/hang', 'hang', 'enter'],
    ['/hang-leave', 'hang-leave', 'leave'],
  ])(
    '%s: 503 with Retry-After, signal reason timeout, one warning naming %s in %s',
    async (path, name, stage) => {
      reset();
      const started = performance.now();
      const r = await rawGet(`${url}${path}`, http2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(r.status).toBe(503);
      expect(r.error).toBeUndefined();
      expect(r.body.toString()).toBe(TIMEOUT_TEXT);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.headers['retry-after']).toBe('5');
      expect(r.headers.connection).toBe(http2 ? undefined : 'close');
      expect(reasons).toEqual(['TIMEOUT']);
      const warnings = logger.at('warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.obj).toMatchObject({
        interceptor: name,
        stage,
        method: 'GET',
        url: path,
        handlerTimeout: TIMEOUT_MS,
      });
      expect(warnings[0]!.msg).toContain(`interceptor "${name}" still pending in ${stage}`);
      expectNoErrorLogs(logger);
    },
  );

  it('a chain that settles after the timeout writes nothing more; its body is released', async () => {
    reset();
    let writes = 0;
    const countWrites = (_req: unknown, res: any): void => {
      for (const method of ['writeHead', 'write', 'end'] as const) {
        const original = res[method];
        res[method] = function (this: unknown, ...args: unknown[]) {
          writes++;
          return original.apply(this, args);
        };
      }
    };
    server.server.prependListener('request', countWrites);
    try {
      const r = await rawGet(`${url}/late`, http2);
      expect(r.status).toBe(503);
      expect(r.body.toString()).toBe(TIMEOUT_TEXT);
      const afterTimeout = writes;
      lateGate.open();
      await waitFor(
        () => logger.at('debug').some((e) => e.msg?.includes('it was not sent')),
        'the late response to be ignored',
      );
      expect(writes).toBe(afterTimeout);
      expect(lateBody?.destroyed).toBe(true);
      expect(logger.at('warn')).toHaveLength(1);
      expect(reasons).toEqual(['TIMEOUT']);
      expectNoErrorLogs(logger);
    } finally {
      server.server.off('request', countWrites);
    }
  });

  it.each(Object.keys(LATE_BODIES))(
    '%s: a ring body that produced nothing yet is replaced by the 503 and stopped',
    async (path) => {
      reset();
      const r = await rawGet(`${url}${path}`, http2);
      expect(r.status).toBe(503);
      expect(r.error).toBeUndefined();
      expect(r.body.toString()).toBe(TIMEOUT_TEXT);
      expect(r.headers['retry-after']).toBe('5');
      expect(reasons).toEqual(['TIMEOUT']);
      const warnings = logger.at('warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.obj).toMatchObject({ interceptor: 'plinth.ring-response' });
      if (path === '/late-readable') {
        // Destroyed at once: nothing waits on the test.
        await waitFor(() => lateBody?.destroyed === true, 'the Readable to be destroyed');
      } else if (path === '/late-function') {
        expect((lateSink?.signal.reason as { code?: string } | undefined)?.code).toBe('TIMEOUT');
        lateGate.open();
        await waitFor(() => lateWrite !== undefined, 'the late write to settle');
        expect((lateWrite as { code?: string }).code).toBe('TIMEOUT');
      } else {
        // The generator waits on the gate; once it opens, it is stopped before its element.
        lateGate.open();
        await waitFor(() => lateFinally, "the generator's finally");
      }
      expectNoErrorLogs(logger);
    },
  );

  it.each([
    ...Object.entries(STARTED_BODIES).map(([path, [, body]]) => [path, body]),
    ['/stream-low', 'first;second'],
  ])('%s: a response that started before the timeout is not cut', async (path, body) => {
    reset();
    const streaming = rawGet(`${url}${path}`, http2);
    // A hung request started after the stream: once its 503 is in, the stream's own
    // timer (armed earlier, same length) has expired too.
    const hung = await rawGet(`${url}/hang`, http2);
    expect(hung.status).toBe(503);
    streamGate.open();
    const r = await streaming;
    expect(r.status).toBe(200);
    expect(r.error).toBeUndefined();
    expect(r.body.toString()).toBe(body);
    expect(logger.at('warn').map((e) => e.obj.interceptor)).toEqual(['hang']);
    expect(reasons).toEqual(['TIMEOUT']);
    expectNoErrorLogs(logger);
  });

  it.each(['/sync', '/async'])('%s: a chain that answers in time is unaffected', async (path) => {
    reset();
    const r = await rawGet(`${url}${path}`, http2);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(path.slice(1));
    expect(r.headers['retry-after']).toBeUndefined();
    expect(logger.at('warn')).toEqual([]);
    expectNoErrorLogs(logger);
  });
});

/**
 * Counts the timers (Timeout resources) the server creates while it handles a
 * request (from before the listener runs until after it returned), and which of
 * them are destroyed (cleared, or fired).
 */
function countTimers(server: { server: EventEmitter }) {
  const created = new Set<number>();
  const destroyed = new Set<number>();
  let counting = false;
  const hook = createHook({
    init(id, type) {
      if (counting && type === 'Timeout') created.add(id);
    },
    destroy(id) {
      if (created.has(id)) destroyed.add(id);
    },
  });
  hook.enable();
  server.server.prependListener('request', () => {
    counting = true;
  });
  server.server.on('request', () => {
    counting = false;
  });
  return { created, destroyed, disable: () => hook.disable() };
}

describe('handlerTimeout timers', () => {
  it('a synchronous chain sets no timer; an asynchronous one sets one, cleared when it settles', async () => {
    const { server, url, logger } = await serve(interceptors, { handlerTimeout: 60_000 });
    const { created, destroyed, disable } = countTimers(server);
    try {
      const sync = await rawGet(`${url}/sync`, false);
      expect(sync.status).toBe(200);
      expect(created.size).toBe(0);
      const later = await rawGet(`${url}/async`, false);
      expect(later.status).toBe(200);
      expect(created.size).toBe(1);
      // Cleared when the chain settled, not left to fire in a minute.
      await waitFor(() => destroyed.size === 1, 'the timer to be cleared');
      expectNoErrorLogs(logger);
    } finally {
      disable();
      await server.stop({ graceMs: 0 });
    }
  });

  it('a hung chain whose client leaves has its timer cleared at once, not left to fire', async () => {
    const { server, url, logger } = await serve(interceptors, { handlerTimeout: 60_000 });
    const { created, destroyed, disable } = countTimers(server);
    try {
      const { port } = new URL(url);
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitFor(() => created.size === 1, 'the timer to be armed');
      socket.destroy();
      await waitFor(() => destroyed.size === 1, 'the timer to be cleared');
      expectNoErrorLogs(logger);
    } finally {
      disable();
      await server.stop({ graceMs: 0 });
    }
  });

  it('a ring body that starts streaming has its timer cleared at its first byte, not when it ends', async () => {
    const { server, url, logger } = await serve(interceptors, { handlerTimeout: 60_000 });
    const { created, destroyed, disable } = countTimers(server);
    streamGate = gate();
    try {
      const firstByte = gate();
      const response = new Promise<string>((resolve, reject) => {
        http.get(`${url}/stream-ring`, { agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
            firstByte.open();
          });
          res.on('end', () => resolve(body));
          res.on('error', reject);
        });
      });
      await firstByte.promise;
      expect(created.size).toBe(1);
      // The stream is still open (its generator waits on streamGate): the timer went
      // with the head, not with the end of the body.
      await waitFor(() => destroyed.size === 1, 'the timer to be cleared');
      streamGate.open();
      expect(await response).toBe('first;second');
      expectNoErrorLogs(logger);
    } finally {
      streamGate.open();
      disable();
      await server.stop({ graceMs: 0 });
    }
  });

  it('off (0, the default): an asynchronous chain sets no timer', async () => {
    const { server, url, logger } = await serve(interceptors);
    const { created, disable } = countTimers(server);
    try {
      const r = await rawGet(`${url}/async`, false);
      expect(r.status).toBe(200);
      expect(created.size).toBe(0);
      expectNoErrorLogs(logger);
    } finally {
      disable();
      await server.stop({ graceMs: 0 });
    }
  });
});

describe('handlerTimeout validation', () => {
  it.each([
    [-1, 'number -1'],
    [1.5, 'number 1.5'],
    [Number.NaN, 'number NaN'],
    [Number.POSITIVE_INFINITY, 'number Infinity'],
    [2 ** 31, 'number 2147483648'],
    ['100', 'string "100"'],
    [null, 'null'],
  ])('%s is refused, naming the value', (value, named) => {
    for (const make of [
      () => createServer([], { handlerTimeout: value as never }),
      () => createServer({ interceptors: [], handlerTimeout: value as never }),
      () => requestListener([], { handlerTimeout: value as never }),
    ]) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(NodeAdapterError.isError(caught)).toBe(true);
      expect((caught as NodeAdapterError).code).toBe('INVALID_ARGUMENT');
      expect((caught as Error).message).toContain('options.handlerTimeout');
      expect((caught as Error).message).toContain(`got ${named}`);
    }
  });

  it.each([0, 1, 30_000, 2 ** 31 - 1, undefined])('%s is accepted', (value) => {
    expect(typeof requestListener([], { handlerTimeout: value })).toBe('function');
    expect(createServer([], { handlerTimeout: value }).server).toBeDefined();
  });
});
