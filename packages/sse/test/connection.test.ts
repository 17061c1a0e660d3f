// The connection an event stream runs on is the adapter's business: this package
// sets no `Connection` header. Over HTTP/1.1 a request's `Connection: close` is
// honoured (RFC 9112 §9.6: the server closes after its response) and a keep-alive
// connection is reused after the stream ended; over h2c no connection-specific
// header is sent (RFC 9113 §8.2.2). Raw sockets, so nothing is hidden by a client.
import http2 from 'node:http2';
import net from 'node:net';
import type { Request } from '@plinth/writeable-body';
import { afterEach, describe, expect, it } from 'vitest';
import { eventSourceResponse, eventStream, type SseEvent } from '../src/index';
import { type Served, serve, within } from './net';

let served: Served | undefined;
afterEach(async () => {
  await served?.stop(200);
  served = undefined;
});

const EVENTS: SseEvent[] = [
  { event: 'first', id: 1, data: 'one' },
  { event: 'second', id: 2, data: 'two' },
];

/** The two ways of serving an event stream, each ending after EVENTS. */
const PRODUCERS = {
  eventStream: () =>
    eventStream(
      async (channel) => {
        for (const event of EVENTS) await channel.send(event);
        channel.close();
      },
      { heartbeatMs: 0 },
    ),
  eventSourceResponse: () => (request: Request) =>
    eventSourceResponse(
      request,
      (async function* (): AsyncGenerator<SseEvent> {
        yield* EVENTS;
      })(),
      { heartbeatMs: 0 },
    ),
};

const WIRE = 'id: 1\nevent: first\ndata: one\n\nid: 2\nevent: second\ndata: two\n\n';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw HTTP/1.1 client on one socket: sends a request, reads one complete
 * response (chunked or not), and tells when the server closed the connection.
 */
class RawConnection {
  readonly socket: net.Socket;
  /** Resolves when the server ended the connection (FIN) or it closed. */
  readonly closedByServer: Promise<void>;
  private buffer = '';
  private wake: (() => void) | undefined;
  private done = false;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake?.();
    });
    this.closedByServer = new Promise<void>((resolve) => {
      const end = (): void => {
        this.done = true;
        this.wake?.();
        resolve();
      };
      this.socket.on('end', end);
      this.socket.on('close', end);
    });
    this.socket.on('error', () => {});
  }

  /** Sends `request` and resolves with the complete response to it. */
  async exchange(request: string, timeoutMs = 2000): Promise<RawResponse> {
    this.socket.write(request);
    return within(this.nextResponse(), timeoutMs, 'a complete response');
  }

  private async nextResponse(): Promise<RawResponse> {
    for (;;) {
      const parsed = this.parse();
      if (parsed !== undefined) return parsed;
      if (this.done)
        throw new Error(
          `connection closed before a complete response: ${JSON.stringify(this.buffer)}`,
        );
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** A complete response at the start of the buffer (removed from it), if there is one. */
  private parse(): RawResponse | undefined {
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const [statusLine = '', ...lines] = this.buffer.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine.split(' ')[1]);
    let at = headEnd + 4;
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const sizeEnd = this.buffer.indexOf('\r\n', at);
        if (sizeEnd < 0) return undefined;
        const size = Number.parseInt(this.buffer.slice(at, sizeEnd), 16);
        if (this.buffer.length < sizeEnd + 2 + size + 2) return undefined;
        body += this.buffer.slice(sizeEnd + 2, sizeEnd + 2 + size);
        at = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (this.buffer.length < at + length) return undefined;
      body = this.buffer.slice(at, at + length);
      at += length;
    } else {
      // Delimited by the end of the connection.
      if (!this.done) return undefined;
      body = this.buffer.slice(at);
      at = this.buffer.length;
    }
    this.buffer = this.buffer.slice(at);
    return { status, headers, body: Buffer.from(body, 'latin1').toString('utf8') };
  }
}

