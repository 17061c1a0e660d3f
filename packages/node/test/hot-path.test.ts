// The synchronous path stays synchronous: a request whose interceptors and body are
// all synchronous is answered without creating a single promise (SPEC: a chain of
// synchronous callbacks pays no promise or microtask per callback).
import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type PlinthServer, RESPONDER } from '../src/index';
import { responseFor } from '../src/testing';
import { expectNoErrorLogs, serve } from './helpers';

const hello = () => ({ status: 200, body: { hello: 'world' } });
const pass = (i: number) => ({
  name: `pass-${i}`,
  enter: (ctx: object) => ctx,
  leave: (ctx: object) => ctx,
});
const passAsync = {
  name: 'async',
  enter: async (ctx: object) => ctx,
};

/**
 * Counts the promises created while the server handles each request: from just
 * before the adapter's 'request' listener runs to just after it returns.
 */
function countPromises(server: PlinthServer): { promises: number; requests: number } {
  const counts = { promises: 0, requests: 0 };
  let counting = false;
  const hook = createHook({
    init(_id, type) {
      if (counting && type === 'PROMISE') counts.promises++;
    },
  });
  hook.enable();
  hooks.push(hook);
  server.server.prependListener('request', () => {
    counting = true;
    counts.requests++;
  });
  server.server.on('request', () => {
    counting = false;
  });
  return counts;
}

const hooks: { disable(): void }[] = [];
const servers: PlinthServer[] = [];
afterEach(async () => {
  for (const hook of hooks.splice(0)) hook.disable();
  await Promise.all(servers.splice(0).map((server) => server.stop({ graceMs: 0 })));
});

describe('the synchronous hot path', () => {
  it.each([0, 10])(
    'answers with %i synchronous interceptors without creating a promise',
    async (n) => {
      const { server, logger } = await serve([
        ...Array.from({ length: n }, (_, i) => pass(i)),
        hello,
      ]);
      servers.push(server);
      const counts = countPromises(server);
      for (let i = 0; i < 5; i++) {
        const response = await responseFor(server, 'GET', '/');
        expect(response.status).toBe(200);
        expect(response.body).toBe('{"hello":"world"}');
      }
      expect(counts.requests).toBe(5);
      expect(counts.promises).toBe(0);
      expectNoErrorLogs(logger);
    },
  );

  it('counts the promises of an asynchronous interceptor (the probe works)', async () => {
    const { server, logger } = await serve([passAsync, hello]);
    servers.push(server);
    const counts = countPromises(server);
    const response = await responseFor(server, 'GET', '/');
    expect(response.status).toBe(200);
    expect(counts.requests).toBe(1);
    expect(counts.promises).toBeGreaterThan(0);
    expectNoErrorLogs(logger);
  });

  it('gives every request a plain-object context that a spread copy carries on', async () => {
    const seen: unknown[] = [];
    const { server, logger } = await serve([
      {
        name: 'inspect',
        enter: (ctx: Record<PropertyKey, unknown>) => {
          seen.push(
            Object.getPrototypeOf(ctx) === Object.prototype,
            ctx.constructor === Object,
            Object.keys(ctx).join(','),
            typeof ctx[RESPONDER],
          );
          return { ...ctx, response: { status: 200, body: 'copied' } };
        },
      },
    ]);
    servers.push(server);
    const response = await responseFor(server, 'GET', '/');
    expect(response.body).toBe('copied');
    expect(seen).toEqual([true, true, 'request', 'object']);
    expectNoErrorLogs(logger);
  });
});
