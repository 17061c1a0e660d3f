// Issue 9, "Faults": graceful stop under load. With hundreds of requests in flight
// (slow handlers, finite streams, event streams, low-level streams and endless
// bodies), `stop({ graceMs })`: refuses new connections at once, lets in-flight
// responses complete byte-exact, ends event streams and low-level streams (their
// signal aborts with `SERVER_STOP`, onClientDisconnect runs once), aborts what is
// still running when the grace period is over (generators' `finally` runs), and
// leaves nothing behind.
import net from 'node:net';
import { ndjson } from '@plinth/body-writer';
import { type Interceptor, interceptor } from '@plinth/interceptor';
import { router } from '@plinth/router';
import { eventStream } from '@plinth/sse';
import {
  endResponse,
  type HttpContext,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
import { describe, expect, it } from 'vitest';
import { type Fetched, request } from './support/clients';
import { holdings, releasedTo, trackUnhandled, waitFor, within } from './support/env';
import { errorLines, PROTOCOLS, serve } from './support/server';

const SLOW = 200;
const STREAMS = 100;
const EVENTS = 50;
const LOW = 20;
const ENDLESS = 10;
const GRACE_MS = 2000;

const nap = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const state = {
  slowEntered: 0,
  streamsEntered: 0,
  eventEndings: [] as string[],
  eventsOpen: 0,
  lowOpen: 0,
  lowReasons: [] as string[],
  endlessOpen: 0,
  endlessFinally: 0,
};

const slowBody = (id: string): string => `${id}:${'s'.repeat(64 * 1024)}`;
const streamLines = (id: string): string[] => Array.from({ length: 200 }, (_, i) => `${id} ${i}`);

const slow: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'slow',
  async enter(ctx) {
    state.slowEntered++;
    const id = ctx.request.pathParams!.id!;
    // A handler that takes its time (a database call, say).
    await nap(100 + (Number(id) % 10) * 40);
    return { ...ctx, response: { status: 200, body: slowBody(id) } };
  },
});

const stream: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'stream',
  enter(ctx) {
    state.streamsEntered++;
    const id = ctx.request.pathParams!.id!;
    return {
      ...ctx,
      response: {
        status: 200,
        body: ndjson(
          (async function* () {
            for (const [i, line] of streamLines(id).entries()) {
              if (i % 20 === 19) await nap(20);
              yield line;
            }
          })(),
        ),
      },
    };
  },
});

const events = eventStream(
  (channel) => {
    state.eventsOpen++;
    void channel.send({ event: 'hello', data: 'open' });
  },
  {
    heartbeatMs: 50,
    onClientDisconnect: (_ctx, reason) => {
      state.eventEndings.push(reason.code);
    },
  },
);

const low: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'low',
  async enter(ctx) {
    await writeResponse(ctx, { status: 200, headers: { 'content-type': 'text/plain' } });
    state.lowOpen++;
    const signal = ctx.request.signal;
    while (!signal.aborted) {
      await writeResponseBody(ctx, 'tick\n').catch(() => undefined);
      await Promise.race([nap(20), new Promise((r) => signal.addEventListener('abort', r))]);
    }
    state.lowReasons.push((signal.reason as { code?: string }).code ?? '?');
    // Told to stop: finish the response properly.
    await writeResponseBody(ctx, 'bye\n');
    return endResponse(ctx);
  },
});

const endless: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'endless',
  enter(ctx) {
    return {
      ...ctx,
      response: {
        status: 200,
        body: ndjson(
          (async function* () {
            state.endlessOpen++;
            try {
              for (let i = 0; ; i++) {
                await tick();
                if (i % 50 === 49) await nap(5);
                yield i;
              }
            } finally {
              state.endlessFinally++;
            }
          })(),
        ),
      },
    };
  },
});

function service(): Interceptor<any>[] {
  return [
    router([
      ['/slow/:id', 'GET', slow],
      ['/stream/:id', 'GET', stream],
      ['/events/:id', 'GET', events],
      ['/low/:id', 'GET', low],
      ['/endless/:id', 'GET', endless],
    ]),
  ];
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
  });
}

