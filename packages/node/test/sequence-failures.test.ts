// Issue 15, point 1: a lazy sequence (a generator as a JSON array, ndjson(), text())
// that fails before its first element must not have committed anything: the client
// gets the same clean error response as for any handler error, not a 200 and a cut
// stream. An empty sequence is still `[]`; a failure after the first element still
// aborts the response; HEAD never runs the producer. Over real sockets, both protocols.
import { ndjson, text } from '@plinth/body-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { PROTOCOLS, rawGet, serve } from './helpers';

/** One request with Node's own clients, the body as text (see rawGet). */
async function request(
  url: string,
  overH2: boolean,
  options: { method?: string; onData?: (chunk: Buffer) => void } = {},
) {
  const result = await rawGet(url, overH2, options);
  return { ...result, body: result.body.toString() };
}

class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** A stand-in for a slow upstream (a database query): the producer's own wait. */
const upstream = () => new Promise((resolve) => setTimeout(resolve, 10));

function* syncFails(): Generator<string> {
  yield* [];
  throw new Error('sync source failed before its first element');
}

async function* asyncFails(): AsyncGenerator<string> {
  yield* [];
  // Long enough for the sink's setImmediate flush: before the fix, '[' went out here.
  await upstream();
  throw new Error('async source failed before its first element');
}

async function* asyncFailsAtOnce(): AsyncGenerator<string> {
  yield* [];
  throw new Error('async source failed at once');
}

async function* firstIsBigint(): AsyncGenerator<unknown> {
  await upstream();
  yield 1n; // JSON has no bigint: the first element cannot be serialised
}

/** Sources that fail before their first element, by body kind. */
const FAILS_FIRST: Record<string, () => unknown> = {
  'sync generator': () => syncFails(),
  'async generator': () => asyncFails(),
  'async generator, failing at once': () => asyncFailsAtOnce(),
  'async generator whose first element cannot be serialised': () => firstIsBigint(),
  'ndjson(sync generator)': () => ndjson(syncFails()),
  'ndjson(async generator)': () => ndjson(asyncFails()),
  'text(sync generator)': () => text(syncFails()),
  'text(async generator)': () => text(asyncFails()),
  'ndjson(async generator) whose first element cannot be serialised': () => ndjson(firstIsBigint()),
};
const kinds = Object.keys(FAILS_FIRST);

/** Resolved by the client when the first body bytes arrived (set per request). */
let clientGotBytes: () => void = () => {};
let bytesArrived: Promise<void> = Promise.resolve();
function expectBytes(): void {
  bytesArrived = new Promise<void>((resolve) => {
    clientGotBytes = resolve;
  });
}

/** How many times a producer behind HEAD started (it must never). */
let headProducerRuns = 0;

const routes: Record<string, () => unknown> = {
  ...Object.fromEntries(kinds.map((kind, i) => [`/fails-first/${i}`, FAILS_FIRST[kind]!])),
  '/fails-first-404': () =>
    (async function* () {
      yield* [];
      await upstream();
      throw new HttpError(404, 'no such feed');
    })(),
  '/empty-sync': () => (function* () {})()[Symbol.iterator](),
  '/empty-async': () =>
    (async function* () {
      await upstream();
      yield* [];
    })(),
  '/empty-ndjson': () => ndjson((async function* () {})()),
  '/fails-second': () =>
    (async function* () {
      yield { n: 1 };
      await bytesArrived;
      throw new Error('failed after the first element');
    })(),
  '/fails-second-ndjson': () =>
    ndjson(
      (async function* () {
        yield { n: 1 };
        await bytesArrived;
        throw new Error('failed after the first element');
      })(),
    ),
  '/fails-second-text': () =>
    text(
      (function* () {
        // 16 KiB and more go to the socket at once, so the head is committed here.
        yield 'x'.repeat(20_000);
        throw new Error('failed after the first element');
      })(),
    ),
  '/handler-throws': () => {
    throw new Error('the handler failed');
  },
  '/head': () =>
    (async function* () {
      yield* [];
      headProducerRuns++;
      throw new Error('a producer behind HEAD ran');
    })(),
};

