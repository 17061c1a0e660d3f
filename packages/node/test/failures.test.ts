// SPEC "@plinth/node": the stylobate, header validation, and a body that fails after
// the headers went out (the connection is aborted so the client can tell).
import { text } from '@plinth/body-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { responseFor } from '../src/testing';
import { curl, expectNoErrorLogs, PROTOCOLS, rawGet, serve } from './helpers';

class HttpError extends Error {
  status: number;
  expose: boolean;
  constructor(status: number, message: string, expose = true) {
    super(message);
    this.status = status;
    this.expose = expose;
  }
}

const routes: Record<string, (ctx: any) => any> = {
  '/throw': () => {
    throw new Error('kaput');
  },
  '/async-throw': async () => {
    await new Promise((r) => setTimeout(r, 1));
    throw new Error('async kaput');
  },
  '/teapot': () => {
    throw new HttpError(418, "I'm a teapot, said the app");
  },
  '/hidden': () => {
    throw new HttpError(409, 'secret detail', false);
  },
  '/five-oh-three': () => {
    throw new HttpError(503, 'maintenance');
  },
  '/crlf': (ctx) => ({
    ...ctx,
    response: { status: 200, headers: { 'x-evil': 'a\r\nset-cookie: x=1' }, body: 'x' },
  }),
  '/bad-name': (ctx) => ({
    ...ctx,
    response: { status: 200, headers: { 'bad name': 'v' }, body: 'x' },
  }),
  '/bad-status': (ctx) => ({ ...ctx, response: { status: 99, body: 'x' } }),
  '/bigint': (ctx) => ({ ...ctx, response: { status: 200, body: { n: 1n } } }),
  '/missing-file': (ctx) => ({
    ...ctx,
    response: {
      status: 200,
      body: {
        [Symbol.for('plinth.writeable-body')]: true,
        defaultContentType: () => 'text/plain',
        contentLength: () => undefined,
        prepare: () =>
          Promise.reject(Object.assign(new Error('File not found: x.txt'), { status: 404 })),
        writeBody: () => {},
      },
    },
  }),
  '/fail-before-bytes': (ctx) => ({
    ...ctx,
    response: {
      status: 200,
      body: (async function* () {
        yield* [];
        throw new Error('nothing was written yet');
      })(),
    },
  }),
  '/fail-after-bytes': (ctx) => ({
    ...ctx,
    response: {
      status: 200,
      body: text(
        (async function* () {
          yield 'x'.repeat(100);
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('producer died mid-body');
        })(),
      ),
    },
  }),
  '/fail-after-bytes-with-length': (ctx) => ({
    ...ctx,
    response: {
      status: 200,
      headers: { 'content-length': '1000' },
      body: async (sink: any) => {
        await sink.write('y'.repeat(100));
        sink.flush();
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('died before the promised length');
      },
    },
  }),
  '/string-status': (ctx) => ({ ...ctx, response: 'not a response' }),
};

const app = {
  name: 'app',
  enter: (ctx: any) => {
    const route = routes[ctx.request.path];
    return route ? route(ctx) : ctx;
  },
};

describe.each(PROTOCOLS)('failure semantics over $name', ({ http2 }) => {
  let server: PlinthServer;
  let url: string;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];
  beforeAll(async () => {
    ({ server, url, logger } = await serve([app], { http2 }));
  });
  afterAll(() => server.stop());
  const fresh = () => logger.entries.splice(0);

  it('an exception in an interceptor gives 500 "Internal server error", logged once with interceptor and stage', async () => {
    for (const path of ['/throw', '/async-throw']) {
      fresh();
      const response = await responseFor(server, 'GET', path);
      expect(response.status).toBe(500);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.body).toBe('Internal server error');
      const errors = logger.at('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.obj).toMatchObject({ interceptor: 'app', stage: 'enter' });
      expect((errors[0]!.obj.err as Error).message).toMatch(/kaput/);
    }
  });

  it('an error with a 4xx status answers that status with its message, not logged as an error', async () => {
    fresh();
    const teapot = await responseFor(server, 'GET', '/teapot');
    expect(teapot.status).toBe(418);
    expect(teapot.body).toBe("I'm a teapot, said the app");
    const hidden = await responseFor(server, 'GET', '/hidden');
    expect(hidden.status).toBe(409);
    expect(hidden.body).toBe('Conflict');
    expectNoErrorLogs(logger);
    const other = await responseFor(server, 'GET', '/five-oh-three');
    expect(other.status).toBe(500);
    expect(other.body).toBe('Internal server error');
  });

  it('a CR/LF in a header value is refused with a 500 and a log naming the header, never written', async () => {
    fresh();
    const response = await responseFor(server, 'GET', '/crlf');
    expect(response.status).toBe(500);
    expect(response.headers['x-evil']).toBeUndefined();
    expect(response.headers['set-cookie']).toBeUndefined();
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect((errors[0]!.obj.err as Error).message).toMatch(/"x-evil".*CR/);
    expect(errors[0]!.obj).toMatchObject({ interceptor: 'plinth.ring-response', stage: 'leave' });
  });

  it('a bad header name, a bad status, an unserialisable body or a non-object response is a 500 with a reason', async () => {
    for (const [path, reason] of [
      ['/bad-name', /"bad name" is not a valid header name/],
      ['/bad-status', /status must be an integer from 200 to 599, got number 99/],
      ['/bigint', /bigint/],
      ['/string-status', /ctx.response must be a response object/],
    ] as const) {
      fresh();
      const response = await responseFor(server, 'GET', path);
      expect(response.status).toBe(500);
      expect(response.body).toBe('Internal server error');
      expect((logger.at('error')[0]!.obj.err as Error).message).toMatch(reason);
    }
  });

  it("a body's prepare() failing with status 404 answers 404", async () => {
    fresh();
    const response = await responseFor(server, 'GET', '/missing-file');
    expect(response.status).toBe(404);
    expect(response.body).toBe('File not found: x.txt');
    expectNoErrorLogs(logger);
  });

  it('a body that fails before writing a byte still gets a clean 500', async () => {
    fresh();
    const response = await responseFor(server, 'GET', '/fail-before-bytes');
    expect(response.status).toBe(500);
    expect(response.body).toBe('Internal server error');
    expect(logger.at('error')).toHaveLength(1);
  });

  it.each(['/fail-after-bytes', '/fail-after-bytes-with-length'])(
    'a producer that throws after bytes were sent (%s) aborts the response: the client sees it incomplete; logged once',
    async (path) => {
      fresh();
      const result = await rawGet(url + path, http2);
      expect(result.status).toBe(200);
      expect(result.body.length).toBe(100);
      expect(result.error).toBeDefined();
      const errors = logger.at('error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toMatch(/aborted/);
      expect(errors[0]!.obj).toMatchObject({ interceptor: 'plinth.ring-response', stage: 'leave' });
    },
  );

  it('curl exits non-zero on a response aborted after its headers', async () => {
    const args = http2
      ? ['--http2-prior-knowledge', '-sS', `${url}/fail-after-bytes`]
      : ['-sS', `${url}/fail-after-bytes`];
    const result = await curl(args);
    expect(result.stdout).toBe('x'.repeat(100));
    expect(result.code).not.toBe(0);
    // 18: partial file (HTTP/1.1 chunked without the last chunk); 92: HTTP/2 stream error.
    expect(result.code).toBe(http2 ? 92 : 18);
  });

  it('curl exits 0 on a clean response (the control case)', async () => {
    const result = await curl(
      http2 ? ['--http2-prior-knowledge', '-sS', `${url}/nothing`] : ['-sS', `${url}/nothing`],
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Not Found');
  });
});
