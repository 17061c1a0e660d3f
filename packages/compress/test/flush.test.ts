import http from 'node:http';
import http2 from 'node:http2';
import type { PlinthServer } from '@plinth/node';
import { type Channel, eventSourceResponse, eventStream } from '@plinth/sse';
import type { BodySink, Request } from '@plinth/writeable-body';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress } from '../src/index';
import { decoder, serve, waitFor } from './helpers';

/** A decoded stream: text so far, and a way to wait for a piece of it. */
interface Decoded {
  encoding: string | undefined;
  text: string;
  wireBytes: number;
  until(piece: string, timeoutMs?: number): Promise<number>;
  close(): void;
}

function decodedStream(
  source: NodeJS.ReadableStream,
  encoding: string | undefined,
  close: () => void,
): Decoded {
  const state: Decoded = {
    encoding,
    text: '',
    wireBytes: 0,
    async until(piece, timeoutMs = 2000) {
      const start = performance.now();
      await waitFor(() => state.text.includes(piece), JSON.stringify(piece), timeoutMs);
      return performance.now() - start;
    },
    close,
  };
  const out: NodeJS.ReadableStream =
    encoding === undefined ? source : source.pipe(decoder(encoding));
  source.on('data', (c: Buffer) => {
    state.wireBytes += c.length;
  });
  out.on('data', (c: Buffer) => {
    state.text += c.toString();
  });
  out.on('error', () => {});
  return state;
}

function get(
  url: string,
  path: string,
  accept: string,
): Promise<Decoded & { headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}${path}`,
      { headers: { 'accept-encoding': accept }, agent: false },
      (res) => {
        const d = decodedStream(res, res.headers['content-encoding'], () => req.destroy());
        resolve(Object.assign(d, { headers: res.headers }));
      },
    );
    req.on('error', reject);
  });
}

const channels: Channel[] = [];
let server: PlinthServer;
let url: string;
let h2server: PlinthServer;
let h2url: string;

const app = () => [
  compress({ ignoreNoTransform: true }),
  (req: Request) => {
    if (req.path === '/events') return undefined;
    if (req.path === '/source') {
      return eventSourceResponse(req, (channel) => {
        channels.push(channel);
      });
    }
    if (req.path === '/flushes') {
      return {
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: async (sink: BodySink) => {
          for (let i = 0; i < 3; i++) {
            await sink.write(`part ${i} `);
            await sink.write('of a body that flushes\n');
            sink.flush();
            await new Promise<void>((resolve) => channels.push({ close: resolve } as never));
          }
        },
      };
    }
    return { status: 404, body: 'none' };
  },
];

beforeAll(async () => {
  const events = eventStream(
    (channel) => {
      channels.push(channel);
    },
    { heartbeatMs: 0 },
  );
  const beats = eventStream(() => {}, { heartbeatMs: 100 });
  const route = (path: string, i: unknown) => ({
    name: path,
    enter: (ctx: { request: Request }) =>
      ctx.request.path === path ? (i as { enter: (c: unknown) => unknown }).enter(ctx) : ctx,
  });
  ({ server, url } = await serve([
    ...app().slice(0, 1),
    route('/events', events),
    route('/beats', beats),
    ...app().slice(1),
  ]));
  ({ server: h2server, url: h2url } = await serve(
    [...app().slice(0, 1), route('/events', events), ...app().slice(1)],
    { http2: true },
  ));
});

afterAll(async () => {
  await server.stop({ graceMs: 100 });
  await h2server.stop({ graceMs: 100 });
});

function lastChannel(): Promise<Channel> {
  const before = channels.length;
  return waitFor(() => channels.length > before, 'a channel').then(() => channels.at(-1)!);
}

describe('every SSE event is a flush point', () => {
  for (const encoding of ['gzip', 'br', 'deflate']) {
    for (const path of ['/events', '/source']) {
      // Lock-step: each event must decode before the next is sent. There is no
      // heartbeat on these streams, so only a flushed block per event lets it out;
      // the wait is bounded (a hang fails), the time is not asserted (load varies).
      it(`${path} over ${encoding}: each event decodes before the next is sent`, async () => {
        const waiting = lastChannel();
        const res = await get(url, path, encoding);
        const channel = await waiting;
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        expect(res.headers.vary).toBe('Accept-Encoding');
        try {
          for (let i = 0; i < 10; i++) {
            const sent = channel.send({
              id: i,
              event: 'tick',
              data: { i, note: 'the same text again' },
            });
            await res.until(
              `id: ${i}\nevent: tick\ndata: {"i":${i},"note":"the same text again"}\n\n`,
              5000,
            );
            await sent;
          }
        } finally {
          res.close();
        }
      });
    }
  }

  it('heartbeat comments are flush points too', async () => {
    const res = await get(url, '/beats', 'gzip');
    try {
      expect(res.headers['content-encoding']).toBe('gzip');
      await res.until('\n:', 2000);
    } finally {
      res.close();
    }
  });

  it('closing the channel ends the zlib stream: the client sees a complete body', async () => {
    const waiting = lastChannel();
    const ended = new Promise<string>((resolve, reject) => {
      http
        .get(`${url}/events`, { headers: { 'accept-encoding': 'gzip' }, agent: false }, (res) => {
          const out = res.pipe(decoder('gzip'));
          let text = '';
          out.on('data', (c: Buffer) => {
            text += c.toString();
          });
          out.on('end', () => resolve(text));
          out.on('error', reject);
        })
        .on('error', reject);
    });
    const channel = await waiting;
    await channel.send({ data: 'last' });
    channel.close();
    expect(await ended).toContain('data: last\n\n');
  });

  it('the eventsource client decodes each event at once', async () => {
    const waiting = lastChannel();
    const seen: string[] = [];
    let encoding: string | null = null;
    const source = new EventSource(`${url}/events`, {
      fetch: async (input, init) => {
        const res = await fetch(input, {
          ...init,
          headers: { ...init?.headers, 'accept-encoding': 'br' },
        });
        encoding = res.headers.get('content-encoding');
        return res;
      },
    });
    source.onmessage = (e) => seen.push(e.data);
    try {
      const channel = await waiting;
      for (let i = 0; i < 5; i++) {
        void channel.send({ data: `message ${i}` });
        await waitFor(() => seen.length === i + 1, `message ${i}`, 5000);
      }
      expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `message ${i}`));
      expect(encoding).toBe('br');
    } finally {
      source.close();
    }
  });

  it('over HTTP/2 too', async () => {
    const waiting = lastChannel();
    const session = http2.connect(h2url);
    try {
      const stream = session.request({ ':path': '/events', 'accept-encoding': 'gzip' });
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) =>
        stream.once('response', resolve),
      );
      expect(headers['content-encoding']).toBe('gzip');
      const res = decodedStream(stream, 'gzip', () => stream.close());
      const channel = await waiting;
      for (let i = 0; i < 5; i++) {
        void channel.send({ data: `h2 ${i}` });
        await res.until(`data: h2 ${i}\n\n`, 5000);
      }
      stream.close();
    } finally {
      session.close();
    }
  });
});

describe('sink.flush() is a flush point; writes between are compressed together', () => {
  it('each flushed part decodes before the next is written', async () => {
    const before = channels.length;
    const res = await get(url, '/flushes', 'gzip');
    try {
      expect(res.headers['content-encoding']).toBe('gzip');
      for (let i = 0; i < 3; i++) {
        await res.until(`part ${i} of a body that flushes\n`, 1000);
        await waitFor(() => channels.length > before + i, 'the body waiting');
        channels[before + i]!.close();
      }
    } finally {
      res.close();
    }
  });
});