describe.each(PROTOCOLS)('graceful stop under load over $name', ({ http2 }) => {
  it(`${SLOW + STREAMS + EVENTS + LOW + ENDLESS} requests in flight: complete, ended or aborted as they should`, async () => {
    Object.assign(state, {
      slowEntered: 0,
      streamsEntered: 0,
      eventEndings: [],
      eventsOpen: 0,
      lowOpen: 0,
      lowReasons: [],
      endlessOpen: 0,
      endlessFinally: 0,
    });
    const unhandled = trackUnhandled();
    const baseline = holdings();
    const served = await serve(service(), { http2 });
    const get = (path: string): Promise<Fetched> =>
      request(http2, served.port, path, { timeoutMs: 20_000 });
    const slowReplies = Array.from({ length: SLOW }, (_, i) => get(`/slow/${i}`));
    const streamReplies = Array.from({ length: STREAMS }, (_, i) => get(`/stream/${i}`));
    const eventReplies = Array.from({ length: EVENTS }, (_, i) => get(`/events/${i}`));
    const lowReplies = Array.from({ length: LOW }, (_, i) => get(`/low/${i}`));
    const endlessReplies = Array.from({ length: ENDLESS }, (_, i) => get(`/endless/${i}`));
    await waitFor(
      () =>
        state.slowEntered === SLOW &&
        state.streamsEntered === STREAMS &&
        state.eventsOpen === EVENTS &&
        state.lowOpen === LOW &&
        state.endlessOpen === ENDLESS,
      () => `every request to be in flight (${JSON.stringify(state)})`,
      15_000,
    );

    const started = performance.now();
    const stopped = served.stop(GRACE_MS);
    // New connections are refused from the moment stop() is called.
    expect(await connectOutcome(served.port)).toBe('ECONNREFUSED');
    await within(stopped, GRACE_MS + 5000, 'stop() to resolve');
    const took = performance.now() - started;

    // In-flight requests completed, byte-exact.
    for (const [i, r] of (await Promise.all(slowReplies)).entries()) {
      expect(r.status, `/slow/${i}`).toBe(200);
      expect(r.complete, `/slow/${i}`).toBe(true);
      expect(r.body.toString()).toBe(slowBody(String(i)));
    }
    for (const [i, r] of (await Promise.all(streamReplies)).entries()) {
      expect(r.complete, `/stream/${i}`).toBe(true);
      expect(r.body.toString()).toBe(
        streamLines(String(i))
          .map((l) => `${JSON.stringify(l)}\n`)
          .join(''),
      );
    }
    // Event streams ended cleanly, each with its onClientDisconnect, once, for SERVER_STOP.
    for (const r of await Promise.all(eventReplies)) {
      expect(r.status).toBe(200);
      expect(r.complete).toBe(true);
      expect(r.body.toString()).toContain('event: hello\ndata: open\n\n');
    }
    expect(state.eventEndings).toEqual(Array(EVENTS).fill('SERVER_STOP'));
    // Low-level streams were told (signal: SERVER_STOP) and ended their response.
    expect(state.lowReasons).toEqual(Array(LOW).fill('SERVER_STOP'));
    for (const r of await Promise.all(lowReplies)) {
      expect(r.complete).toBe(true);
      expect(r.body.toString()).toMatch(/^(tick\n)+bye\n$/);
    }
    // Endless bodies were aborted when the grace period ran out; their finally ran.
    for (const r of await Promise.all(endlessReplies)) expect(r.complete).toBe(false);
    // An async generator's finally runs once the step it awaits settles (a tick later).
    await waitFor(() => state.endlessFinally === ENDLESS, 'the endless generators to finish', 2000);
    expect(state.endlessFinally).toBe(ENDLESS);
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(took).toBeLessThan(GRACE_MS + 3000);

    expect(errorLines(served.logger)).toEqual([]);
    expect(unhandled.stop()).toEqual([]);
    expect(await releasedTo(baseline, 5000)).toEqual({});
  });
});
