// The request map (SPEC's Request): fields, laziness, and the body read on demand
// with a limit (413 without reading the rest), malformed JSON (400), over both protocols.
import http from 'node:http';
import h2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { responseFor } from '../src/testing';
import { expectNoErrorLogs, PROTOCOLS, serve } from './helpers';

describe.each(PROTOCOLS)('the request map over $name', ({ http2 }) => {
  let server: PlinthServer;
  let url: string;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];
  let ownKeys: string[] = [];
  const app = {
    name: 'app',
    async enter(ctx: any) {
      const request = ctx.request;
      switch (request.path) {
        case '/lazy':
          ownKeys = Object.keys(request);
          ctx.response = { status: 200, body: 'ok' };
          return ctx;
        case '/fields':
        case '/fields/x': {
          ctx.response = {
            status: 200,
            body: {
              method: request.method,
              url: request.url,
              path: request.path,
              queryString: request.queryString ?? null,
              header: request.headers['x-test'],
              remoteAddress: request.remoteAddress,
              scheme: request.scheme,
              host: request.host,
              port: request.port,
              protocol: request.protocol,
              aborted: request.signal.aborted,
              raw:
                typeof request.raw.req.on === 'function' &&
                typeof request.raw.res.write === 'function',
              json: JSON.parse(JSON.stringify(request)),
            },
          };
          return ctx;
        }
        case '/echo':
          ctx.response = { status: 200, body: await request.body.bytes() };
          return ctx;
        case '/text':
          ctx.response = {
            status: 200,
            body: `${await request.body.text()}|${request.body.length ?? 'none'}`,
          };
          return ctx;
        case '/json':
          ctx.response = { status: 200, body: { got: await request.body.json() } };
          return ctx;
        case '/small':
          ctx.response = { status: 200, body: await request.body.text({ limit: 10 }) };
          return ctx;
        case '/twice':
          await request.body.text();
          await request.body.text();
          return ctx;
        case '/iterate': {
          let n = 0;
          let size = 0;
          for await (const chunk of request.body) {
            n++;
            size += chunk.byteLength;
          }
          ctx.response = { status: 200, body: { chunks: n > 0, size } };
          return ctx;
        }
        default:
          return ctx;
      }
    },
  };
  beforeAll(async () => {
    ({ server, url, logger } = await serve([app], { http2 }));
  });
  afterAll(() => server.stop());

  it('computes nothing a request does not use: only method and url are own fields', async () => {
    await responseFor(server, 'GET', '/lazy?a=1');
    expect(ownKeys.sort()).toEqual(['method', 'url']);
  });

  it('has every SPEC field', async () => {
    const response = await responseFor(server, 'GET', '/fields/x?a=1&b=%20', {
      headers: { 'X-Test': 'v', host: 'example.com:8443' },
    });
    const body = JSON.parse(response.body);
    expect(body).toEqual({
      method: 'GET',
      url: '/fields/x?a=1&b=%20',
      path: '/fields/x',
      queryString: 'a=1&b=%20',
      header: 'v',
      remoteAddress: '127.0.0.1',
      scheme: 'http',
      host: 'example.com',
      port: 8443,
      protocol: http2 ? 'HTTP/2.0' : 'HTTP/1.1',
      aborted: false,
      raw: true,
      json: {
        method: 'GET',
        url: '/fields/x?a=1&b=%20',
        protocol: http2 ? 'HTTP/2.0' : 'HTTP/1.1',
        remoteAddress: '127.0.0.1',
      },
    });
    const bare = JSON.parse((await responseFor(server, 'GET', '/fields')).body);
    expect(bare.queryString).toBeNull();
  });

  it('reads the body as bytes, text and JSON', async () => {
    const bytes = Buffer.from([0, 1, 2, 3, 250]);
    expect(
      Buffer.from((await responseFor(server, 'POST', '/echo', { body: bytes })).bytes).equals(
        bytes,
      ),
    ).toBe(true);
    expect((await responseFor(server, 'POST', '/text', { body: 'héllo' })).body).toBe('héllo|6');
    expect(
      JSON.parse((await responseFor(server, 'POST', '/json', { body: '{"a":[1]}' })).body),
    ).toEqual({ got: { a: [1] } });
    const streamed = await responseFor(server, 'POST', '/text', { body: ['a', 'b', 'c'] });
    expect(streamed.body).toBe(http2 ? 'abc|none' : 'abc|none');
    const iterated = await responseFor(server, 'POST', '/iterate', { body: 'x'.repeat(100_000) });
    expect(JSON.parse(iterated.body)).toEqual({ chunks: true, size: 100_000 });
    expectNoErrorLogs(logger);
  });

  it('answers 400 to malformed JSON, naming the problem', async () => {
    const response = await responseFor(server, 'POST', '/json', { body: '{"a":' });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/^Request body is not valid JSON: /);
    expectNoErrorLogs(logger);
  });

  it('answers 413 to a body over the limit, declared or streamed, and closes the connection', async () => {
    const declared = await responseFor(server, 'POST', '/small', { body: 'x'.repeat(11) });
    expect(declared.status).toBe(413);
    expect(declared.body).toBe(
      'Request body of 11 bytes (Content-Length) is larger than the limit of 10 bytes',
    );
    const streamed = await responseFor(server, 'POST', '/small', {
      body: ['x'.repeat(6), 'y'.repeat(6)],
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body).toBe('Request body is larger than the limit of 10 bytes');
    if (!http2) expect(streamed.headers.connection).toBe('close');
    const huge = await responseFor(server, 'POST', '/echo', {
      body: Buffer.alloc(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expectNoErrorLogs(logger);
  });

  it('answers 413 from Content-Length alone, before the client sent the body', async () => {
    // Declares 10 GB and sends nothing: the answer cannot wait for the body.
    const length = String(10 * 1024 ** 3);
    const status = await new Promise<number>((resolve, reject) => {
      if (http2) {
        const session = h2.connect(url);
        session.on('error', () => {});
        const stream = session.request(
          { ':method': 'POST', ':path': '/echo', 'content-length': length },
          { endStream: false },
        );
        stream.on('error', () => {});
        stream.on('response', (headers) => {
          resolve(Number(headers[':status']));
          session.destroy();
        });
        return;
      }
      const req = http.request(`${url}/echo`, {
        method: 'POST',
        headers: { 'content-length': length },
        agent: false,
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it('refuses to read a body twice (500, BODY_CONSUMED)', async () => {
    logger.entries.splice(0);
    const response = await responseFor(server, 'POST', '/twice', { body: 'x' });
    expect(response.status).toBe(500);
    expect((logger.at('error')[0]!.obj.err as Error).message).toMatch(/already read/);
  });
});
