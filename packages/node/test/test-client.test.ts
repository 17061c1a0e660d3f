// The test client itself: whole responses, streams read as they arrive, SSE parsing,
// disconnecting, and temporary servers for services.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  endResponse,
  NodeAdapterError,
  type PlinthServer,
  writeResponse,
  writeResponseBody,
} from '../src/index';
import { responseFor, streamFor } from '../src/testing';
import { PROTOCOLS, serve, waitFor } from './helpers';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

describe.each(PROTOCOLS)('the test client over $name', ({ http2 }) => {
  let server: PlinthServer;
  let second = gate();
  let signal: AbortSignal | undefined;
  beforeAll(async () => {
    ({ server } = await serve(
      [
        {
          name: 'app',
          async enter(ctx: any) {
            const { path } = ctx.request;
            if (path === '/echo') {
              ctx.response = {
                status: 200,
                headers: {
                  'x-method': ctx.request.method,
                  'x-header': ctx.request.headers['x-in'] ?? '',
                },
                body: await ctx.request.body.text(),
              };
            } else if (path === '/chunks') {
              signal = ctx.request.signal;
              await writeResponse(ctx, { status: 200, body: 'one' });
              await second.opened;
              await writeResponseBody(ctx, 'two');
              return endResponse(ctx);
            } else if (path === '/sse') {
              await writeResponse(ctx, {
                status: 200,
                headers: { 'content-type': 'text/event-stream' },
              });
              await writeResponseBody(ctx, ': heartbeat\n\nretry: 3000\n\n');
              await writeResponseBody(
                ctx,
                'event: greet\nid: 7\ndata: line one\ndata: line two\n\n',
              );
              await writeResponseBody(ctx, 'data: {"n":1}\r\n\r\n');
              return endResponse(ctx);
            } else if (path === '/never') {
              await new Promise((r) => setTimeout(r, 5000));
            }
            return ctx;
          },
        },
      ],
      { http2 },
    ));
  });
  afterAll(() => server.stop({ graceMs: 100 }));

  it('responseFor sends method, headers and body and returns status, headers, body and bytes', async () => {
    const r = await responseFor(server, 'PUT', '/echo', {
      headers: { 'x-in': 'in' },
      body: 'payload',
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-method']).toBe('PUT');
    expect(r.headers['x-header']).toBe('in');
    expect(r.body).toBe('payload');
    expect(Buffer.from(r.bytes).toString()).toBe('payload');
  });

  it('streamFor hands back chunks as they arrive', async () => {
    second = gate();
    const response = await streamFor(server, 'GET', '/chunks');
    // 'one' arrives while the server still waits for the gate.
    expect(Buffer.from((await response.read())!).toString()).toBe('one');
    second.open();
    expect(await response.text()).toBe('two');
    expect(response.complete).toBe(true);
  });

  it('close() disconnects: the server sees CLIENT_DISCONNECT', async () => {
    second = gate();
    const response = await streamFor(server, 'GET', '/chunks');
    await response.read();
    await response.close();
    await waitFor(() => signal?.aborted === true, 'the server to notice');
    expect(NodeAdapterError.isError(signal!.reason) && signal!.reason.code).toBe(
      'CLIENT_DISCONNECT',
    );
    expect(response.complete).toBe(false);
    second.open();
  });

  it('events() parses Server-Sent Events with a real parser; eventStream() adds comments and retry', async () => {
    const events = [];
    for await (const event of (await streamFor(server, 'GET', '/sse')).events()) events.push(event);
    expect(events).toEqual([
      { event: 'greet', id: '7', data: 'line one\nline two' },
      { data: '{"n":1}' },
    ]);
    const items = [];
    for await (const item of (await streamFor(server, 'GET', '/sse')).eventStream())
      items.push(item);
    expect(items.map((i) => i.type)).toEqual(['comment', 'retry', 'event', 'event']);
    expect(items[0]).toEqual({ type: 'comment', text: 'heartbeat' });
    expect(items[1]).toEqual({ type: 'retry', ms: 3000 });
  });

  it('times out with an error naming the request', async () => {
    await expect(responseFor(server, 'GET', '/never', { timeoutMs: 50 })).rejects.toThrow(
      /no response to GET \/never within 50 ms/,
    );
  });

  it('refuses bad arguments with a message naming the value', async () => {
    await expect(responseFor(server, 'GET', 'no-slash')).rejects.toThrow(
      /url must be a path starting with "\/", got string "no-slash"/,
    );
    await expect(responseFor(server, 'G E T', '/')).rejects.toThrow(
      /method must be an HTTP method name/,
    );
  });
});

describe('a service without a server', () => {
  it.each(PROTOCOLS)(
    'responseFor starts a temporary server on an ephemeral port and stops it ($name)',
    async ({ http2 }) => {
      const r = await responseFor(
        [(request: any) => ({ status: 200, body: request.protocol })],
        'GET',
        '/',
        { http2 },
      );
      expect(r.body).toBe(http2 ? 'HTTP/2.0' : 'HTTP/1.1');
    },
  );
});
