// Element schemas (@plinth/body-writer/schema) and the `serialize` option of
// jsonArray() and ndjson(): the bytes on the wire are JSON.stringify's for elements
// that match the schema, a failing element aborts only its own response, and
// backpressure and disconnects work as without a schema.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type BodyServer, bodyServer, fetchBody, within } from '../test/http';
import { collectingSink } from '../test/sink';
import { writeBodyToStream } from './body';
import { BodyWriterError } from './errors';
import { compileElementSchema } from './schema';
import { jsonArray, ndjson } from './wrappers';

interface Row {
  id: number;
  name: string;
  ok: boolean;
  score: number;
  tags: string[];
  note?: string;
  owner: { login: string; since: number };
}

const rowSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    ok: { type: 'boolean' },
    score: { type: 'number' },
    tags: { type: 'array', items: { type: 'string' } },
    note: { type: 'string' },
    owner: {
      type: 'object',
      properties: { login: { type: 'string' }, since: { type: 'integer' } },
      required: ['login', 'since'],
    },
  },
  required: ['id', 'name', 'ok', 'score', 'tags', 'owner'],
};

const serializeRow = compileElementSchema<Row>(rowSchema);

// Rows that match the schema, with every kind of string JSON must escape: quotes,
// backslashes, control characters, lone surrogates, long strings, non-ASCII.
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ maxLength: 6000 }),
  fc.constantFrom('', '"', '\\', '\n\t\u0000\u001f', '\ud800', 'a\udc00b', 'é🙂'),
);
// The serializer writes required properties first, then the others, each in the
// order of the schema's `properties`; rows built in that order (as one object
// literal or one constructor builds them) come out byte for byte as JSON.stringify's.
const rowArb: fc.Arbitrary<Row> = fc
  .record(
    {
      id: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(-0), fc.constant(1e21)),
      name: anyString,
      ok: fc.boolean(),
      score: fc.double({ noNaN: true }),
      tags: fc.array(anyString, { maxLength: 4 }),
      owner: fc.record({ login: anyString, since: fc.integer() }),
      note: fc.option(anyString, { nil: undefined }),
    },
    { noNullPrototype: true },
  )
  .map(({ note, ...row }) => (note === undefined ? row : { ...row, note }));

function* each<T>(values: readonly T[]): Generator<T> {
  yield* values;
}
async function* eachAsync<T>(values: readonly T[]): AsyncGenerator<T> {
  yield* values;
}

