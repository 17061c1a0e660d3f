// The part every benchmark server shares: configuration from the environment, the
// data the scenarios serve (so every framework sends the same bytes), counters the
// orchestrator reads, and the control channel (IPC) it reads them through.
import { readdirSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hrtime } from 'node:process';

/** What the orchestrator passes in the environment. @internal */
export interface ServerConfig {
  /** The file scenario 2 serves. */
  readonly filePath: string;
  /** Elements of scenario 3's sequence. */
  readonly seqN: number;
  /** Extra no-op interceptors (Plinth only; scenario 1). */
  readonly interceptors: number;
  /** Bytes per chunk of the large stream of scenarios 5 and 6. */
  readonly chunkBytes: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** @internal */
export const config: ServerConfig = {
  filePath: process.env.BENCH_FILE ?? '',
  seqN: intFromEnv('BENCH_SEQ_N', 1_000_000),
  interceptors: intFromEnv('BENCH_INTERCEPTORS', 0),
  chunkBytes: intFromEnv('BENCH_CHUNK_BYTES', 64 * 1024),
};

/** Scenario 1's body, the one fastify/benchmarks uses. @internal */
export const HELLO: { readonly hello: string } = { hello: 'world' };

/** One element of scenario 3's sequence. @internal */
export interface Item {
  id: number;
  name: string;
}

/**
 * The JSON Schema of an {@link Item}, for the servers that can serialise with one
 * (Plinth's element schema). Properties in the order `item()` creates them, all
 * required, so the bytes are JSON.stringify's.
 * @internal
 */
export const ITEM_SCHEMA: Readonly<Record<string, unknown>> = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
  required: ['id', 'name'],
};

/** The i-th element of scenario 3's sequence (the client checks every one). @internal */
export function item(i: number): Item {
  return { id: i, name: `item ${i}` };
}

/** Scenario 3's lazy sequence: `n` elements, made one at a time. @internal */
export function* items(n: number = config.seqN): Generator<Item> {
  for (let i = 0; i < n; i++) yield item(i);
}

/**
 * The pieces of a JSON array written one element at a time: `[` + first element,
 * `,` + each next one, then `]`. What a peer without a sequence writer streams.
 * @internal
 */
export function* jsonArrayPieces(n: number = config.seqN): Generator<string> {
  if (n === 0) {
    yield '[]';
    return;
  }
  yield `[${JSON.stringify(item(0))}`;
  for (let i = 1; i < n; i++) yield `,${JSON.stringify(item(i))}`;
  yield ']';
}

/**
 * The other sequence: the numbers 0 to n − 1, lazily (what an element
 * costs besides its serialisation shows most here). @internal
 */
export function* numbers(n: number = config.seqN): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** The numbers as JSON array pieces, one per element, as {@link jsonArrayPieces}. @internal */
export function* numberPieces(n: number = config.seqN): Generator<string> {
  if (n === 0) {
    yield '[]';
    return;
  }
  yield '[0';
  for (let i = 1; i < n; i++) yield `,${i}`;
  yield ']';
}

/** NDJSON lines, one per element. @internal */
export function* ndjsonPieces(n: number = config.seqN): Generator<string> {
  for (let i = 0; i < n; i++) yield `${JSON.stringify(item(i))}\n`;
}

/** Counters of the large stream's producers (scenarios 5 and 6). @internal */
export const counters: { produced: number; started: number; finished: number } = {
  produced: 0,
  started: 0,
  finished: 0,
};

const TEMPLATE = Buffer.alloc(config.chunkBytes, 'abcdefghijklmnopqrstuvwxyz0123456789\n');

/**
 * The large stream: practically endless chunks, each a fresh buffer (so a server
 * that buffers without bound shows it in RSS, not only in counters). `finally`
 * counts producers that were stopped, which is how leaks of scenario 6 show.
 * @internal
 */
