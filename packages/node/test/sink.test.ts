// The BodySink over a Node response: small writes coalesced into few socket writes,
// a slow producer's elements delivered at once, flush(), and responseSink() for a
// plain node:http handler.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { writeBodyToStream } from '@plinth/body-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlinthServer, responseSink } from '../src/index';
import { COALESCE_BYTES } from '../src/sink';
import { responseFor, streamFor } from '../src/testing';
import { PROTOCOLS, serve, waitFor } from './helpers';

// About 100 MB of JSON: long enough to see whether /ping waits for all of it.
const ENDLESS = 12_000_000;
let produced = 0;

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

describe.each(PROTOCOLS)('the sink over $name', ({ http2 }) => {
  let server: PlinthServer;
  let writes = 0;
  let gates: ReturnType<typeof gate>[] = [];
  beforeAll(async () => {
    ({ server } = await serve(
      [
        {
          name: 'app',
          enter(ctx: any) {
            const res = ctx.request.raw.res;
            const write = res.write;
            writes = 0;
            res.write = function (this: unknown, ...args: unknown[]) {
              writes++;
              return write.apply(this, args);
            };
            if (ctx.request.path === '/many') {
              ctx.response = {
                status: 200,
                body: (function* () {
                  for (let i = 0; i < 200_000; i++) yield i;
                })(),
              };
            } else if (ctx.request.path === '/slow') {
              ctx.response = {
                status: 200,
                body: (async function* () {
                  for (const g of gates) {
                    yield 'element';
                    await g.opened;
                  }
                })(),
              };
            } else if (ctx.request.path === '/endless') {
              ctx.response = {
                status: 200,
                body: (function* () {
                  for (produced = 0; produced < ENDLESS; produced++) yield produced;
                })(),
              };
            } else if (ctx.request.path === '/ping') {
              ctx.response = { status: 200, body: 'pong' };
            } else if (ctx.request.path === '/flush') {
              ctx.response = {
                status: 200,
                body: async (sink: any) => {
                  sink.write('a');
                  sink.flush();
                  sink.write('b');
                  sink.flush();
                  sink.write('c');
                },
              };
            }
            return ctx;
          },
        },
      ],
      { http2 },
    ));
  });
  afterAll(() => server.stop());

  it('a generator of 200,000 numbers is a few socket writes of about 16 KiB, not 200,000', async () => {
    const response = await responseFor(server, 'GET', '/many');
    const expected = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => i));
    expect(response.body).toBe(expected);
    const bytes = Buffer.byteLength(expected);
    expect(writes).toBeLessThanOrEqual(Math.ceil(bytes / (COALESCE_BYTES / 2)) + 2);
    expect(writes).toBeGreaterThanOrEqual(Math.floor(bytes / COALESCE_BYTES) - 1);
  });

  it("a slow producer's elements each go out at once", async () => {
    gates = [gate(), gate(), gate()];
    const response = await streamFor(server, 'GET', '/slow');
    let text = '';
    for (let i = 0; i < gates.length; i++) {
      // The element arrives while the producer waits for its gate.
      while (!text.endsWith('"element"')) text += Buffer.from((await response.read())!).toString();
      gates[i]!.open();
    }
    text += await response.text();
    expect(JSON.parse(text)).toEqual(['element', 'element', 'element']);
  });

  it('a synchronous producer to a client that takes everything still lets other requests be served', async () => {
    // A fast reader in another process (curl) takes every write at once, so
    // backpressure never stops the generator; the sink gives the event loop a turn
    // every YIELD_BYTES. Without that, /ping would only be answered once the
    // generator is done.
    produced = 0;
    const reader = spawn('curl', [
      ...(http2 ? ['--http2-prior-knowledge'] : []),
      '-s',
      '-o',
      '/dev/null',
      `${server.address!.url}/endless`,
    ]);
    const exited = new Promise((resolve) => reader.on('close', resolve));
    await waitFor(() => produced > 100_000, 'the endless body to flow', 10_000);
    const ping = await responseFor(server, 'GET', '/ping');
    expect(ping.body).toBe('pong');
    expect(produced).toBeLessThan(ENDLESS);
    reader.kill();
    await exited;
  });

  it('flush() pushes pending bytes out now', async () => {
    const response = await responseFor(server, 'GET', '/flush');
    expect(response.body).toBe('abc');
    // 'a' and 'b' flushed alone; 'c' goes out with the end (HTTP/2's end() writes it
    // through write(), HTTP/1.1's does not).
    expect(writes).toBe(http2 ? 3 : 2);
  });
});

describe('responseSink over a plain node:http handler', () => {
  it('writes any body with the body-writer protocol and ends', async () => {
    const server = http.createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const sink = responseSink(res);
      await writeBodyToStream(
        (async function* () {
          yield { a: 1 };
          yield { b: 2 };
        })(),
        sink,
      );
      sink.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    expect(body).toEqual([{ a: 1 }, { b: 2 }]);
    server.close();
  });

  it('refuses what is not a response, naming it', () => {
    expect(() => responseSink({} as never)).toThrow(
      /res must be a Node ServerResponse .* got an object \(Object\)/,
    );
  });
});
