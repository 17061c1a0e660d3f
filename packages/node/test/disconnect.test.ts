// Issue 3, "Behaviour to prove": backpressure against a client that reads nothing,
// and a client that disconnects mid-body (every producer stops and frees what it
// holds, pending writes settle, nothing is logged as an error), over HTTP/1.1 and h2c.
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { file, text } from '@plinth/body-writer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeAdapterError, type PlinthServer } from '../src/index';
import { streamFor } from '../src/testing';
import { expectNoErrorLogs, PROTOCOLS, serve, waitFor } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'plinth-node-fd-'));
const bigFile = join(dir, 'big.bin');
{
  // A sparse 256 MiB file: far more than the socket buffers hold.
  const fd = openSync(bigFile, 'w');
  ftruncateSync(fd, 256 * 1024 * 1024);
  closeSync(fd);
}

function descriptorsOf(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

interface Probe {
  produced: number;
  lastProducedAt: number;
  finallyAt: number | undefined;
  destroyedAt: number | undefined;
  cancelledAt: number | undefined;
  writeSettledAt: number | undefined;
  writeOutcome: unknown;
  res: any;
  abortedAt: number | undefined;
}

function newProbe(): Probe {
  return {
    produced: 0,
    lastProducedAt: 0,
    finallyAt: undefined,
    destroyedAt: undefined,
    cancelledAt: undefined,
    writeSettledAt: undefined,
    writeOutcome: undefined,
    res: undefined,
    abortedAt: undefined,
  };
}

let probe = newProbe();
const ELEMENT = { id: 123456, name: 'an element of an endless sequence', ok: true };

const bodies: Record<string, () => unknown> = {
  generator: () =>
    (function* () {
      try {
        for (;;) {
          probe.produced++;
          probe.lastProducedAt = performance.now();
          yield ELEMENT;
        }
      } finally {
        probe.finallyAt = performance.now();
      }
    })(),
  'async generator': () =>
    text(
      (async function* () {
        try {
          for (;;) {
            probe.produced++;
            probe.lastProducedAt = performance.now();
            yield 'x'.repeat(1000);
            if (probe.produced % 100 === 0) await new Promise((r) => setImmediate(r));
          }
        } finally {
          probe.finallyAt = performance.now();
        }
      })(),
    ),
  Readable: () =>
    new Readable({
      read() {
        probe.produced++;
        probe.lastProducedAt = performance.now();
        this.push(Buffer.alloc(8192, 97));
      },
      destroy(error, callback) {
        probe.destroyedAt = performance.now();
        callback(error);
      },
    }),
  ReadableStream: () =>
    new ReadableStream({
      pull(controller) {
        probe.produced++;
        probe.lastProducedAt = performance.now();
        controller.enqueue(new Uint8Array(8192));
      },
      cancel() {
        probe.cancelledAt = performance.now();
      },
    }),
  function: () => async (sink: any) => {
    for (;;) {
      probe.produced++;
      probe.lastProducedAt = performance.now();
      const pending = sink.write('y'.repeat(4096));
      if (pending) {
        try {
          await pending;
        } catch (error) {
          probe.writeSettledAt = performance.now();
          probe.writeOutcome = error;
          throw error;
        }
      }
    }
  },
  file: () => file(bigFile),
};

describe.each(PROTOCOLS)('a slow or vanishing client over $name', ({ http2 }) => {
  let server: PlinthServer;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];
  beforeAll(async () => {
    ({ server, logger } = await serve(
      [
        {
          name: 'endless',
          enter: (ctx: any) => {
            probe.res = ctx.request.raw.res;
            const signal: AbortSignal = ctx.request.signal;
            signal.addEventListener('abort', () => {
              probe.abortedAt = performance.now();
            });
            ctx.response = {
              status: 200,
              body: bodies[decodeURIComponent(ctx.request.path.slice(1))]!(),
            };
            return ctx;
          },
        },
      ],
      { http2 },
    ));
  });
  afterAll(() => server.stop());
  afterEach(() => {
    expect(unhandled).toEqual([]);
  });

  async function untilStalled(): Promise<void> {
    // The producer is paused once nothing was produced for 100 ms (bounded wait).
    await waitFor(
      () => probe.produced > 0 && performance.now() - probe.lastProducedAt > 100,
      'the producer to stall',
      8000,
    );
  }

  function heldByServer(): number {
    const res = probe.res;
    return http2 ? res.stream.writableLength : res.writableLength;
  }

  it('an endless generator to a client that reads nothing: the generator pauses, the server holds little', async () => {
    probe = newProbe();
    const response = await streamFor(server, 'GET', '/generator');
    await untilStalled();
    const producedAtStall = probe.produced;
    const elementBytes = JSON.stringify(ELEMENT).length + 1;
    // Node's buffer for the response plus the sink's 16 KiB coalescing buffer.
    expect(heldByServer() + 16 * 1024).toBeLessThanOrEqual(1024 * 1024);
    // What was produced fits in the socket buffers: bounded, not endless.
    expect(producedAtStall * elementBytes).toBeLessThan(64 * 1024 * 1024);
    // Still paused a while later.
    await new Promise((r) => setTimeout(r, 150));
    expect(probe.produced).toBe(producedAtStall);
    await response.close();
    await waitFor(() => probe.finallyAt !== undefined, "the generator's finally");
  });

  it.each(Object.keys(bodies))(
    'a client that disconnects mid-body (%s): the producer stops and frees what it holds within 100 ms; no error log',
    async (kind) => {
      probe = newProbe();
      logger.entries.splice(0);
      const fdsBefore = descriptorsOf(bigFile);
      const response = await streamFor(server, 'GET', `/${encodeURIComponent(kind)}`);
      expect(response.status).toBe(200);
      await response.read();
      if (kind === 'file') expect(descriptorsOf(bigFile)).toBe(fdsBefore + 1);
      else await untilStalled();
      const closedAt = performance.now();
      await response.close();
      let fileClosedAt: number | undefined;
      const cleanedAt: Record<string, () => number | undefined> = {
        generator: () => probe.finallyAt,
        'async generator': () => probe.finallyAt,
        Readable: () => probe.destroyedAt,
        ReadableStream: () => probe.cancelledAt,
        function: () => probe.writeSettledAt,
        file: () => {
          if (fileClosedAt === undefined && descriptorsOf(bigFile) === fdsBefore) {
            fileClosedAt = performance.now();
          }
          return fileClosedAt;
        },
      };
      await waitFor(() => cleanedAt[kind]!() !== undefined, `${kind} to be cleaned up`, 2000);
      // The server noticed the socket closing (its 'close' aborted the signal) and the
      // producer was stopped within 100 ms of that.
      expect(probe.abortedAt).toBeDefined();
      expect(cleanedAt[kind]!()! - probe.abortedAt!).toBeLessThan(100);
      expect(probe.abortedAt! - closedAt).toBeLessThan(1000);
      if (kind === 'function') {
        expect(NodeAdapterError.isError(probe.writeOutcome)).toBe(true);
        expect((probe.writeOutcome as NodeAdapterError).code).toBe('CLIENT_DISCONNECT');
      }
      // Let the chain finish, then check the log.
      await waitFor(() => logger.at('debug').length > 0, 'the debug log of the disconnect');
      expectNoErrorLogs(logger);
      for (const entry of logger.entries) expect(entry.obj.err).toBeUndefined();
    },
  );
});