let server: BodyServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('compileElementSchema: bytes', () => {
  it('for rows that match the schema, writes exactly what JSON.stringify writes (any strings, with backpressure)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 20 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        async (rows, asynchronous, blockEvery) => {
          const source = () => (asynchronous ? eachAsync(rows) : each(rows));
          const array = collectingSink({ blockEvery });
          await writeBodyToStream(jsonArray(source(), { serialize: serializeRow }), array);
          expect(array.text()).toBe(JSON.stringify(rows));
          const lines = collectingSink({ blockEvery });
          await writeBodyToStream(ndjson(source(), { serialize: serializeRow }), lines);
          expect(lines.text()).toBe(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('over a socket: a JSON array and NDJSON of 3,000 rows are byte for byte JSON.stringify', async () => {
    const rows = fc.sample(rowArb, { numRuns: 3000, seed: 22 });
    let format: 'json' | 'ndjson' = 'json';
    server = await bodyServer(() =>
      format === 'json'
        ? jsonArray(each(rows), { serialize: serializeRow })
        : ndjson(eachAsync(rows), { serialize: serializeRow }),
    );
    const array = await fetchBody(server.port);
    expect(array.complete).toBe(true);
    expect(array.contentType).toBe('application/json; charset=utf-8');
    expect(array.body.equals(Buffer.from(JSON.stringify(rows)))).toBe(true);
    format = 'ndjson';
    const lines = await fetchBody(server.port);
    expect(lines.complete).toBe(true);
    expect(lines.contentType).toBe('application/x-ndjson');
    expect(lines.body.toString()).toBe(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  });

  it('documents its coercion of rows that do not match: unlisted properties left out, values coerced', () => {
    const serialize = compileElementSchema({
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: 'string' } },
    });
    expect(serialize({ id: 1, name: 'a', secret: 'x' })).toBe('{"id":1,"name":"a"}');
    expect(serialize({ id: '3', name: 5 })).toBe('{"id":3,"name":"5"}');
    expect(serialize({ id: 1.7 })).toBe('{"id":1}');
    expect(serialize(null)).toBe('{}');
  });

  it('writes properties in its own order (required first, then as listed): the same JSON value, maybe not the same bytes', () => {
    const out = serializeRow({
      note: 'n',
      owner: { since: 2, login: 'l' },
      tags: ['t'],
      score: 1.5,
      ok: true,
      name: 'x',
      id: 7,
    });
    expect(out).toBe(
      '{"id":7,"name":"x","ok":true,"score":1.5,"tags":["t"],"owner":{"login":"l","since":2},"note":"n"}',
    );
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(JSON.parse(out))));
  });

  it('jsonArray() without options writes what the iterable itself as a body writes', async () => {
    const plain = collectingSink();
    await writeBodyToStream(each([1, { a: 2 }, undefined]), plain);
    const wrapped = collectingSink();
    await writeBodyToStream(jsonArray(each([1, { a: 2 }, undefined])), wrapped);
    expect(wrapped.chunks).toEqual(plain.chunks);
    expect(wrapped.text()).toBe('[1,{"a":2},null]');
  });
});

describe('a failing element aborts only its own response', () => {
  const partial = (i: number): Partial<Row> =>
    i === 2
      ? { id: i }
      : { id: i, name: `row ${i}`, ok: true, score: 1, tags: [], owner: { login: 'x', since: 1 } };

  it('after the head: the response is cut (no closing bracket, no clean end), the generator finally runs, the next response is whole', async () => {
    let finallyRan = 0;
    let failing = true;
    server = await bodyServer(() =>
      jsonArray(
        (async function* () {
          try {
            for (let i = 0; i < 5; i++) {
              // A producer that waits (as real ones do), so that the first bytes leave.
              await new Promise((resolve) => setImmediate(resolve));
              yield (failing ? partial(i) : partial(0)) as Row;
            }
          } finally {
            finallyRan++;
          }
        })(),
        { serialize: serializeRow },
      ),
    );
    const cut = await fetchBody(server.port);
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.body.toString()).toBe(
      `[${serializeRow(partial(0) as Row)},${serializeRow(partial(1) as Row)}`,
    );
    const served = await server.served[0]!;
    expect(served.headersSent).toBe(true);
    expect(BodyWriterError.isError(served.error)).toBe(true);
    expect((served.error as BodyWriterError).code).toBe('UNSERIALISABLE_ELEMENT');
    expect((served.error as BodyWriterError).message).toMatch(
      /^Element 2 of the sequence, an object, .*"name" is required/,
    );
    expect(finallyRan).toBe(1);

    failing = false;
    const whole = await fetchBody(server.port);
    expect(whole.complete).toBe(true);
    expect(JSON.parse(whole.body.toString())).toHaveLength(5);
  });

  it('in NDJSON too, with a sync generator', async () => {
    server = await bodyServer(() =>
      ndjson(
        (function* () {
          for (let i = 0; i < 5; i++) yield partial(i) as Row;
        })(),
        { serialize: serializeRow },
      ),
    );
    const cut = await fetchBody(server.port);
    expect(cut.complete).toBe(false);
    expect(cut.body.toString().split('\n')).toHaveLength(3); // two lines and the cut
    expect(((await server.served[0]!).error as BodyWriterError).code).toBe(
      'UNSERIALISABLE_ELEMENT',
    );
  });

  it('a first element that fails leaves the response uncommitted: the server can still answer 500', async () => {
    server = await bodyServer(() =>
      jsonArray(each([{ id: 1 } as Row]), { serialize: serializeRow }),
    );
    const answer = await fetchBody(server.port);
    expect(answer.status).toBe(500);
    expect(answer.body.toString()).toBe('failed');
    expect((await server.served[0]!).headersSent).toBe(false);
  });

  it("a serializer of the application's that returns something other than a string fails the element", async () => {
    const sink = collectingSink();
    const done = writeBodyToStream(
      ndjson(each([1, 2]), {
        serialize: (n) => (n === 1 ? '1' : (undefined as unknown as string)),
      }),
      sink,
    );
    await expect(done).rejects.toMatchObject({
      code: 'UNSERIALISABLE_ELEMENT',
      message: expect.stringMatching(
        /^Element 1 of the sequence, a number \(2\): .*returned undefined/,
      ),
    });
    expect(sink.text()).toBe('1\n');
  });
});

