// Real clients over loopback: raw HTTP/1.1 sockets (the request goes out byte for
// byte, and the client can leave at any byte) and node:http2 sessions (h2c).
import http2 from 'node:http2';
import net from 'node:net';
import { setImmediate as immediate } from 'node:timers/promises';

/** When a trial's client goes away. */
export type Leave =
  /** While sending the request: after `turns` event-loop turns, or half-way through it (`partial`). */
  | { readonly at: 'request'; readonly turns: number; readonly partial: boolean }
  /** Once `ready()` says the server is handling the request, before any response byte. */
  | { readonly at: 'ready'; readonly ready: () => boolean }
  /** After `n` bytes of the response arrived (head and body on HTTP/1.1, body on h2). */
  | { readonly at: 'bytes'; readonly n: number }
  /** After `n` event-stream comments (heartbeats) arrived. */
  | { readonly at: 'comments'; readonly n: number }
  /** Never: read the response to its end. */
  | { readonly at: 'end' };

/** What the client saw. */
export interface TrialOutcome {
  /** Response bytes received. */
  readonly received: number;
  /** True when the client left on purpose (as opposed to the server ending the exchange). */
  readonly left: boolean;
}

const COMMENT = /(?:^|\n):/g;

function countComments(text: string): number {
  return text.match(COMMENT)?.length ?? 0;
}

/**
 * One HTTP/1.1 request on a fresh socket, left as `leave` says. Resolves when the
 * socket closed, whoever closed it; rejects only on a timeout.
 */
export function h1Trial(
  port: number,
  path: string,
  leave: Leave,
  timeoutMs = 10_000,
): Promise<TrialOutcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = 0;
    let left = false;
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`h1 trial ${path}: no close after ${timeoutMs} ms (${JSON.stringify(leave)})`),
      );
    }, timeoutMs);
    const go = (): void => {
      left = true;
      socket.destroy();
    };
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, left });
    });
    const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    socket.on('connect', async () => {
      if (leave.at === 'request') {
        if (leave.partial) {
          socket.write(request.slice(0, Math.max(1, request.length >> 1)));
        } else socket.write(request);
        for (let i = 0; i < leave.turns; i++) await immediate();
        go();
        return;
      }
      socket.write(request);
      if (leave.at === 'ready') {
        while (!leave.ready() && !socket.destroyed) await immediate();
        go();
      }
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (left) return;
      if (leave.at === 'bytes' && received >= leave.n) go();
      else if (leave.at === 'comments') {
        text += chunk.toString('latin1');
        if (countComments(text) >= leave.n) go();
      }
    });
  });
}

/** An h2c session for a batch of trials. */
export function h2Session(port: number): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  return session;
}

/**
 * One HTTP/2 stream on `session` (or, with `ownSession`, on a session of its own that
 * is destroyed to leave: a TCP close rather than RST_STREAM), left as `leave` says.
 */
export function h2Trial(
  port: number,
  session: http2.ClientHttp2Session | undefined,
  path: string,
  leave: Leave,
  timeoutMs = 10_000,
): Promise<TrialOutcome> {
  return new Promise((resolve, reject) => {
    const own = session === undefined ? h2Session(port) : undefined;
    const s = session ?? own!;
    let received = 0;
    let left = false;
    let done = false;
    let text = '';
    let stream: http2.ClientHttp2Stream;
    try {
      stream = s.request(
        { ':path': path },
        leave.at === 'request' && leave.partial ? { endStream: false } : {},
      );
    } catch (error) {
      own?.destroy();
      reject(error);
      return;
    }
    const timer = setTimeout(() => {
      const state = `stream id ${stream.id}, pending ${stream.pending}, closed ${stream.closed}, rstCode ${stream.rstCode}, session ${own ? 'own' : 'shared'} closed ${s.closed} destroyed ${s.destroyed}, left ${left}, received ${received}`;
      stream.destroy();
      s.destroy();
      reject(
        new Error(
          `h2 trial ${path}: no close after ${timeoutMs} ms (${JSON.stringify(leave)}; ${state})`,
        ),
      );
    }, timeoutMs);
    const go = (): void => {
      if (left) return;
      left = true;
      if (own !== undefined) {
        own.destroy();
        return;
      }
      stream.close(http2.constants.NGHTTP2_CANCEL);
      // Node 20's client very rarely (≈ 1 in 15,000 here, right after request())
      // sends the RST_STREAM and marks the stream closed but never emits 'close';
      // the stream being closed with its reset code sent is the end of the trial too.
      void (async () => {
        while (!done && !(stream.closed && stream.rstCode !== undefined)) await immediate();
        finish();
      })();
    };
    stream.on('error', () => {});
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (own !== undefined && !own.destroyed) own.close();
      resolve({ received, left });
    };
    stream.on('close', finish);
    if (leave.at === 'request') {
      void (async () => {
        for (let i = 0; i < leave.turns; i++) await immediate();
        go();
      })();
    } else if (leave.at === 'ready') {
      void (async () => {
        while (!leave.ready() && !stream.closed) await immediate();
        go();
      })();
    }
    stream.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (left) return;
      if (leave.at === 'bytes' && received >= leave.n) go();
      else if (leave.at === 'comments') {
        text += chunk.toString('latin1');
        if (countComments(text) >= leave.n) go();
      }
    });
  });
}

