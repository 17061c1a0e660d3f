// Issue 9, "Faults": interceptors that throw, reject, return nothing, or never settle,
// in enter, leave and error, over HTTP/1.1 and h2c.
//
// - throw / reject / return nothing: a 500 "Internal server error", logged once at
//   error level naming the interceptor and the stage; nothing else is held after.
// - never settle: with `handlerTimeout` set, the adapter answers 503 (Retry-After,
//   Connection: close on HTTP/1.1), the signal aborts with `timeout`, one warning names
//   the interceptor and stage, and the request is freed (the context is
//   garbage-collected, nothing held, nothing logged as an error). Without it (the
//   default, off), the client that gives up frees the request (its signal aborts with
//   `CLIENT_DISCONNECT`), and `stop({ graceMs })` ends a hung request within the grace
//   period.
import { enqueue, type Interceptor, interceptor } from '@plinth/interceptor';
import type { HttpContext } from '@plinth/writeable-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h1Trial, h2Trial, request } from './support/clients';
import {
  collectGarbage,
  type Holdings,
  holdings,
  releasedTo,
  trackUnhandled,
  waitFor,
  within,
} from './support/env';
import { errorLines, PROTOCOLS, type Served, serve } from './support/server';

const STAGES = ['enter', 'leave', 'error'] as const;
/** The handlerTimeout of the server that answers hung chains itself. */
const HANDLER_TIMEOUT_MS = 150;
const FAULTS = ['throw', 'reject', 'nothing'] as const;
type Stage = (typeof STAGES)[number];
type Fault = (typeof FAULTS)[number] | 'never';

/** Contexts of hung requests, watched for garbage collection. */
let hung = 0;
let collected = 0;
const finalizers = new FinalizationRegistry<void>(() => {
  collected++;
});
let signalReasons: string[] = [];

function misbehave(fault: Fault, ctx: HttpContext): any {
  switch (fault) {
    case 'throw':
      throw new Error('misbehaving interceptor threw');
    case 'reject':
      return Promise.reject(new Error('misbehaving interceptor rejected'));
    case 'nothing':
      return undefined;
    case 'never': {
      hung++;
      finalizers.register(ctx, undefined);
      const signal = ctx.request.signal;
      signal.addEventListener('abort', () => {
        signalReasons.push((signal.reason as { code?: string }).code ?? '?');
      });
      return new Promise(() => {});
    }
  }
}

/** `/:stage/:fault`: the misbehaving interceptor in front of a handler (or a thrower, for `error`). */
const dispatch: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'dispatch',
  enter(ctx) {
    const [, stage, fault] = ctx.request.path.split('/') as [string, Stage, Fault];
    const misbehaving = interceptor<HttpContext>({
      name: 'misbehaving',
      [stage]: (c: HttpContext) => misbehave(fault, c),
    } as never);
    const inner: Interceptor<HttpContext> =
      stage === 'error'
        ? interceptor<HttpContext>({
            name: 'inner',
            enter: () => {
              throw new Error('inner failure for the error stage to handle');
            },
          })
        : interceptor<HttpContext>({
            name: 'handler',
            enter: (c) => ({ ...c, response: { status: 200, body: 'ok' } }),
          });
    return enqueue(ctx, misbehaving, inner);
  },
});

