// Pedestal's servlet-interceptor cases, over a real socket and both protocols.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { file } from '@plinth/body-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { responseFor, streamFor } from '../src/testing';
import { expectNoErrorLogs, PROTOCOLS, serve, waitFor } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'plinth-pedestal-'));
writeFileSync(join(dir, 'hello.txt'), 'Hello from a file\n');

let streamClosed = false;

const routes: Record<string, (request: any) => unknown> = {
  '/plaintext': () => ({ status: 200, body: 'Hello World' }),
  '/status-only': () => ({ status: 202 }),
  '/no-content': () => ({ status: 204 }),
  '/json-collection': () => ({ status: 200, body: [{ a: 1 }, { b: [2, 3] }] }),
  '/stream': () => {
    streamClosed = false;
    const stream = Readable.from([Buffer.from('streamed '), Buffer.from('bytes')]);
    stream.on('close', () => {
      streamClosed = true;
    });
    return { status: 200, body: stream };
  },
  '/file': () => ({ status: 200, body: file(join(dir, 'hello.txt')) }),
  '/async': async () => {
    await new Promise((r) => setTimeout(r, 5));
    return { status: 200, body: 'async handler' };
  },
  '/exception': () => {
    throw new Error('an interceptor exploded');
  },
  '/big': () => ({ status: 200, body: Buffer.alloc(64 * 1024 * 1024, 120) }),
};

describe.each(PROTOCOLS)("Pedestal's servlet cases over $name", ({ http2 }) => {
  let server: PlinthServer;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];
  beforeAll(async () => {
    ({ server, logger } = await serve(
      [
        {
          name: 'routes',
          enter: (ctx: any) => {
            const route = routes[ctx.request.path];
            if (route === undefined) return ctx;
            const response = route(ctx.request);
            if (response instanceof Promise) {
              return response.then((r) => ({ ...ctx, response: r }));
            }
            return { ...ctx, response };
          },
        },
      ],
      { http2 },
    ));
  });
  afterAll(() => server.stop());

  it('a plaintext body gets text/plain', async () => {
    const r = await responseFor(server, 'GET', '/plaintext');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toBe('Hello World');
  });

  it('a response with only a status', async () => {
    const r = await responseFor(server, 'GET', '/status-only');
    expect(r.status).toBe(202);
    expect(r.body).toBe('');
    expect(r.headers['content-type']).toBeUndefined();
    expect(r.headers['content-length']).toBe('0');
    const none = await responseFor(server, 'GET', '/no-content');
    expect(none.status).toBe(204);
    expect(none.headers['content-length']).toBeUndefined();
  });

  it('a JSON collection body', async () => {
    const r = await responseFor(server, 'GET', '/json-collection');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).toEqual([{ a: 1 }, { b: [2, 3] }]);
  });

  it('a stream body is copied and closed', async () => {
    const r = await responseFor(server, 'GET', '/stream');
    expect(r.body).toBe('streamed bytes');
    await waitFor(() => streamClosed, 'the stream to close');
  });

  it('a file body', async () => {
    const r = await responseFor(server, 'GET', '/file');
    expect(r.body).toBe('Hello from a file\n');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['content-length']).toBe('18');
  });

  it('an async handler', async () => {
    expect((await responseFor(server, 'GET', '/async')).body).toBe('async handler');
  });

  it('an exception in an interceptor gives 500 "Internal server error"', async () => {
    logger.entries.splice(0);
    const r = await responseFor(server, 'GET', '/exception');
    expect(r.status).toBe(500);
    expect(r.body).toBe('Internal server error');
    expect(logger.at('error')).toHaveLength(1);
  });

  it('a broken pipe (the client leaves mid-body) is not logged as an error', async () => {
    logger.entries.splice(0);
    const response = await streamFor(server, 'GET', '/big');
    await response.read();
    await response.close();
    await waitFor(() => logger.at('debug').length > 0, 'the disconnect to be noticed');
    expectNoErrorLogs(logger);
    expect(logger.at('warn')).toEqual([]);
    for (const entry of logger.entries) expect(entry.obj.err).toBeUndefined();
  });
});

describe.each(PROTOCOLS)('HEAD with a stream body over $name', ({ http2 }) => {
  it('answers headers only and destroys the stream without reading it', async () => {
    const { createReadStream } = await import('node:fs');
    let stream: ReturnType<typeof createReadStream> | undefined;
    const { server } = await serve(
      [
        () => {
          stream = createReadStream(join(dir, 'hello.txt'));
          return { status: 200, body: stream };
        },
      ],
      { http2 },
    );
    const r = await responseFor(server, 'HEAD', '/');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers['content-type']).toBe('application/octet-stream');
    await waitFor(() => stream!.destroyed && stream!.closed, 'the stream to be destroyed');
    expect(stream!.bytesRead).toBe(0);
    await server.stop();
  });
});
