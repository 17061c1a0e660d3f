// The sequence writer's unit tests in one file: JSON arrays, ndjson() and text() share
// one writer, so its ordering, backpressure, abort and first-element rules are tested
// together, each for sync and async sources.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectingSink, until } from '../test/sink';
import { writeBodyToStream } from './body';
import { BodyWriterError } from './errors';
import { ndjson, text } from './wrappers';

describe('lazy sequences (JSON array streaming)', () => {
  it('any JSON-able array streamed lazily parses back equal (sync and async, with backpressure)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue()),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        async (values, asynchronous, blockEvery) => {
          const source = asynchronous
            ? (async function* () {
                yield* values;
              })()
            : (function* () {
                yield* values;
              })();
          const sink = collectingSink({ blockEvery });
          await writeBodyToStream(source, sink);
          // -0 is written as 0 by JSON, like JSON.stringify does.
          expect(JSON.parse(sink.text())).toEqual(JSON.parse(JSON.stringify(values)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('numbers are written byte for byte as JSON.stringify writes them (NaN and the infinities as null)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.double(),
            fc.integer(),
            fc.constantFrom(-0, Number.NaN, Infinity, -Infinity, 1e21, 5e-324, -1.5e-7),
          ),
        ),
        async (values) => {
          const array = collectingSink();
          await writeBodyToStream(values.values(), array);
          expect(array.text()).toBe(JSON.stringify(values));
          const lines = collectingSink();
          await writeBodyToStream(ndjson(values.values()), lines);
          expect(lines.text()).toBe(values.map((v) => `${JSON.stringify(v)}\n`).join(''));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes one chunk per element and waits only on the promises the sink returns', async () => {
    const sink = collectingSink({ blockEvery: 3 });
    await writeBodyToStream([1, 2, 3, 4, 5].values(), sink);
    expect(sink.chunks).toEqual(['[', '1', ',2', ',3', ',4', ',5', ']']);
    expect(sink.waits).toBe(2);
  });

  it('pauses the generator while the sink is blocked (not buffered into memory)', async () => {
    let produced = 0;
    const sink = collectingSink({ blockEvery: 10, stall: true });
    const done = writeBodyToStream(
      (function* () {
        for (;;) yield ++produced;
      })(),
      sink,
    )!;
    done.catch(() => {});
    await new Promise((resolve) => setImmediate(resolve));
    expect(produced).toBe(9); // '[' is write 1, element 9 is write 10, which blocks
    sink.controller.abort(new Error('gone'));
    await expect(done).rejects.toThrow('gone');
    expect(produced).toBe(9);
  });

  it('an element that cannot be serialised rejects, names it, and runs the finally block', async () => {
    let finallyRan = false;
    const sink = collectingSink();
    const done = writeBodyToStream(
      (function* () {
        try {
          yield 1;
          yield { big: 2n };
          yield 3;
        } finally {
          finallyRan = true;
        }
      })(),
      sink,
    );
    const error = await done!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(BodyWriterError.isError(error)).toBe(true);
    expect((error as BodyWriterError).code).toBe('UNSERIALISABLE_ELEMENT');
    expect((error as Error).message).toMatch(/Element 1 of the sequence, an object.*bigint/);
    expect(finallyRan).toBe(true);
    expect(sink.text()).toBe('[1');
  });

  it('a producer error propagates as a rejection', async () => {
    const boom = new Error('producer failed');
    const done = writeBodyToStream(
      (async function* () {
        yield 1;
        throw boom;
      })(),
      collectingSink(),
    );
    await expect(done).rejects.toBe(boom);
  });

  for (const kind of ['sync', 'async'] as const) {
    it(`${kind} generator: abort while the sink is blocked runs finally and rejects with the reason`, async () => {
      let finallyRan = false;
      const sink = collectingSink({ blockEvery: 3, stall: true });
      function* sync() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finallyRan = true;
        }
      }
      async function* asynchronous() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finallyRan = true;
        }
      }
      const done = writeBodyToStream(kind === 'sync' ? sync() : asynchronous(), sink)!;
      done.catch(() => {});
      await until(() => sink.chunks.length === 3, 2000, 'the blocking write');
      const reason = Object.assign(new Error('client left'), { code: 'CLIENT_DISCONNECT' });
      sink.controller.abort(reason);
      await expect(done).rejects.toBe(reason);
      expect(finallyRan).toBe(true);
    });
  }

  it('async generator awaiting a slow step: return() is requested at abort, finally runs when the step settles', async () => {
    let finallyRan = false;
    let release!: () => void;
    const sink = collectingSink();
    const done = writeBodyToStream(
      (async function* () {
        try {
          yield 1;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          yield 2;
        } finally {
          finallyRan = true;
        }
      })(),
      sink,
    )!;
    done.catch(() => {});
    await until(() => release !== undefined, 2000, 'the slow step');
    sink.controller.abort(new Error('gone'));
    release();
    await expect(done).rejects.toThrow('gone');
    expect(finallyRan).toBe(true);
    expect(sink.text()).toBe('[1');
  });

  it('a custom async iterator gets return() at once on abort', async () => {
    let returned = 0;
    let rejectNext!: (e: unknown) => void;
    const iterator: AsyncIterableIterator<number> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      next() {
        return new Promise((_, reject) => {
          rejectNext = reject;
        });
      },
      return() {
        returned++;
        rejectNext(new Error('stopped'));
        return Promise.resolve({ done: true, value: undefined });
      },
    };
    const sink = collectingSink();
    const done = writeBodyToStream(iterator, sink)!;
    await until(() => rejectNext !== undefined, 2000, 'next()');
    sink.controller.abort(new Error('gone'));
    await expect(done).rejects.toThrow('gone');
    expect(returned).toBe(1);
  });

  it('an already aborted signal writes nothing', async () => {
    const sink = collectingSink();
    sink.controller.abort(new Error('early'));
    await expect(writeBodyToStream([1].values(), sink)).rejects.toThrow('early');
    expect(sink.chunks).toEqual([]);
  });
});

