// The event channel's unit tests over a fake sink (a pure model of backpressure), in
// one file because they follow one state machine (open, closing, ended) through
// every way a stream can end; the buffer's policies have their own file.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeSink } from '../../test/fake-sink';
import { SseError } from '../errors';
import { EventChannel } from './event-channel';
import { adoptProducerResult } from './producer';
import { type StreamSettings, streamSettings } from './settings';

function settings(overrides: Partial<StreamSettings> = {}): StreamSettings {
  return { heartbeatMs: 0, size: 1000, policy: 'wait', retry: undefined, ...overrides };
}

const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

// Each event below encodes to exactly 100 bytes ('data: ' + 92 chars + '\n\n').
const event = (n: number) => ({ data: `${String(n).padStart(3, '0')}`.padEnd(92, '.') });
const numbers = (sink: ReturnType<typeof fakeSink>) =>
  sink.events.map((e) => Number(e.data.slice(0, 3)));

afterEach(() => {
  vi.useRealTimers();
});

describe('EventChannel', () => {
  it('writes an event to the sink before send() returns when the client keeps up', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    void channel.streamTo(sink);
    const sent = channel.send({ event: 'a', data: 'x' });
    expect(sink.text).toBe('event: a\ndata: x\n\n');
    expect(sink.flushes).toBeGreaterThan(0);
    expect(channel.bufferedBytes).toBe(0);
    await expect(sent).resolves.toBe(true);
  });

  it('sends retry first when given', () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings({ retry: 0 }), undefined);
    void channel.streamTo(sink, () => void channel.send({ data: 'x' }));
    expect(sink.text).toBe('retry: 0\n\ndata: x\n\n');
  });

  it('wait: buffers up to the bound, then send() waits until the client reads; order kept', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings({ size: 300 }), undefined);
    void channel.streamTo(sink);
    sink.stall();
    const results: Promise<boolean>[] = [];
    for (let i = 1; i <= 6; i++) results.push(channel.send(event(i)));
    // 1 went to the (stalled) sink, 2-4 fill the 300-byte buffer, 5 and 6 wait.
    expect(channel.bufferedBytes).toBe(300);
    let settled = 0;
    for (const r of results) void r.then(() => settled++);
    await ticks();
    expect(settled).toBe(4);
    sink.drain();
    await ticks();
    expect(settled).toBe(6);
    expect(numbers(sink)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('drop-newest: keeps the oldest events, drops the rest, reports them', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings({ size: 300, policy: 'drop-newest' }), undefined);
    void channel.streamTo(sink);
    sink.stall();
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => channel.send(event(i))));
    expect(results).toEqual([true, true, true, true, false, false, false]);
    expect(channel.bufferedBytes).toBe(300);
    expect(channel.droppedEvents).toBe(3);
    sink.drain();
    await ticks();
    expect(numbers(sink)).toEqual([1, 2, 3, 4]);
  });

  it('drop-oldest: keeps the newest events within the bound', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings({ size: 300, policy: 'drop-oldest' }), undefined);
    void channel.streamTo(sink);
    sink.stall();
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => channel.send(event(i))));
    expect(results.every(Boolean)).toBe(true);
    expect(channel.bufferedBytes).toBe(300);
    expect(channel.droppedEvents).toBe(3);
    sink.drain();
    await ticks();
    expect(numbers(sink)).toEqual([1, 5, 6, 7]);
  });

  it('takes an event larger than the bound into an empty buffer (at most one event over)', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings({ size: 50, policy: 'drop-oldest' }), undefined);
    void channel.streamTo(sink);
    sink.stall();
    await channel.send(event(1));
    await channel.send(event(2));
    expect(channel.bufferedBytes).toBe(100);
    await channel.send(event(3));
    expect(channel.bufferedBytes).toBe(100);
    sink.drain();
    await ticks();
    expect(numbers(sink)).toEqual([1, 3]);
  });

  it('close() sends what is buffered, then ends once with reason closed', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings({ size: 1000 }), undefined);
    const ends: unknown[] = [];
    channel.onEnd((reason) => ends.push(reason));
    const done = channel.streamTo(sink);
    sink.stall();
    void channel.send(event(1));
    void channel.send(event(2));
    channel.close();
    channel.close();
    expect(channel.signal.aborted).toBe(true);
    await expect(channel.send(event(3))).rejects.toSatisfy(
      (e) => SseError.isError(e) && e.code === 'CLOSED' && e.reason?.code === 'CLOSED',
    );
    expect(ends).toEqual([]);
    sink.drain();
    await expect(done).resolves.toBeUndefined();
    await expect(channel.closed).resolves.toEqual({ code: 'CLOSED' });
    expect(ends).toEqual([{ code: 'CLOSED' }]);
    expect(numbers(sink)).toEqual([1, 2]);
  });

  it('rejects sends still waiting for room when the stream closes', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings({ size: 100 }), undefined);
    void channel.streamTo(sink);
    sink.stall();
    await channel.send(event(1));
    await channel.send(event(2));
    const waiting = channel.send(event(3));
    sink.disconnect();
    await expect(waiting).rejects.toSatisfy(
      (e) => SseError.isError(e) && e.code === 'CLOSED' && /CLIENT_DISCONNECT/.test(e.message),
    );
    await expect(channel.closed).resolves.toMatchObject({ code: 'CLIENT_DISCONNECT' });
    expect(channel.bufferedBytes).toBe(0);
  });

  it('ends at once, exactly once, when the sink aborts, with the adapter reason code', async () => {
    for (const code of ['CLIENT_DISCONNECT', 'SERVER_STOP', 'TIMEOUT', 'something-else']) {
      const sink = fakeSink();
      const channel = new EventChannel(settings(), undefined);
      const ends: string[] = [];
      channel.onEnd((reason) => ends.push(reason.code));
      const done = channel.streamTo(sink);
      sink.disconnect(code);
      channel.close();
      expect(ends).toEqual([code === 'something-else' ? 'ABORTED' : code]);
      await expect(done).resolves.toBeUndefined();
      expect(channel.signal.aborted).toBe(true);
      expect(SseError.isError(channel.signal.reason)).toBe(true);
    }
  });

  it('a failing producer ends the stream as an error and rejects run() so the adapter aborts', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    const boom = new Error('boom');
    const done = channel.streamTo(sink, () => {
      throw boom;
    });
    await expect(done).rejects.toBe(boom);
    await expect(channel.closed).resolves.toEqual({ code: 'ERROR', error: boom });
  });

  it('drains an async generator, closes when it completes', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    async function* three() {
      yield { event: 'a', data: '1' };
      yield { event: 'b', data: '2' };
      yield { event: 'c', data: '3' };
    }
    await channel.streamTo(sink, () => adoptProducerResult(channel, three()));
    expect(sink.events.map((e) => e.event)).toEqual(['a', 'b', 'c']);
    await expect(channel.closed).resolves.toEqual({ code: 'CLOSED' });
  });

  it("runs a generator's finally when the client leaves while it waits", async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    let cleaned = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* forever() {
      try {
        yield { data: 'first' };
        await gate;
        for (;;) yield { data: 'more' };
      } finally {
        cleaned = true;
      }
    }
    const done = channel.streamTo(sink, () => adoptProducerResult(channel, forever()));
    await ticks();
    sink.disconnect();
    await done;
    release();
    await ticks();
    expect(cleaned).toBe(true);
    expect(sink.events.map((e) => e.data)).toEqual(['first']);
  });

  it('an invalid yielded event fails the stream and stops the generator', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    let cleaned = false;
    async function* bad() {
      try {
        yield { event: 'x\ny', data: '1' };
        yield { data: 'never' };
      } finally {
        cleaned = true;
      }
    }
    await expect(
      channel.streamTo(sink, () => adoptProducerResult(channel, bad())),
    ).rejects.toSatisfy((e) => SseError.isError(e) && e.field === 'event');
    await ticks();
    expect(cleaned).toBe(true);
    expect(sink.text).toBe('');
  });

  it('a rejected onReady promise fails the stream', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    const boom = new Error('later');
    await expect(
      channel.streamTo(sink, () => adoptProducerResult(channel, Promise.reject(boom))),
    ).rejects.toBe(boom);
  });

  it('an onEnd listener that throws does not stop the others and rejects run()', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    const seen: string[] = [];
    const oops = new Error('listener');
    channel.onEnd(() => {
      throw oops;
    });
    channel.onEnd((r) => seen.push(r.code));
    const done = channel.streamTo(sink);
    channel.close();
    await expect(done).rejects.toBe(oops);
    expect(seen).toEqual(['CLOSED']);
  });

  it('heartbeat: a comment after heartbeatMs of idleness, none while events flow', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const sink = fakeSink();
    const channel = new EventChannel(settings({ heartbeatMs: 100 }), undefined);
    void channel.streamTo(sink);
    // Busy: an event every 40 ms for a second: no heartbeat.
    for (let i = 0; i < 25; i++) {
      vi.advanceTimersByTime(40);
      void channel.send({ data: String(i) });
    }
    expect(sink.comments).toEqual([]);
    // Idle: a comment after between one and one and a quarter periods of silence.
    vi.advanceTimersByTime(98);
    expect(sink.comments).toEqual([]);
    vi.advanceTimersByTime(27);
    expect(sink.comments).toEqual(['']);
    vi.advanceTimersByTime(125);
    expect(sink.comments).toEqual(['', '']);
    expect(sink.text.endsWith(':\n:\n')).toBe(true);
    channel.close();
    vi.advanceTimersByTime(1000);
    expect(sink.comments).toHaveLength(2);
  });

  it('heartbeat: none while the client is not reading', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const sink = fakeSink();
    const channel = new EventChannel(settings({ heartbeatMs: 100 }), undefined);
    void channel.streamTo(sink);
    sink.stall();
    void channel.send({ data: 'x' });
    vi.advanceTimersByTime(1000);
    expect(sink.comments).toEqual([]);
    sink.disconnect(); // ends the stream: its heartbeat timer goes with it
  });

  it('comment() goes through the same buffer', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    void channel.streamTo(sink);
    await channel.comment('hello\nworld');
    expect(sink.comments).toEqual(['hello', 'world']);
    await expect(channel.comment(1 as never)).rejects.toThrow(/must be a string/);
  });

  it('send() rejects an invalid event without sending anything and stays open', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    void channel.streamTo(sink);
    await expect(channel.send({ id: 'a\nb', data: 'x' })).rejects.toThrow(/id must not contain/);
    expect(sink.text).toBe('');
    await channel.send({ data: 'ok' });
    expect(sink.events.map((e) => e.data)).toEqual(['ok']);
  });
});

