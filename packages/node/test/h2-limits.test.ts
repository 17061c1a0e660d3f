// Regressions over HTTP/2 (h2c), with HTTP/1.1 as the control:
// - maxHeaderSize is enforced: a larger request header list is answered 431
//   (text/plain, with the sizes) and never reaches the application;
// - after a 413 for a body left unread, the server ends the stream itself
//   (RST_STREAM NO_ERROR once the response is out, RFC 9113 §8.1).
import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { type capturingLogger, expectNoErrorLogs, serve } from './helpers';

let reached = 0;
const app = {
  name: 'app',
  async enter(ctx: any) {
    reached++;
    if (ctx.request.method === 'POST') {
      const text = await ctx.request.body.text();
      return { ...ctx, response: { status: 200, body: String(text.length) } };
    }
    return { ...ctx, response: { status: 200, body: 'ok' } };
  },
};

/** Ten fields of `each` bytes: 100 KiB in all for each = 10 KiB (no field over 64 KiB). */
function bigHeaders(each: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x-big-${i}`, 'a'.repeat(each)]));
}

interface H2Result {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
  rstCode: number | undefined;
}

function h2Get(
  session: http2.ClientHttp2Session,
  headers: Record<string, string>,
): Promise<H2Result> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no h2 answer within 5 s')), 5000);
    const stream = session.request({ ':path': '/', ...headers });
    let status = 0;
    let got: http2.IncomingHttpHeaders = {};
    let body = '';
    stream.on('response', (h) => {
      status = Number(h[':status']);
      got = h;
    });
    stream.on('data', (d: Buffer) => {
      body += d.toString();
    });
    stream.on('error', () => {});
    stream.on('close', () => {
      clearTimeout(timer);
      resolve({ status, headers: got, body, rstCode: stream.rstCode });
    });
  });
}

/** A client that may send large header blocks (Node's client refuses over 64 KiB). */
function connect(url: string): http2.ClientHttp2Session {
  const session = http2.connect(url, { maxSendHeaderBlockLength: 1 << 20 });
  session.on('error', () => {});
  return session;
}

describe('maxHeaderSize over h2c', () => {
  let server: PlinthServer;
  let url: string;
  let logger: ReturnType<typeof capturingLogger>;
  beforeAll(async () => {
    ({ server, url, logger } = await serve([app], { http2: true }));
  });
  afterAll(() => server.stop());

  it('a header list over the limit (16 KiB by default) is answered 431 with a reason; the app never runs', async () => {
    const session = connect(url);
    try {
      const before = reached;
      const r = await h2Get(session, bigHeaders(10 * 1024));
      expect(r.status).toBe(431);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toMatch(
        /^Request header fields too large: \d+ bytes, over the limit of 16384/,
      );
      expect(r.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
      expect(reached).toBe(before);
      expect(logger.at('info').some((e) => e.obj.status === 431)).toBe(true);
      expectNoErrorLogs(logger);
    } finally {
      session.close();
    }
  });

  it('a header list under the limit is served', async () => {
    const session = connect(url);
    try {
      const r = await h2Get(session, { 'x-fine': 'a'.repeat(15 * 1024) });
      expect(r.status).toBe(200);
      expect(r.body).toBe('ok');
    } finally {
      session.close();
    }
  });

  it('once the client acknowledged the SETTINGS, a larger list still never reaches the app', async () => {
    const session = connect(url);
    try {
      expect((await h2Get(session, {})).status).toBe(200);
      const before = reached;
      const r = await h2Get(session, bigHeaders(10 * 1024));
      // Node's HTTP/2 layer enforces the acknowledged setting itself: a 431 from us
      // or a stream reset from it, never a 200.
      expect(r.status === 431 || r.rstCode === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM).toBe(
        true,
      );
      expect(reached).toBe(before);
    } finally {
      session.close();
    }
  });

  it('HTTP/1.1 (the control): Node answers 431', async () => {
    const { server: h1, url: h1url } = await serve([app]);
    try {
      const r = await fetch(h1url, { headers: { 'x-big': 'a'.repeat(17 * 1024) } });
      expect(r.status).toBe(431);
    } finally {
      await h1.stop();
    }
  });
});

describe('a 413 for a body left unread', () => {
  it('h2c: the server sends the 413 and then ends the stream itself (RST_STREAM NO_ERROR)', async () => {
    const { server, url, logger } = await serve([app], { http2: true, bodyLimit: 1024 });
    const session = connect(url);
    try {
      const result = await new Promise<{ status: number; body: string; rstCode: number }>(
        (resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error('the server never ended the stream')),
            5000,
          );
          const stream = session.request({ ':method': 'POST', ':path': '/upload' });
          const chunk = Buffer.alloc(4096, 98);
          let status = 0;
          let body = '';
          // An endless upload: the client never ends its side.
          const pump = (): void => {
            while (!stream.destroyed && !stream.closed) {
              if (!stream.write(chunk)) {
                stream.once('drain', pump);
                return;
              }
            }
          };
          stream.on('response', (h) => {
            status = Number(h[':status']);
          });
          stream.on('data', (d: Buffer) => {
            body += d.toString();
          });
          stream.on('error', () => {});
          // Node's client marks a stream the server reset with NO_ERROR closed and emits
          // 'aborted', but with writes waiting for flow control it never emits 'close'
          // (it waits for them): the response is complete, so end the stream here.
          stream.on('aborted', () => {
            if (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) return;
            if (stream.readableEnded) stream.destroy();
            else stream.once('end', () => stream.destroy());
          });
          stream.on('close', () => {
            clearTimeout(timer);
            resolve({ status, body, rstCode: stream.rstCode ?? -1 });
          });
          pump();
        },
      );
      expect(result.status).toBe(413);
      expect(result.body).toMatch(/larger than the limit of 1024 bytes/);
      expect(result.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
      // The session is still usable (its flow-control window was not left full).
      const next = await h2Get(session, {});
      expect(next.status).toBe(200);
      expectNoErrorLogs(logger);
    } finally {
      session.close();
      await server.stop();
    }
  });

  it('h2c: a declared Content-Length over the limit is answered 413 and the stream ended', async () => {
    const { server, url } = await serve([app], { http2: true, bodyLimit: 1024 });
    const session = connect(url);
    try {
      const result = await new Promise<{ status: number; rstCode: number }>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the server never ended the stream')),
          5000,
        );
        const stream = session.request({
          ':method': 'POST',
          ':path': '/upload',
          'content-length': String(100 * 1024 * 1024),
        });
        let status = 0;
        stream.write(Buffer.alloc(1024, 98));
        stream.on('response', (h) => {
          status = Number(h[':status']);
        });
        stream.resume();
        stream.on('error', () => {});
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({ status, rstCode: stream.rstCode ?? -1 });
        });
      });
      expect(result).toEqual({ status: 413, rstCode: http2.constants.NGHTTP2_NO_ERROR });
    } finally {
      session.close();
      await server.stop();
    }
  });

  it('HTTP/1.1 (the control): the connection is closed after the 413', async () => {
    const { server, url } = await serve([app], { bodyLimit: 1024 });
    try {
      const { port } = new URL(url);
      const reply = await new Promise<string>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1');
        let text = '';
        const chunk = `1000\r\n${'b'.repeat(4096)}\r\n`;
        socket.on('connect', () => {
          socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
          const pump = (): void => {
            while (!socket.destroyed && !text.includes('\r\n\r\n')) {
              if (!socket.write(chunk)) {
                socket.once('drain', pump);
                return;
              }
            }
          };
          pump();
        });
        socket.on('data', (d) => {
          text += d.toString('latin1');
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve(text));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 413 /);
      expect(reply.toLowerCase()).toContain('connection: close');
    } finally {
      await server.stop();
    }
  });
});