export function* bigStream(totalBytes: number = Number.MAX_SAFE_INTEGER): Generator<Buffer> {
  counters.started++;
  try {
    for (let sent = 0; sent < totalBytes; sent += TEMPLATE.length) {
      const chunk = Buffer.allocUnsafe(TEMPLATE.length);
      TEMPLATE.copy(chunk);
      counters.produced += chunk.length;
      yield chunk;
    }
  } finally {
    counters.finished++;
  }
}

let padding = '';

/**
 * The SSE payload: plain text so that JSON encoding by a framework keeps it
 * parseable, plus `pad` filler bytes (scenario 5 sends large events). Padded
 * payloads are fresh flat strings, as a JSON.stringify result would be (a rope
 * sharing one filler would make a queue of them look nearly free).
 * @internal
 */
export function ssePayload(seq: number, pad = 0): string {
  const head = `seq=${seq} t=${hrtime.bigint()}`;
  if (pad === 0) return head;
  if (padding.length !== pad) padding = ` ${'x'.repeat(pad - 1)}`;
  return Buffer.from(head + padding, 'latin1').toString('latin1');
}

/** What a server does for the orchestrator besides serving. @internal */
export interface ServerHooks {
  /** Sends one event with `data` to every connected SSE client. */
  broadcast?: ((data: string) => void | Promise<void>) | undefined;
  /** Number of SSE clients the framework knows of. */
  sseClients?: (() => number) | undefined;
}

/** What the orchestrator can read from a server. @internal */
export interface ServerStats {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  fds: number | undefined;
  handles: number;
  tcpHandles: number;
  sockets: number;
  socketBuffered: number;
  produced: number;
  producersStarted: number;
  producersFinished: number;
  sseClients: number | undefined;
}

/** Messages from the orchestrator. @internal */
export type ControlMessage =
  | { id: number; type: 'stats'; gc?: boolean }
  | { id: number; type: 'broadcast'; seq: number; pad?: number }
  | { id: number; type: 'exit' };

function countFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

function stats(sockets: ReadonlySet<Socket>, hooks: ServerHooks): ServerStats {
  const memory = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  let socketBuffered = 0;
  for (const socket of sockets) socketBuffered += socket.writableLength;
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    fds: countFds(),
    handles: resources.length,
    tcpHandles: resources.filter((r) => r.startsWith('TCP')).length,
    sockets: sockets.size,
    socketBuffered,
    produced: counters.produced,
    producersStarted: counters.started,
    producersFinished: counters.finished,
    sseClients: hooks.sseClients?.(),
  };
}

/**
 * Hands a listening server to the orchestrator: tracks its sockets, answers the
 * control messages, and announces the port.
 * @internal
 */
export function announce(server: Server, hooks: ServerHooks = {}): void {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const send = (message: unknown): void => {
    process.send?.(message);
  };
  process.on('message', (message: ControlMessage) => {
    void (async () => {
      try {
        if (message.type === 'stats') {
          if (message.gc && typeof globalThis.gc === 'function') {
            globalThis.gc();
            globalThis.gc();
          }
          send({ id: message.id, ok: true, value: stats(sockets, hooks) });
        } else if (message.type === 'broadcast') {
          if (!hooks.broadcast) throw new Error('this server has no SSE broadcast');
          const started = performance.now();
          await hooks.broadcast(ssePayload(message.seq, message.pad));
          send({ id: message.id, ok: true, value: performance.now() - started });
        } else if (message.type === 'exit') {
          send({ id: message.id, ok: true, value: null });
          process.exit(0);
        }
      } catch (error) {
        send({ id: message.id, ok: false, error: String((error as Error)?.stack ?? error) });
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  const address = server.address() as AddressInfo;
  send({ type: 'ready', port: address.port });
}

/** The orchestrator gives the server 127.0.0.1 and an ephemeral port. @internal */
export const HOST = '127.0.0.1';

/** Writes `pieces` to a Node response one write each, waiting for `drain` when told. @internal */
export async function writeEach(res: ServerResponse, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  res.end();
}