describe('backpressure and disconnects with a schema', () => {
  it('a client that stops reading stops the producer; when it leaves, the generator finally runs', async () => {
    let produced = 0;
    let finished!: () => void;
    const stopped = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const long = 'x'.repeat(1024);
    server = await bodyServer(() =>
      ndjson(
        (function* () {
          try {
            for (;;)
              yield {
                id: produced++,
                name: long,
                ok: true,
                score: 0,
                tags: [],
                owner: { login: 'a', since: 0 },
              };
          } finally {
            finished();
          }
        })(),
        { serialize: serializeRow },
      ),
    );
    // Each time the sink reports a full socket: nothing may be produced until that
    // write's promise settles (the test's reaction runs before the writer's).
    let blocks = 0;
    let ranAhead = 0;
    let current: { pending: Promise<void>; settled: boolean } | undefined;
    server.onBlocked = (pending) => {
      blocks++;
      const at = produced;
      const block = { pending, settled: false };
      current = block;
      pending.then(
        () => {
          block.settled = true;
          if (produced !== at) ranAhead++;
        },
        () => {
          block.settled = true;
        },
      );
    };
    // A raw client that sends its request and never reads: the socket fills up.
    const socket = connect(server.port, '127.0.0.1');
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    // Wait for a block that outlasts 50 turns of the event loop: the kernel's buffers
    // are full and the client reads nothing, so production must have stopped.
    const deadline = Date.now() + 10_000;
    let stalledAt = -1;
    while (stalledAt < 0) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the socket to stay full');
      const block = current;
      const before = produced;
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      if (block !== undefined && block === current && !block.settled) {
        expect(produced).toBe(before);
        stalledAt = produced;
      }
    }
    expect(blocks).toBeGreaterThan(0);
    expect(ranAhead).toBe(0);
    // Bounded: at most what fills the kernel's socket buffers (a few MiB of 1 KiB rows).
    expect(stalledAt).toBeLessThan(64 * 1024);
    socket.destroy();
    await within(stopped, 5_000, "the generator's finally block");
    const served = await server.served[0]!;
    expect(String(served.error)).toMatch(/client left/);
  });
});

describe('arguments', () => {
  it('rejects a schema that is not an object, or one that cannot be compiled, naming it', () => {
    for (const bad of ['x', null, [], 5]) {
      expect(() => compileElementSchema(bad as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: expect.stringMatching(/schema must be a JSON Schema object/),
        }),
      );
    }
    expect(() =>
      compileElementSchema({
        type: 'object',
        properties: { a: { $ref: '#/definitions/missing' } },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/cannot be compiled/),
      }),
    );
  });

  it('rejects options that are not an object and a serialize that is not a function', () => {
    expect(() => jsonArray(each([1]), 5 as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(
          /^jsonArray\(source, options\): options must be an object, got a number \(5\)/,
        ),
      }),
    );
    expect(() => ndjson(each([1]), { serialize: 'fast' as never })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(
          /^ndjson\(source, options\): options.serialize must be a function, got a string/,
        ),
      }),
    );
    expect(() => jsonArray('abc' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
