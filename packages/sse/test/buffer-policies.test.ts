// Each buffer policy under a client that reads nothing, over real sockets: memory
// stays bounded and the right events are dropped (or the producer waits).
import { setImmediate as tick } from 'node:timers/promises';
import type { HttpContext } from '@plinth/writeable-body';
import { afterEach, describe, expect, it } from 'vitest';
import { type BufferPolicy, type Channel, eventStream } from '../src/index';
import { deferred, openStream, PROTOCOLS, type Served, serve, within } from './net';

const SIZE = 32 * 1024;
const PAYLOAD = 'x'.repeat(8 * 1024);
// The sink hands a chunk to Node when the socket is below its 16 KiB high-water mark;
// Node then holds at most that mark plus the chunk that crossed it.
const NODE_BOUND = 16 * 1024 + PAYLOAD.length + 100;

let served: Served | undefined;
afterEach(async () => {
  await served?.stop(200);
  served = undefined;
});

/** Bytes Node holds for this response (not yet taken by the kernel). */
function nodeBuffered(ctx: HttpContext): number {
  const res = ctx.request.raw?.res as
    | { writableLength?: number; stream?: { writableLength: number } }
    | undefined;
  return res?.stream?.writableLength ?? res?.writableLength ?? 0;
}

interface Outcome {
  lastSent: number;
  /** Ids whose send() resolved false (drop-newest). */
  refused: Set<number>;
  dropped: number;
  maxBuffered: number;
  maxNode: number;
  blockedAt?: number;
}

async function fillWhilePaused(
  channel: Channel,
  ctx: HttpContext,
  policy: BufferPolicy,
  filled: (outcome: Outcome) => void,
  resumed: Promise<void>,
): Promise<void> {
  const outcome: Outcome = {
    lastSent: 0,
    refused: new Set(),
    dropped: 0,
    maxBuffered: 0,
    maxNode: 0,
  };
  const measure = (): void => {
    outcome.maxBuffered = Math.max(outcome.maxBuffered, channel.bufferedBytes);
    outcome.maxNode = Math.max(outcome.maxNode, nodeBuffered(ctx));
  };
  let i = 0;
  if (policy === 'wait') {
    for (;;) {
      i++;
      let settled = false;
      const sent = channel.send({ id: i, data: PAYLOAD }).then(() => {
        settled = true;
      });
      await tick();
      await tick();
      measure();
      if (!settled) {
        // Full: the producer is held until the client reads.
        outcome.blockedAt = i;
        outcome.lastSent = i;
        filled(outcome);
        await resumed;
        await sent;
        break;
      }
      if (i > 100_000) throw new Error('the buffer never filled');
    }
    for (let k = 0; k < 5; k++) await channel.send({ id: ++i, data: PAYLOAD });
    outcome.lastSent = i;
  } else {
    while (channel.droppedEvents < 20) {
      i++;
      if (!(await channel.send({ id: i, data: PAYLOAD }))) outcome.refused.add(i);
      measure();
      if (i % 16 === 0) await tick();
      if (i > 100_000) throw new Error('nothing was ever dropped');
    }
    outcome.lastSent = i;
    outcome.dropped = channel.droppedEvents;
    filled(outcome);
  }
  channel.close();
}

describe.each(PROTOCOLS)('buffer policies over %s with a client that reads nothing', (protocol) => {
  it.each(['drop-newest', 'drop-oldest', 'wait'] as const)('%s', async (policy) => {
    const filled = deferred<Outcome>();
    const resumed = deferred();
    served = await serve(
      [
        eventStream(
          (channel, ctx) => fillWhilePaused(channel, ctx, policy, filled.resolve, resumed.promise),
          { heartbeatMs: 0, buffer: { size: SIZE, policy } },
        ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await client.response;
    client.pause();
    const outcome = await within(filled.promise, 10_000, 'the buffer to fill');
    // Memory stays bounded whatever the client does.
    expect(outcome.maxBuffered).toBeLessThanOrEqual(SIZE);
    expect(outcome.maxNode).toBeLessThanOrEqual(NODE_BOUND);
    client.resume();
    resumed.resolve();
    await within(client.ended, 10_000, 'the stream to end');
    const ids = client.events.map((e) => Number(e.id));
    expect(client.events.every((e) => e.data === PAYLOAD)).toBe(true);
    const { lastSent, dropped } = outcome;
    // Order is kept, nothing is duplicated, and what is missing is what was dropped.
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    expect(ids.length).toBe(lastSent - dropped);
    if (policy === 'drop-newest') {
      // Exactly the events refused at send() time are missing (the kernel may still
      // take some bytes now and then, so later events can get in after a refusal).
      expect(outcome.refused.size).toBe(dropped);
      const all = Array.from({ length: lastSent }, (_, k) => k + 1);
      expect(ids).toEqual(all.filter((id) => !outcome.refused.has(id)));
      expect(ids).not.toContain(lastSent);
    } else if (policy === 'drop-oldest') {
      // Every send was taken; the oldest buffered ones made room, so the newest that
      // fit in the buffer all arrive.
      const fit = Math.floor(SIZE / (PAYLOAD.length + 20));
      for (let id = lastSent - fit + 1; id <= lastSent; id++) expect(ids).toContain(id);
      expect(dropped).toBeGreaterThanOrEqual(20);
    } else {
      // Nothing lost: the producer waited.
      expect(outcome.blockedAt).toBeGreaterThan(1);
      expect(dropped).toBe(0);
      expect(ids).toEqual(Array.from({ length: lastSent }, (_, k) => k + 1));
    }
  });
});
