import { Readable } from 'node:stream';
import { isWriteableBody, TEXT_PLAIN_UTF8 } from '@plinth/writeable-body';
import { describe, expect, it } from 'vitest';
import { collectingSink } from '../test/sink';
import {
  contentLength,
  defaultContentType,
  JSON_TYPE,
  OCTET_TYPE,
  toWriteableBody,
  writeBodyToStream,
} from './body';
import { BodyWriterError } from './errors';
import { ndjson, text } from './wrappers';

async function written(body: unknown): Promise<Buffer> {
  const sink = collectingSink();
  await writeBodyToStream(body, sink);
  return sink.bytes();
}

describe('the body table', () => {
  const rows: [string, () => unknown, string | undefined, number | undefined, string][] = [
    ['string', () => 'héllo ✓', TEXT_PLAIN_UTF8, 10, 'héllo ✓'],
    ['empty string', () => '', TEXT_PLAIN_UTF8, 0, ''],
    ['Buffer', () => Buffer.from('abc'), OCTET_TYPE, 3, 'abc'],
    ['Uint8Array', () => new Uint8Array([0x61, 0x62]), OCTET_TYPE, 2, 'ab'],
    ['ArrayBuffer', () => new Uint8Array([0x61, 0x62, 0x63]).buffer, OCTET_TYPE, 3, 'abc'],
    [
      'DataView over part of a buffer',
      () => new DataView(new Uint8Array([0x61, 0x62, 0x63, 0x64]).buffer, 1, 2),
      OCTET_TYPE,
      2,
      'bc',
    ],
    ['plain object', () => ({ a: 1, b: 'é' }), JSON_TYPE, 16, '{"a":1,"b":"é"}'],
    ['array', () => [1, 'two', null], JSON_TYPE, 14, '[1,"two",null]'],
    ['number', () => 42.5, JSON_TYPE, 4, '42.5'],
    ['boolean', () => true, JSON_TYPE, 4, 'true'],
    ['Date (toJSON)', () => new Date(0), JSON_TYPE, 26, '"1970-01-01T00:00:00.000Z"'],
    [
      'generator (lazy sequence)',
      () =>
        (function* () {
          yield 1;
          yield { a: [2] };
          yield 'x';
        })(),
      JSON_TYPE,
      undefined,
      '[1,{"a":[2]},"x"]',
    ],
    [
      'async generator',
      () =>
        (async function* () {
          yield 1;
          yield 2;
        })(),
      JSON_TYPE,
      undefined,
      '[1,2]',
    ],
    ['empty generator', () => (function* () {})(), JSON_TYPE, undefined, '[]'],
    ['Set', () => new Set([1, 2]), JSON_TYPE, undefined, '[1,2]'],
    ['Map (entries)', () => new Map([['k', 1]]), JSON_TYPE, undefined, '[["k",1]]'],
    [
      'function handed the sink',
      () => (sink: { write(c: string): unknown }) => {
        sink.write('from fn');
      },
      OCTET_TYPE,
      undefined,
      'from fn',
    ],
    ['Node Readable', () => Readable.from(['a', Buffer.from('b')]), OCTET_TYPE, undefined, 'ab'],
    ['Web ReadableStream', () => new Blob(['web']).stream(), OCTET_TYPE, undefined, 'web'],
    ['Blob with type', () => new Blob(['a,b'], { type: 'text/csv' }), 'text/csv', 3, 'a,b'],
    ['Blob without type', () => new Blob(['xy']), OCTET_TYPE, 2, 'xy'],
    ['File', () => new File(['f'], 'f.txt', { type: 'text/plain' }), 'text/plain', 1, 'f'],
    ['ndjson()', () => ndjson([1, { a: 2 }]), 'application/x-ndjson', undefined, '1\n{"a":2}\n'],
    ['text()', () => text(['a', Buffer.from('b')]), TEXT_PLAIN_UTF8, undefined, 'ab'],
  ];

  for (const [name, make, type, length, expected] of rows) {
    it(`${name}: ${type}, length ${String(length)}, byte-exact`, async () => {
      expect(defaultContentType(make())).toBe(type);
      expect(contentLength(make())).toBe(length);
      const bytes = await written(make());
      expect(bytes.toString('utf8')).toBe(expected);
      if (length !== undefined) expect(bytes.byteLength).toBe(length);
    });
  }

  it('null and undefined: no body', () => {
    for (const body of [null, undefined]) {
      expect(toWriteableBody(body)).toBeUndefined();
      expect(defaultContentType(body)).toBeUndefined();
      expect(contentLength(body)).toBeUndefined();
      expect(writeBodyToStream(body, collectingSink())).toBeUndefined();
    }
  });

  it('a WriteableBody is itself', () => {
    const body = toWriteableBody('x')!;
    expect(isWriteableBody(body)).toBe(true);
    expect(toWriteableBody(body)).toBe(body);
  });

  it('writes strings, bytes and JSON synchronously (no promise)', () => {
    for (const body of ['s', Buffer.from('b'), { a: 1 }, 1]) {
      expect(writeBodyToStream(body, collectingSink())).toBeUndefined();
    }
  });

  it('serialises JSON once, in toWriteableBody: later mutation does not change it', async () => {
    const value = { n: 1 };
    const body = toWriteableBody(value)!;
    value.n = 22;
    const sink = collectingSink();
    await body.writeBody(sink);
    expect(sink.text()).toBe('{"n":1}');
    expect(body.contentLength()).toBe(7);
  });

  it('follows JSON.stringify inside values: undefined and functions are left out or null', async () => {
    expect((await written({ a: undefined, f: () => 1, s: Symbol('s'), k: 1 })).toString()).toBe(
      '{"k":1}',
    );
    expect((await written([undefined, () => 1])).toString()).toBe('[null,null]');
  });
});

describe('unsupported bodies fail before anything is written, naming the type', () => {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const cases: [string, unknown, RegExp][] = [
    ['symbol', Symbol('token'), /a symbol \(Symbol\(token\)\)/],
    ['bigint', 12n, /a bigint \(12n\).*JSON has no bigint/],
    ['bigint inside', { total: 12n }, /contains a bigint/],
    ['cyclic object', cyclic, /is cyclic/],
    ['NaN', Number.NaN, /a number \(NaN\)/],
    ['Infinity', Number.POSITIVE_INFINITY, /a number \(Infinity\)/],
    ['promise', Promise.resolve(1), /an object \(Promise\).*await it first/],
    ['toJSON returning undefined', { toJSON: () => undefined }, /serialises to nothing/],
  ];
  for (const [name, value, message] of cases) {
    it(name, () => {
      const sink = collectingSink();
      let error: unknown;
      try {
        writeBodyToStream(value, sink);
      } catch (e) {
        error = e;
      }
      expect(BodyWriterError.isError(error)).toBe(true);
      expect((error as BodyWriterError).code).toBe('UNSUPPORTED_BODY');
      expect((error as Error).message).toMatch(message);
      expect(sink.chunks).toEqual([]);
      expect(() => toWriteableBody(value)).toThrow(BodyWriterError);
      expect(() => contentLength(value)).toThrow(message);
    });
  }
});