describe('streamSettings', () => {
  it.each([
    [{ heartbeatMs: -1 }, /options\.heartbeatMs must be .* got -1/],
    [{ buffer: { size: 0 } }, /options\.buffer\.size must be a positive integer \(bytes\), got 0/],
    [
      { buffer: { policy: 'drop' } },
      /options\.buffer\.policy must be one of wait, drop-newest, drop-oldest, got "drop"/,
    ],
    [{ retry: -5 }, /options\.retry must be a non-negative integer \(ms\), got -5/],
    [{ buffer: 5 }, /options\.buffer must be an object/],
  ])('refuses %j with a message naming it', (options, message) => {
    expect(() => streamSettings(options as never, 'f()')).toThrow(message);
  });

  it('has documented defaults', () => {
    expect(streamSettings(undefined, 'f()')).toEqual({
      heartbeatMs: 10_000,
      size: 65_536,
      policy: 'wait',
      retry: undefined,
    });
  });

  it('keeps an end listener once, however often it is registered (a hub re-subscribing)', async () => {
    const sink = fakeSink();
    const channel = new EventChannel(settings(), undefined);
    const calls: string[] = [];
    const first = (r: { code: string }) => calls.push(`first ${r.code}`);
    const second = (r: { code: string }) => calls.push(`second ${r.code}`);
    channel.onEnd(first);
    channel.onEnd(second);
    channel.onEnd(first);
    channel.onEnd(second);
    const done = channel.streamTo(sink);
    channel.close();
    await done;
    expect(calls).toEqual(['first CLOSED', 'second CLOSED']);
  });
});