const app = {
  name: 'app',
  enter: (ctx: any) => {
    const route = routes[ctx.request.path];
    return route ? { ...ctx, response: { status: 200, body: route() } } : ctx;
  },
};

describe.each(PROTOCOLS)('lazy sequences that fail, over $name', ({ http2: overH2 }) => {
  let server: PlinthServer;
  let url: string;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];
  beforeAll(async () => {
    ({ server, url, logger } = await serve([app], { http2: overH2 }));
  });
  afterAll(() => server.stop());

  it.each(kinds.map((kind, i) => [kind, i] as const))(
    '%s failing before its first element: a clean 500, nothing committed before',
    async (_kind, i) => {
      logger.entries.splice(0);
      const result = await request(`${url}/fails-first/${i}`, overH2);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(500);
      expect(result.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(result.body).toBe('Internal server error');
      const errors = logger.at('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toBe('unhandled error; answered 500');
      expect((errors[0]!.obj.err as Error).message).toMatch(
        /before its first element|at once|Element 0 of the sequence, a bigint/,
      );
    },
  );

  it("a producer's 4xx error before its first element answers that status, as a handler's would", async () => {
    const result = await request(`${url}/fails-first-404`, overH2);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(404);
    expect(result.body).toBe('no such feed');
  });

  it('an empty sequence is still [] with 200 (sync and async); an empty ndjson() is an empty 200', async () => {
    for (const path of ['/empty-sync', '/empty-async']) {
      const result = await request(url + path, overH2);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(200);
      expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(result.body).toBe('[]');
    }
    const lines = await request(`${url}/empty-ndjson`, overH2);
    expect(lines.error).toBeUndefined();
    expect(lines.status).toBe(200);
    expect(lines.headers['content-type']).toBe('application/x-ndjson');
    expect(lines.body).toBe('');
  });

  it.each([
    ['/fails-second', '[{"n":1}'],
    ['/fails-second-ndjson', '{"n":1}\n'],
    ['/fails-second-text', 'x'.repeat(20_000)],
  ])(
    'a failure after the first element (%s) still aborts the response: 200, then an incomplete body',
    async (path, sent) => {
      logger.entries.splice(0);
      expectBytes();
      const result = await request(url + path, overH2, { onData: () => clientGotBytes() });
      expect(result.status).toBe(200);
      expect(result.body).toBe(sent);
      expect(result.error).toBeDefined();
      const errors = logger.at('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toMatch(/aborted/);
    },
  );

  it('HEAD is unaffected: 200 with the JSON type and no body, the producer never runs', async () => {
    headProducerRuns = 0;
    const result = await request(`${url}/head`, overH2, { method: 'HEAD' });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(result.body).toBe('');
    expect(headProducerRuns).toBe(0);
  });
});

describe("an application's error interceptor", () => {
  let server: PlinthServer;
  let url: string;
  let seen: unknown[];
  const badGateway = {
    name: 'bad-gateway',
    error: (ctx: any, error: unknown) => {
      seen.push(error);
      return { ...ctx, response: { status: 502, body: 'upstream failed' } };
    },
  };
  beforeAll(async () => {
    ({ server, url } = await serve([badGateway, app]));
  });
  afterAll(() => server.stop());

  it('answers 502 for a handler error (the control case)', async () => {
    seen = [];
    const result = await request(`${url}/handler-throws`, false);
    expect(result.status).toBe(502);
    expect(result.body).toBe('upstream failed');
    expect(seen).toHaveLength(1);
  });

  // ring-response writes the body on its way out, and it sits outside the
  // application's interceptors (Pedestal's order: stylobate, terminator,
  // ring-response, then the application's), so an error stage of the application's
  // never sees a body failure: the stylobate answers it. What this fix guarantees
  // is that it still can: nothing was committed.
  it('does not see a sequence failing before its first element: the stylobate answers a clean 500', async () => {
    seen = [];
    const result = await request(`${url}/fails-first/${kinds.indexOf('async generator')}`, false);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(500);
    expect(result.body).toBe('Internal server error');
    expect(seen).toEqual([]);
  });
});