describe('ndjson() and text()', () => {
  it('ndjson: one line per element, undefined as null', async () => {
    const sink = collectingSink();
    await writeBodyToStream(
      ndjson(
        (async function* () {
          yield { a: 1 };
          yield 'x\ny';
          yield undefined;
        })(),
      ),
      sink,
    );
    expect(sink.chunks).toEqual(['{"a":1}\n', '"x\\ny"\n', 'null\n']);
  });

  it('ndjson: a bigint element rejects naming the element', async () => {
    await expect(writeBodyToStream(ndjson([1, 2n]), collectingSink())).rejects.toThrow(
      /Element 1 of the sequence, a bigint \(2n\)/,
    );
  });

  it('text: one chunk per element, bytes untouched', async () => {
    const sink = collectingSink();
    await writeBodyToStream(text(['a', new Uint8Array([0xe2, 0x9c, 0x93])]), sink);
    expect(sink.text()).toBe('a✓');
    expect(sink.chunks).toHaveLength(2);
  });

  it('text: a chunk that is neither string nor bytes rejects naming it', async () => {
    await expect(
      writeBodyToStream(text([1 as unknown as string]), collectingSink()),
    ).rejects.toThrow(/text\(\) source produced a number \(1\)/);
  });

  it('refuses a source that is not iterable, naming it', () => {
    expect(() => ndjson(5 as never)).toThrow(/ndjson\(source\).*got a number \(5\)/);
    expect(() => text('abc' as never)).toThrow(/text\(source\).*got a string/);
  });
});

describe('a sink that aborts its signal from inside write()', () => {
  it('stops an endless sync generator within 64 elements and runs its finally', async () => {
    let finallyRan = false;
    const sink = collectingSink();
    const write = sink.write.bind(sink);
    sink.write = (chunk) => {
      if (sink.chunks.length === 10) sink.controller.abort(new Error('reset'));
      return write(chunk);
    };
    const done = writeBodyToStream(
      (function* () {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finallyRan = true;
        }
      })(),
      sink,
    );
    await expect(done).rejects.toThrow('reset');
    expect(finallyRan).toBe(true);
    expect(sink.chunks.length).toBeLessThanOrEqual(10 + 64);
  });
});

