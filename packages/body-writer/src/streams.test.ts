import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectingSink, until } from '../test/sink';
import { writeBodyToStream } from './body';

function endlessReadable(): Readable {
  let i = 0;
  return new Readable({
    read() {
      this.push(`chunk ${i++}\n`);
    },
  });
}

describe('Node Readable bodies', () => {
  it('honours backpressure: no more chunks are read while the sink is blocked', async () => {
    const stream = endlessReadable();
    const sink = collectingSink({ blockEvery: 5, stall: true });
    const done = writeBodyToStream(stream, sink)!;
    done.catch(() => {});
    await until(() => sink.chunks.length === 5, 2000, 'five writes');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.chunks).toHaveLength(5);
    sink.controller.abort(new Error('gone'));
    await expect(done).rejects.toThrow('gone');
  });

  it('is destroyed when the signal aborts', async () => {
    const stream = endlessReadable();
    const sink = collectingSink({ blockEvery: 3, stall: true });
    const done = writeBodyToStream(stream, sink)!;
    done.catch(() => {});
    await until(() => sink.chunks.length === 3, 2000, 'three writes');
    const reason = new Error('client left');
    sink.controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(stream.destroyed).toBe(true);
  });

  it('is destroyed when it was already aborted, and nothing is written', async () => {
    const stream = endlessReadable();
    const sink = collectingSink();
    sink.controller.abort(new Error('early'));
    await expect(writeBodyToStream(stream, sink)).rejects.toThrow('early');
    expect(stream.destroyed).toBe(true);
    expect(sink.chunks).toEqual([]);
  });

  it('a stream error rejects the write (no unheard error event)', async () => {
    const boom = new Error('disk on fire');
    const stream = new Readable({
      read() {
        this.push('a');
        this.destroy(boom);
      },
    });
    const sink = collectingSink();
    await expect(writeBodyToStream(stream, sink)).rejects.toBe(boom);
  });

  it('an object-mode chunk that is not bytes rejects naming it, and destroys the stream', async () => {
    const stream = Readable.from([{ row: 1 }]);
    await expect(writeBodyToStream(stream, collectingSink())).rejects.toThrow(
      /Readable body produced an object; expected a string or bytes/,
    );
    expect(stream.destroyed).toBe(true);
  });
});

describe('Web ReadableStream bodies', () => {
  function endlessWebStream(onCancel: (reason: unknown) => void): ReadableStream<Uint8Array> {
    let i = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode(`part ${i++}\n`));
      },
      cancel: onCancel,
    });
  }

  it('streams byte-exact', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([0x61]));
        controller.enqueue(new Uint8Array([0x62]));
        controller.close();
      },
    });
    const sink = collectingSink();
    await writeBodyToStream(stream, sink);
    expect(sink.text()).toBe('ab');
  });

  it('is cancelled with the reason when the signal aborts', async () => {
    let cancelledWith: unknown = 'not cancelled';
    const sink = collectingSink({ blockEvery: 4, stall: true });
    const done = writeBodyToStream(
      endlessWebStream((reason) => {
        cancelledWith = reason;
      }),
      sink,
    )!;
    done.catch(() => {});
    await until(() => sink.chunks.length === 4, 2000, 'four writes');
    const reason = new Error('client left');
    sink.controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    await until(() => cancelledWith === reason, 2000, 'cancel');
  });

  it('is cancelled while a read is pending', async () => {
    let cancelled = false;
    let pulled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull() {
        pulled = true;
        return new Promise(() => {}); // never produces
      },
      cancel() {
        cancelled = true;
      },
    });
    const sink = collectingSink();
    const done = writeBodyToStream(stream, sink)!;
    await until(() => pulled, 2000, 'the pending read');
    sink.controller.abort(new Error('gone'));
    await expect(done).rejects.toThrow('gone');
    expect(cancelled).toBe(true);
  });

  it('a chunk that is not bytes rejects naming it and cancels', async () => {
    let cancelled = false;
    const stream = new ReadableStream<unknown>({
      pull(controller) {
        controller.enqueue(42);
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(writeBodyToStream(stream, collectingSink())).rejects.toThrow(
      /ReadableStream body produced a number \(42\)/,
    );
    expect(cancelled).toBe(true);
  });
});