/** A whole response as a client sees it, and whether it ended cleanly. */
export interface Fetched {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** True when the body ended cleanly (terminating chunk / Content-Length / END_STREAM). */
  readonly complete: boolean;
  /** The transport error, when the response was cut short. */
  readonly error: string | undefined;
}

/**
 * GET (or `method`) over a raw HTTP/1.1 socket: `target` is sent byte for byte (no
 * client-side normalisation of `..`, `%2e` or backslashes). Parses status, headers and
 * a Content-Length or chunked body, and says whether the body was complete.
 */
export function rawRequest(
  port: number,
  target: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<Fetched> {
  const method = options.method ?? 'GET';
  const headerLines = Object.entries({
    host: '127.0.0.1',
    connection: 'close',
    ...(options.body === undefined
      ? {}
      : { 'content-length': String(Buffer.byteLength(options.body)) }),
    ...options.headers,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const head = `${method} ${target} HTTP/1.1\r\n${headerLines}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `raw ${method} ${JSON.stringify(target).slice(0, 200)}: no answer after ${options.timeoutMs ?? 10_000} ms`,
        ),
      );
    }, options.timeoutMs ?? 10_000);
    socket.on('error', (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
    });
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks), method === 'HEAD', error));
      } catch (e) {
        reject(e);
      }
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // A complete response ends the exchange even if the server keeps the
      // connection open (it may, despite `Connection: close`: see sse.test.ts).
      if (parseResponse(Buffer.concat(chunks), method === 'HEAD').complete && error === undefined) {
        const r = parseResponse(Buffer.concat(chunks), method === 'HEAD');
        if (
          r.status !== 0 &&
          (r.headers['content-length'] !== undefined ||
            r.headers['transfer-encoding'] === 'chunked' ||
            method === 'HEAD' ||
            r.status === 204 ||
            r.status === 304)
        ) {
          finish();
          socket.destroy();
        }
      }
    });
    socket.on('close', finish);
    socket.write(Buffer.from(head, 'latin1'));
    if (options.body !== undefined) socket.write(options.body);
  });
}

/** Parses one HTTP/1.1 response (head, then a Content-Length, chunked or close-delimited body). */
export function parseResponse(raw: Buffer, head: boolean, error?: string): Fetched {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) {
    return {
      status: 0,
      headers: {},
      body: Buffer.alloc(0),
      complete: false,
      error: error ?? `no response head (${raw.byteLength} bytes)`,
    };
  }
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string | string[] | undefined> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    headers[name] =
      previous === undefined
        ? value
        : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  let rest = raw.subarray(end + 4);
  if (head || status === 204 || status === 304) {
    return { status, headers, body: Buffer.alloc(0), complete: true, error };
  }
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd === -1)
        return {
          status,
          headers,
          body: Buffer.concat(parts),
          complete: false,
          error: error ?? 'no terminating chunk',
        };
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (!Number.isFinite(size))
        return {
          status,
          headers,
          body: Buffer.concat(parts),
          complete: false,
          error: 'bad chunk size',
        };
      if (size === 0) return { status, headers, body: Buffer.concat(parts), complete: true, error };
      if (rest.byteLength < lineEnd + 2 + size + 2) {
        parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        return {
          status,
          headers,
          body: Buffer.concat(parts),
          complete: false,
          error: error ?? 'no terminating chunk',
        };
      }
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
  }
  const length = headers['content-length'];
  if (typeof length === 'string') {
    const n = Number(length);
    return { status, headers, body: rest.subarray(0, n), complete: rest.byteLength >= n, error };
  }
  return { status, headers, body: rest, complete: true, error };
}

/** GET over an h2c session of its own; says whether the stream ended cleanly. */
export function h2Request(
  port: number,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
  } = {},
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const session = h2Session(port);
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    let error: string | undefined;
    let ended = false;
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`h2 ${path}: no answer after ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    const stream = session.request(
      { ':path': path, ':method': options.method ?? 'GET', ...options.headers },
      { endStream: options.body === undefined },
    );
    if (options.body !== undefined) stream.end(options.body);
    stream.on('response', (h) => {
      status = Number(h[':status']);
      headers = h as typeof headers;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      ended = true;
    });
    stream.on('error', (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message;
    });
    stream.on('close', () => {
      clearTimeout(timer);
      const reset =
        stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR;
      session.close();
      resolve({
        status,
        headers,
        body: Buffer.concat(chunks),
        complete: ended && !reset && error === undefined,
        error: error ?? (reset ? `stream reset ${stream.rstCode}` : undefined),
      });
    });
  });
}

/** A request over HTTP/1.1 (raw socket) or h2c. */
export function request(
  http2: boolean,
  port: number,
  target: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<Fetched> {
  return http2 ? h2Request(port, target, options) : rawRequest(port, target, options);
}