const get = (path: string, connection?: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${connection === undefined ? '' : `Connection: ${connection}\r\n`}\r\n`;

describe.each(Object.entries(PRODUCERS))('%s over HTTP/1.1', (_, producer) => {
  it('closes the connection once the stream ended when the request said Connection: close', async () => {
    served = await serve([producer()], 'http/1.1');
    const client = new RawConnection(Number(new URL(served.url).port));
    try {
      const response = await client.exchange(get('/events', 'close'));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache, no-transform');
      expect(response.headers['x-accel-buffering']).toBe('no');
      expect(response.headers.connection).toBe('close');
      expect(response.body).toBe(WIRE);
      // Without the fix the socket stayed open until the keep-alive timeout (72 s).
      await within(client.closedByServer, 2000, 'the server to close the connection');
    } finally {
      client.socket.destroy();
    }
  });

  it('keeps a keep-alive connection open after the stream ended, for the next request', async () => {
    served = await serve([producer()], 'http/1.1');
    const client = new RawConnection(Number(new URL(served.url).port));
    try {
      const first = await client.exchange(get('/events'));
      expect(first.status).toBe(200);
      expect(first.headers.connection).toBe('keep-alive');
      expect(first.body).toBe(WIRE);
      // The same socket answers a second request, and again after an explicit keep-alive.
      const second = await client.exchange(get('/events', 'keep-alive'));
      expect(second.status).toBe(200);
      expect(second.headers.connection).toBe('keep-alive');
      expect(second.body).toBe(WIRE);
      // And a last one that asks to close is answered, then the connection closes.
      const last = await client.exchange(get('/events', 'close'));
      expect(last.body).toBe(WIRE);
      expect(last.headers.connection).toBe('close');
      await within(client.closedByServer, 2000, 'the server to close the connection');
    } finally {
      client.socket.destroy();
    }
  });
});

describe.each(Object.entries(PRODUCERS))('%s over h2c', (_, producer) => {
  it('sends no connection-specific header', async () => {
    served = await serve([producer()], 'h2c');
    const session = http2.connect(served.url);
    session.on('error', () => {});
    try {
      const stream = session.request({ ':path': '/events' });
      const headers = await within(
        new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on('response', resolve)),
        2000,
        'the response headers',
      );
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      await within(
        new Promise<void>((resolve) => stream.on('end', resolve)),
        2000,
        'the stream to end',
      );
      expect(headers[':status']).toBe(200);
      expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(headers['cache-control']).toBe('no-cache, no-transform');
      expect(headers['x-accel-buffering']).toBe('no');
      for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding']) {
        expect(headers[name], name).toBeUndefined();
      }
      expect(body).toBe(WIRE);
    } finally {
      session.destroy();
    }
  });
});

describe('eventSourceResponse headers on a bare node:http2 server', () => {
  it('are accepted by the core API, which throws on any connection-specific header', async () => {
    // @plinth/node drops connection-specific headers on HTTP/2 by itself; the core
    // `respond()` does not, so this checks the package's own headers.
    const server = http2.createServer();
    const failures: unknown[] = [];
    server.on('stream', (stream, requestHeaders) => {
      stream.on('error', () => {});
      const request = {
        method: 'GET',
        protocol: 'HTTP/2.0',
        headers: requestHeaders,
      } as unknown as Request;
      const response = eventSourceResponse(request, (async function* () {})());
      try {
        stream.respond({ ':status': response.status, ...response.headers } as never, {
          endStream: true,
        });
      } catch (error) {
        failures.push(error);
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    try {
      const stream = session.request({ ':path': '/' });
      stream.on('error', () => {});
      stream.resume();
      const status = await within(
        new Promise<unknown>((resolve) => {
          stream.on('response', (headers) => resolve(headers[':status']));
          stream.on('close', () => resolve(`closed with code ${stream.rstCode}`));
        }),
        2000,
        'the response',
      );
      expect(failures).toEqual([]);
      expect(status).toBe(200);
    } finally {
      session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
