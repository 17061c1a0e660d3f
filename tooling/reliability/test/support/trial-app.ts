// The application the disconnect trials run against: one route per body type, each
// producer instrumented so a test can tell that it started and that it was cleaned
// up (a generator's `finally`, a stream's destroy/cancel, a function's return, an
// event stream's onClientDisconnect), exactly once.
import { closeSync, createReadStream, ftruncateSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { file, ndjson, text } from '@plinth/body-writer';
import { enqueue, type Interceptor, interceptor } from '@plinth/interceptor';
import { queryParams, type RouteSpec, router } from '@plinth/router';
import { eventSource, eventStream } from '@plinth/sse';
import {
  type BodySink,
  type HttpContext,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
import type { Leave } from './clients';
import type { Random } from './random';

/** What the server side saw of one trial. */
export interface Probe {
  readonly id: string;
  readonly type: BodyType;
  /** The trial interceptor ran. */
  entered: boolean;
  /** The Node response closed (finished or cut). */
  closed: boolean;
  /** `request.signal.reason.code`, once the signal aborted. */
  aborted: string | undefined;
  /** The producer started holding something (a generator's body ran, a stream was made). */
  started: number;
  /** The producer let go (`finally`, destroy, cancel, return); exactly `started` when all is well. */
  cleaned: number;
  /** The event stream's onClientDisconnect / onClose calls, with their reason codes. */
  endings: string[];
  /** The event-stream interceptor's `enter` ran (so onClientDisconnect is owed). */
  streamEntered: boolean;
}

/** Every body type the trials cover. */
export const BODY_TYPES = [
  'string',
  'bytes',
  'json',
  'blob',
  'file',
  'generator',
  'async-generator',
  'text',
  'function',
  'readable',
  'fs-stream',
  'web-stream',
  'event-stream',
  'event-source',
  'low-level',
] as const;
export type BodyType = (typeof BODY_TYPES)[number];

/** Types whose producer lives while the body is written (tracked by started/cleaned). */
export const PRODUCERS: ReadonlySet<BodyType> = new Set([
  'generator',
  'async-generator',
  'text',
  'function',
  'readable',
  'fs-stream',
  'web-stream',
  'event-source',
  'low-level',
]);

/** Types that hold something from the moment the app creates them, before the body is written. */
export const HELD_FROM_CREATION: ReadonlySet<BodyType> = new Set([
  'readable',
  'fs-stream',
  'web-stream',
]);

/** Event-stream types (heartbeats while idle, onClientDisconnect / onClose). */
export const EVENT_STREAMS: ReadonlySet<BodyType> = new Set(['event-stream', 'event-source']);

const dir = mkdtempSync(join(tmpdir(), 'plinth-reliability-'));
/** A sparse 64 MiB file: far more than socket buffers hold. */
export const BIG_FILE: string = join(dir, 'big.bin');
{
  const fd = openSync(BIG_FILE, 'w');
  ftruncateSync(fd, 64 * 1024 * 1024);
  closeSync(fd);
}

const BIG_STRING = 'x'.repeat(192 * 1024);
const BIG_BYTES = Buffer.alloc(192 * 1024, 98);
const BIG_JSON = Array.from({ length: 3000 }, (_, i) => ({ i, name: `element ${i}`, ok: true }));
const ELEMENT = { id: 123456, name: 'an element of a long sequence', ok: true };
const CHUNK = Buffer.alloc(8192, 99);

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const nap = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The probes of the trials, by id. */
export const probes: Map<string, Probe> = new Map();

function probeFor(id: string, type: BodyType): Probe {
  let probe = probes.get(id);
  if (probe === undefined) {
    probe = {
      id,
      type,
      entered: false,
      closed: false,
      aborted: undefined,
      started: 0,
      cleaned: 0,
      endings: [],
      streamEntered: false,
    };
    probes.set(id, probe);
  }
  return probe;
}

/**
 * How fast a producer goes: `fast` never yields (it fills the socket buffers and
 * waits on backpressure), `paced` yields to a timer every ~32 KiB (the client leaves
 * while it is producing), `slow` waits on a timer between small writes (idle).
 */
export type Pace = 'fast' | 'paced' | 'slow';

/** Yields to the event loop as `pace` says, after `bytes` more bytes were produced. */
function pacer(pace: Pace): (bytes: number) => Promise<void> | undefined {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (pace === 'fast') {
      if (since < 256 * 1024) return undefined;
      since = 0;
      return tick();
    }
    if (pace === 'slow') return nap(2);
    if (since < 32 * 1024) return undefined;
    since = 0;
    return nap(1);
  };
}

const LINE = `${'y'.repeat(1000)}`;

/** The body of a ring response of `type`, instrumented on `probe`. */
function bodyOf(type: BodyType, probe: Probe, pace: Pace, length: number): unknown {
  const pause = pacer(pace);
  switch (type) {
    case 'string':
      return BIG_STRING;
    case 'bytes':
      return BIG_BYTES;
    case 'json':
      return BIG_JSON;
    case 'blob':
      return new Blob([BIG_BYTES]);
    case 'file':
      return file(BIG_FILE);
    case 'generator':
      // A synchronous sequence cannot wait: endless when fast, else `length` elements.
      return (function* () {
        probe.started++;
        try {
          for (let i = 0; pace === 'fast' || i < length; i++) yield LINE;
        } finally {
          probe.cleaned++;
        }
      })();
    case 'async-generator':
      return ndjson(
        (async function* () {
          probe.started++;
          try {
            for (;;) {
              yield ELEMENT;
              const wait = pause(64);
              if (wait !== undefined) await wait;
            }
          } finally {
            probe.cleaned++;
          }
        })(),
      );
    case 'text':
      return text(
        (async function* () {
          probe.started++;
          try {
            for (let i = 0; ; i++) {
              const chunk = i % 2 === 0 ? 'a line of text\n' : CHUNK;
              yield chunk;
              const wait = pause(chunk.length);
              if (wait !== undefined) await wait;
            }
          } finally {
            probe.cleaned++;
          }
        })(),
      );
    case 'function':
      return async (sink: BodySink) => {
        probe.started++;
        try {
          for (let i = 0; ; i++) {
            const chunk = i % 2 === 0 ? CHUNK : 'some text\n';
            const pending = sink.write(chunk);
            if (pending !== undefined) await pending;
            const wait = pause(chunk.length);
            if (wait !== undefined) await wait;
          }
        } finally {
          probe.cleaned++;
        }
      };
    case 'readable': {
      probe.started++;
      let reading = false;
      return new Readable({
        read() {
          if (reading) return;
          const wait = pause(CHUNK.length);
          if (wait === undefined) this.push(CHUNK);
          else {
            reading = true;
            void wait.then(() => {
              reading = false;
              if (!this.destroyed) this.push(CHUNK);
            });
          }
        },
        destroy(error, callback) {
          probe.cleaned++;
          callback(error);
        },
      });
    }
    case 'fs-stream': {
      probe.started++;
      const stream = createReadStream(BIG_FILE, { highWaterMark: pace === 'fast' ? 65536 : 16384 });
      stream.once('close', () => {
        probe.cleaned++;
      });
      return stream;
    }
    case 'web-stream': {
      let cancelled = false;
      return new ReadableStream<Uint8Array>({
        start() {
          probe.started++;
        },
        async pull(controller) {
          const wait = pause(CHUNK.length);
          if (wait !== undefined) await wait;
          controller.enqueue(new Uint8Array(CHUNK));
        },
        cancel() {
          if (!cancelled) probe.cleaned++;
          cancelled = true;
        },
      });
    }
    case 'event-source':
      return eventSource(
        (async function* () {
          probe.started++;
          try {
            yield { event: 'hello', data: 'first' };
            for (let i = 0; ; i++) {
              yield { id: i, data: { i, text: LINE } };
              // Idle (heartbeats go out meanwhile) or busy, as the trial asked.
              const wait = pause(1024);
              if (wait !== undefined) await wait;
            }
          } finally {
            probe.cleaned++;
          }
        })(),
        {
          heartbeatMs: 1,
          onClose: (reason) => {
            probe.endings.push(reason.code);
          },
        },
      );
    default:
      throw new Error(`no ring body for ${type}`);
  }
}

function markStream(probe: Probe): void {
  probe.streamEntered = true;
}

const idleStream = eventStream(
  (channel, ctx) => {
    // One event, then nothing: the stream idles on heartbeats until the client leaves.
    void channel.send({ event: 'hello', data: (ctx as TrialContext).probe?.id ?? '' });
  },
  {
    heartbeatMs: 2,
    onClientDisconnect: (ctx, reason) => {
      (ctx as TrialContext).probe?.endings.push(reason.code);
    },
  },
);

const busyStream = eventStream(
  async (channel, ctx) => {
    const pause = pacer((ctx as TrialContext).pace ?? 'paced');
    for (let i = 0; !channel.signal.aborted; i++) {
      const accepted = await channel.send({ id: i, data: { i, text: LINE } }).catch(() => false);
      if (!accepted) break;
      const wait = pause(1024);
      if (wait !== undefined) await wait;
    }
  },
  {
    heartbeatMs: 5,
    onClientDisconnect: (ctx, reason) => {
      (ctx as TrialContext).probe?.endings.push(reason.code);
    },
  },
);

interface TrialContext extends HttpContext {
  probe?: Probe;
  pace?: Pace;
}

const markStreamEntered: Interceptor<TrialContext> = interceptor<TrialContext>({
  name: 'mark-stream',
  enter: (ctx) => {
    if (ctx.probe !== undefined) markStream(ctx.probe);
    return ctx;
  },
});

async function lowLevel(ctx: TrialContext, probe: Probe, pace: Pace): Promise<TrialContext> {
  const pause = pacer(pace);
  probe.started++;
  try {
    await writeResponse(ctx, { status: 200, headers: { 'content-type': 'text/plain' } });
    for (let i = 0; ; i++) {
      const chunk = i % 2 === 0 ? CHUNK : 'a low-level line\n';
      await writeResponseBody(ctx, chunk);
      const wait = pause(chunk.length);
      if (wait !== undefined) await wait;
    }
  } catch (error) {
    // The client left: writes reject with the signal's reason. Anything else is a failure.
    if (!ctx.request.signal.aborted) throw error;
  } finally {
    probe.cleaned++;
  }
  return ctx;
}

const PACES: ReadonlySet<string> = new Set(['fast', 'paced', 'slow']);

/**
 * The trial interceptor: `GET /t/:type/:id?gate=1&pace=paced&length=100`. With `gate`,
 * it waits for the client to leave before answering (a response made after the
 * client went away); `pace` sets how fast producers go (see {@link Pace}); `length`
 * is the number of elements of a finite synchronous sequence.
 */
const trial: Interceptor<TrialContext> = interceptor<TrialContext>({
  name: 'trial',
  enter(ctx) {
    const params = ctx.request.pathParams!;
    const type = params.type as BodyType;
    const probe = probeFor(params.id!, type);
    probe.entered = true;
    ctx.probe = probe;
    const signal = ctx.request.signal;
    signal.addEventListener('abort', () => {
      probe.aborted = (signal.reason as { code?: string }).code ?? String(signal.reason);
    });
    (ctx.request.raw!.res as NodeJS.EventEmitter).once('close', () => {
      probe.closed = true;
    });
    const query = ctx.request.query ?? {};
    const pace = (PACES.has(String(query.pace)) ? query.pace : 'paced') as Pace;
    ctx.pace = pace;
    const length = Number(query.length ?? 100);
    const respond = (): TrialContext => {
      if (type === 'event-stream') {
        return enqueue(ctx, markStreamEntered, pace === 'slow' ? idleStream : busyStream);
      }
      if (type === 'low-level') return ctx; // answered by the next interceptor
      ctx.response = { status: 200, body: bodyOf(type, probe, pace, length) };
      return ctx;
    };
    if (query.gate === '1') {
      // Answer only once the client has gone.
      return new Promise<TrialContext>((resolve) => {
        if (signal.aborted) resolve(respond());
        else signal.addEventListener('abort', () => resolve(respond()), { once: true });
      });
    }
    return respond();
  },
});

const lowLevelInterceptor: Interceptor<TrialContext> = interceptor<TrialContext>({
  name: 'low-level',
  enter: (ctx) =>
    ctx.probe!.type === 'low-level' ? lowLevel(ctx, ctx.probe!, ctx.pace ?? 'paced') : ctx,
});

/** One trial: where it goes and when its client leaves. */
export interface Plan {
  readonly id: string;
  readonly path: string;
  readonly leave: Leave;
  readonly ownSession: boolean;
}

/**
 * A random plan for one trial. `gate` trials (the server answers only after the client
 * left) are left out for the types that hold a resource from creation: they are the
 * known bug checked in `unwritten-bodies.test.ts`.
 */
export function plan(type: BodyType, id: string, rnd: Random, withGate: boolean): Plan {
  const roll = rnd.next();
  let leave: Leave;
  let pace: Pace = rnd.pick(PACE_MIX);
  let gate = false;
  if (roll < 0.15) {
    leave = { at: 'request', turns: rnd.int(0, 3), partial: rnd.chance(0.3) };
  } else if (roll < 0.3 && withGate) {
    gate = true;
    leave = { at: 'ready', ready: () => probes.get(id)?.entered === true };
  } else if (roll < 0.45 && EVENT_STREAMS.has(type)) {
    // While the stream idles: after one to three heartbeats.
    pace = 'slow';
    leave = { at: 'comments', n: rnd.int(1, 3) };
  } else {
    // Log-uniform: the head, the first chunk, deep into the body (up to 1 MiB; 4 KiB
    // from a slow producer; 256 B from an idle event stream, which sends heartbeats only).
    const bits = pace !== 'slow' ? 20 : type === 'event-stream' ? 8 : 12;
    leave = { at: 'bytes', n: Math.ceil(2 ** (rnd.next() * bits)) };
  }
  const query = [gate ? 'gate=1' : '', `pace=${pace}`, `length=${rnd.int(0, 1200)}`]
    .filter(Boolean)
    .join('&');
  return {
    id,
    path: `/t/${type}/${id}?${query}`,
    leave,
    ownSession: rnd.chance(0.2),
  };
}

/** 10 % fast (fills the socket buffers, waits on backpressure), 60 % paced, 30 % slow. */
const PACE_MIX: readonly Pace[] = [
  'fast',
  ...Array<Pace>(6).fill('paced'),
  ...Array<Pace>(3).fill('slow'),
];

/** The trial route, `GET /t/:type/:id`, for composing with other routes. */
export function trialRoute(): RouteSpec {
  return ['/t/:type/:id', 'GET', [trial, lowLevelInterceptor]];
}

/** The service: queryParams, then a router with the trial route. */
export function trialService(): Interceptor<any>[] {
  return [queryParams, router([trialRoute()])];
}

/** What went wrong with a trial's probe, or `undefined` when its producer is fully accounted for. */
export function probeProblem(probe: Probe): string | undefined {
  if (!probe.entered) return undefined;
  if (!probe.closed) return 'the response never closed';
  if (probe.cleaned !== probe.started) {
    return `producer started ${probe.started}, cleaned up ${probe.cleaned}`;
  }
  if (probe.type === 'event-stream' && probe.streamEntered && probe.endings.length !== 1) {
    return `onClientDisconnect ran ${probe.endings.length} times (${probe.endings.join(', ')})`;
  }
  if (probe.type === 'event-source' && probe.started > 0 && probe.endings.length !== 1) {
    return `onClose ran ${probe.endings.length} times (${probe.endings.join(', ')})`;
  }
  return undefined;
}