describe.each(PROTOCOLS)('interceptor faults over $name', ({ http2 }) => {
  let served: Served;
  let timed: Served;
  let baseline: Holdings;
  const unhandled = trackUnhandled();

  /**
   * A hung request was let go of: its connection closed, its context collected
   * (`collected` passes `collectedBefore`), no error logged, no unhandled
   * rejection, and nothing held beyond the baseline.
   */
  async function expectFreed(server: Served, collectedBefore: number): Promise<void> {
    await waitFor(async () => (await server.connections()) === 0, 'the connection to close');
    await waitFor(
      async () => {
        await collectGarbage();
        return collected > collectedBefore;
      },
      'the hung context to be garbage-collected',
      5000,
    );
    expect(errorLines(server.logger)).toEqual([]);
    expect(unhandled.seen).toEqual([]);
    expect(await releasedTo(baseline, 3000)).toEqual({});
  }

  beforeAll(async () => {
    served = await serve([dispatch], { http2 });
    timed = await serve([dispatch], { http2, handlerTimeout: HANDLER_TIMEOUT_MS });
    // One request first, so lazily made things are part of the baseline.
    await request(http2, served.port, '/enter/throw');
    await request(http2, timed.port, '/enter/throw');
    baseline = holdings();
    served.logger.clear();
    timed.logger.clear();
  });
  afterAll(async () => {
    unhandled.stop();
    await served.stop(100);
    await timed.stop(100);
  });

  for (const stage of STAGES) {
    it.each(FAULTS)(
      `${stage} that does "%s": 500, logged once naming the interceptor and stage`,
      async (fault) => {
        served.logger.clear();
        const r = await request(http2, served.port, `/${stage}/${fault}`);
        expect(r.status).toBe(500);
        expect(r.complete).toBe(true);
        expect(r.body.toString()).toBe('Internal server error');
        const errors = served.logger.at('error');
        expect(errorLines(served.logger)).toHaveLength(1);
        expect(errors[0]!.obj.interceptor).toBe('misbehaving');
        expect(errors[0]!.obj.stage).toBe(stage);
        expect(unhandled.seen).toEqual([]);
        expect(await releasedTo(baseline, 3000)).toEqual({});
      },
    );

    it(`${stage} that never settles: the client that gives up frees the request`, async () => {
      served.logger.clear();
      signalReasons = [];
      const before = { hung, collected };
      const path = `/${stage}/never`;
      const leave = { at: 'ready', ready: () => hung > before.hung } as const;
      const outcome = await (http2
        ? h2Trial(served.port, undefined, path, leave)
        : h1Trial(served.port, path, leave));
      expect(outcome).toEqual({ received: 0, left: true });
      await waitFor(() => signalReasons.length === 1, 'the request signal to abort');
      expect(signalReasons).toEqual(['CLIENT_DISCONNECT']);
      // The hung chain holds nothing once the client left: its context is garbage.
      await expectFreed(served, before.collected);
    });
  }

  it.each(STAGES)(
    '%s that never settles: handlerTimeout answers 503 and frees the request',
    async (stage) => {
      timed.logger.clear();
      signalReasons = [];
      const before = { hung, collected };
      // keep-alive asked for: the Connection: close is the adapter's own.
      const r = await request(http2, timed.port, `/${stage}/never`, {
        headers: http2 ? {} : { connection: 'keep-alive' },
      });
      expect(hung).toBe(before.hung + 1);
      expect(r.status).toBe(503);
      expect(r.complete).toBe(true);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.headers['retry-after']).toBe('5');
      expect(r.headers.connection).toBe(http2 ? undefined : 'close');
      expect(r.body.byteLength).toBeGreaterThan(0);
      expect(signalReasons).toEqual(['TIMEOUT']);
      const warnings = timed.logger.at('warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.obj).toMatchObject({ interceptor: 'misbehaving', stage });
      // The hung chain holds nothing once answered: its context is garbage.
      await expectFreed(timed, before.collected);
    },
  );

  it('stop({ graceMs }) ends requests whose chain never settles, within the grace period', async () => {
    const own = await serve([dispatch], { http2 });
    signalReasons = [];
    const before = hung;
    const clients = STAGES.map((stage) =>
      request(http2, own.port, `/${stage}/never`, { timeoutMs: 10_000 }),
    );
    await waitFor(() => hung === before + STAGES.length, 'the three requests to hang');
    const started = performance.now();
    await within(own.stop(300), 5000, 'stop() to resolve');
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
    for (const r of await Promise.all(clients)) {
      // No response ever came: the connection (or stream) was closed on the client.
      expect(r.status).toBe(0);
      expect(r.complete).toBe(false);
    }
    expect(signalReasons).toEqual(['SERVER_STOP', 'SERVER_STOP', 'SERVER_STOP']);
    expect(errorLines(own.logger)).toEqual([]);
  });
});
