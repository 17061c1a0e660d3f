// The seed's "Low-level streaming" over the adapter: writeResponse sends the head at
// once, the chain keeps running, a later response is not sent (one error log naming
// the interceptor), the response stays open until endResponse, and a client that
// leaves aborts the request's signal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  endResponse,
  NodeAdapterError,
  type PlinthServer,
  responseSent,
  writeResponse,
  writeResponseBody,
} from '../src/index';
import { responseFor, streamFor } from '../src/testing';
import { expectNoErrorLogs, PROTOCOLS, serve, waitFor } from './helpers';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.each(PROTOCOLS)('low-level streaming over $name', ({ http2 }) => {
  let server: PlinthServer;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];
  const gates = {
    second: deferred(),
    end: deferred(),
  };
  const seen: Record<string, unknown> = {};

  const stream = {
    name: 'stream',
    async enter(ctx: any) {
      const path = ctx.request.path;
      if (path === '/stream') {
        seen.sentBefore = responseSent(ctx);
        await writeResponse(ctx, {
          status: 201,
          headers: { 'content-type': 'text/plain', 'x-custom': ['a', 'b'] },
        });
        seen.sentAfter = responseSent(ctx);
        await gates.second.promise;
        await writeResponseBody(ctx, 'first\n');
        await gates.end.promise;
        await writeResponseBody(ctx, 'second\n');
        return endResponse(ctx);
      }
      if (path === '/open-after-chain') {
        await writeResponse(ctx, { status: 200, body: 'started\n' });
        const chainDone = deferred();
        seen.chainDone = chainDone;
        void chainDone.promise.then(async () => {
          await writeResponseBody(ctx, 'after the chain\n');
          await endResponse(ctx);
        });
        return ctx;
      }
      if (path === '/later-response') {
        await writeResponse(ctx, { status: 200, body: 'low-level' });
        await endResponse(ctx);
        return ctx;
      }
      if (path === '/twice') {
        await writeResponse(ctx, { status: 200 });
        seen.twice = await writeResponse(ctx, { status: 200 }).catch((e) => e);
        return endResponse(ctx);
      }
      if (path === '/body-first') {
        seen.bodyFirst = await writeResponseBody(ctx, 'x').catch((e) => e);
        seen.endFirst = await endResponse(ctx).catch((e) => e);
        ctx.response = { status: 204 };
        return ctx;
      }
      if (path === '/disconnect') {
        const signal: AbortSignal = ctx.request.signal;
        seen.signal = signal;
        await writeResponse(ctx, { status: 200, headers: { 'content-type': 'text/event-stream' } });
        // Writes until the client leaves; each write settles.
        const results: unknown[] = [];
        seen.results = results;
        for (let i = 0; !signal.aborted; i++) {
          try {
            await writeResponseBody(ctx, `data: ${i}\n\n`);
          } catch (error) {
            results.push(error);
            break;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        return ctx;
      }
      if (path === '/generator-body') {
        await writeResponse(ctx, { status: 200, headers: { 'content-type': 'application/json' } });
        await writeResponseBody(
          ctx,
          (function* () {
            for (let i = 0; i < 1000; i++) yield i;
          })(),
        );
        return endResponse(ctx);
      }
      return ctx;
    },
  };
  const later = {
    name: 'sets-a-response-late',
    enter: (ctx: any) => {
      if (ctx.request.path === '/later-response') {
        seen.laterRan = responseSent(ctx);
        return { ...ctx, response: { status: 500, body: 'must not be sent' } };
      }
      return ctx;
    },
  };

  beforeAll(async () => {
    ({ server, logger } = await serve([stream, later], { http2 }));
  });
  afterAll(() => server.stop());

  it('writeResponse sends status and headers at once; bytes go out as written; endResponse ends', async () => {
    gates.second = deferred();
    gates.end = deferred();
    const response = await streamFor(server, 'GET', '/stream');
    // The head arrived while the interceptor is still waiting for gates.second.
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['x-custom']).toBe(http2 ? 'a, b' : 'a, b');
    expect(seen.sentBefore).toBe(false);
    expect(seen.sentAfter).toBe(true);
    gates.second.resolve();
    expect(Buffer.from((await response.read())!).toString()).toBe('first\n');
    gates.end.resolve();
    expect(await response.text()).toBe('second\n');
    expect(response.complete).toBe(true);
    expectNoErrorLogs(logger);
  });

  it('the response stays open after the chain finished, until endResponse', async () => {
    const response = await streamFor(server, 'GET', '/open-after-chain');
    expect(Buffer.from((await response.read())!).toString()).toBe('started\n');
    (seen.chainDone as { resolve(): void }).resolve();
    expect(await response.text()).toBe('after the chain\n');
    expect(response.complete).toBe(true);
  });

  it('a response set after a low-level write is not sent: one error naming the interceptor; the chain ran on', async () => {
    logger.entries.splice(0);
    const response = await responseFor(server, 'GET', '/later-response');
    expect(response.status).toBe(200);
    expect(response.body).toBe('low-level');
    expect(seen.laterRan).toBe(true);
    await waitFor(() => logger.at('error').length > 0, 'the error log');
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/response already sent/);
    expect(errors[0]!.obj).toMatchObject({
      interceptor: 'sets-a-response-late',
      stage: 'enter',
      status: 500,
    });
  });

  it('a second writeResponse rejects with RESPONSE_ALREADY_SENT; writes before writeResponse reject with NO_RESPONSE', async () => {
    const twice = await responseFor(server, 'GET', '/twice');
    expect(twice.status).toBe(200);
    expect(NodeAdapterError.isError(seen.twice) && seen.twice.code).toBe('RESPONSE_ALREADY_SENT');
    const first = await responseFor(server, 'GET', '/body-first');
    expect(first.status).toBe(204);
    expect(NodeAdapterError.isError(seen.bodyFirst) && seen.bodyFirst.code).toBe('NO_RESPONSE');
    expect(NodeAdapterError.isError(seen.endFirst) && seen.endFirst.code).toBe('NO_RESPONSE');
  });

  it('a low-level body of any type (a generator) is written with backpressure', async () => {
    const response = await responseFor(server, 'GET', '/generator-body');
    expect(JSON.parse(response.body)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('a client that leaves aborts request.signal (CLIENT_DISCONNECT) at once and settles the pending write; no error log', async () => {
    logger.entries.splice(0);
    const response = await streamFor(server, 'GET', '/disconnect');
    await response.read();
    const signal = seen.signal as AbortSignal;
    expect(signal.aborted).toBe(false);
    await response.close();
    const ms = await waitFor(() => signal.aborted, 'the signal to abort');
    expect(ms).toBeLessThan(100);
    expect(NodeAdapterError.isError(signal.reason) && signal.reason.code).toBe('CLIENT_DISCONNECT');
    await waitFor(
      () => (seen.results as unknown[]).length > 0 || signal.aborted,
      'the writer to stop',
    );
    expectNoErrorLogs(logger);
    for (const entry of logger.at('debug')) expect(entry.obj.err).toBeUndefined();
  });
});