// Issue 15: nothing may reach the sink before the first element exists, so an adapter
// that commits its headers with the first bytes can still answer a clean error.
describe('nothing is written before the first element exists', () => {
  /** A sink that logs its writes into `log`, beside what the generator logs. */
  function loggingSink(log: string[], options: { blockEvery?: number; stall?: boolean } = {}) {
    const sink = collectingSink(options);
    const write = sink.write.bind(sink);
    sink.write = (chunk) => {
      log.push(`write ${String(chunk)}`);
      return write(chunk);
    };
    return sink;
  }

  for (const kind of ['sync', 'async'] as const) {
    it(`${kind}: the first element is produced before '[' is written`, async () => {
      const log: string[] = [];
      function* sync() {
        log.push('produce 1');
        yield 1;
        log.push('produce 2');
        yield 2;
      }
      async function* asynchronous() {
        yield* sync();
      }
      await writeBodyToStream(kind === 'sync' ? sync() : asynchronous(), loggingSink(log));
      expect(log).toEqual(['produce 1', 'write [', 'write 1', 'produce 2', 'write ,2', 'write ]']);
    });

    it(`${kind}: a source that throws before its first element rejects and writes nothing`, async () => {
      const boom = new Error('no first element');
      function* sync(): Generator<number> {
        yield* [];
        throw boom;
      }
      async function* asynchronous(): AsyncGenerator<number> {
        await new Promise((resolve) => setImmediate(resolve));
        throw boom;
      }
      const sink = collectingSink();
      await expect(writeBodyToStream(kind === 'sync' ? sync() : asynchronous(), sink)).rejects.toBe(
        boom,
      );
      expect(sink.chunks).toEqual([]);
    });

    it(`${kind}: a first element that cannot be serialised writes nothing and runs finally`, async () => {
      let finallyRan = false;
      function* sync() {
        try {
          yield 1n;
          yield 2;
        } finally {
          finallyRan = true;
        }
      }
      async function* asynchronous() {
        try {
          yield 1n;
          yield 2;
        } finally {
          finallyRan = true;
        }
      }
      const sink = collectingSink();
      await expect(
        writeBodyToStream(kind === 'sync' ? sync() : asynchronous(), sink),
      ).rejects.toThrow(/Element 0 of the sequence, a bigint/);
      expect(sink.chunks).toEqual([]);
      expect(finallyRan).toBe(true);
    });

    it(`${kind}: an empty sequence is still [] (two writes, after the source ended)`, async () => {
      const log: string[] = [];
      function* sync() {
        log.push('ended');
        yield* [];
      }
      async function* asynchronous() {
        log.push('ended');
        yield* [];
      }
      await writeBodyToStream(kind === 'sync' ? sync() : asynchronous(), loggingSink(log));
      expect(log).toEqual(['ended', 'write [', 'write ]']);
    });

    it(`${kind}: abort while '[' is blocked runs finally and rejects with the reason`, async () => {
      let finallyRan = false;
      function* sync() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finallyRan = true;
        }
      }
      async function* asynchronous() {
        yield* sync();
      }
      const sink = collectingSink({ blockEvery: 1, stall: true });
      const done = writeBodyToStream(kind === 'sync' ? sync() : asynchronous(), sink)!;
      done.catch(() => {});
      await until(() => sink.chunks.length === 1, 2000, "the blocking write of '['");
      const reason = new Error('client left');
      sink.controller.abort(reason);
      await expect(done).rejects.toBe(reason);
      expect(sink.chunks).toEqual(['[']);
      expect(finallyRan).toBe(true);
    });
  }

  it('a failure after the first element rejects after [ and the element were written', async () => {
    const boom = new Error('second element failed');
    const sink = collectingSink();
    await expect(
      writeBodyToStream(
        (async function* () {
          yield 1;
          throw boom;
        })(),
        sink,
      ),
    ).rejects.toBe(boom);
    expect(sink.chunks).toEqual(['[', '1']);
  });

  for (const [name, wrap] of [
    ['ndjson', ndjson],
    ['text', text],
  ] as const) {
    it(`${name}(): a source that throws before its first element writes nothing`, async () => {
      const boom = new Error('no first line');
      const sink = collectingSink();
      await expect(
        writeBodyToStream(
          wrap(
            (async function* (): AsyncGenerator<string> {
              await new Promise((resolve) => setImmediate(resolve));
              throw boom;
            })(),
          ),
          sink,
        ),
      ).rejects.toBe(boom);
      expect(sink.chunks).toEqual([]);
    });
  }
});
