import { WRITEABLE_BODY } from '@plinth/writeable-body';
import { describe, expect, it } from 'vitest';
import { collectingSink } from '../test/sink';
import { contentLength, defaultContentType, toWriteableBody, writeBodyToStream } from './body';
import { extendBodyWriter, isClass } from './registry';

// Each test registers its own classes: the registry is global to the module.
describe('extendBodyWriter', () => {
  it('a registered class overrides "plain object -> JSON" for its instances', async () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
    }
    extendBodyWriter(Money, {
      contentType: 'text/plain; charset=utf-8',
      length: (m) => Buffer.byteLength(`${m.amount} ${m.currency}`),
      write: (m, sink) => void sink.write(`${m.amount} ${m.currency}`),
    });
    const money = new Money(5, 'EUR');
    expect(defaultContentType(money)).toBe('text/plain; charset=utf-8');
    expect(contentLength(money)).toBe(5);
    const sink = collectingSink();
    await writeBodyToStream(money, sink);
    expect(sink.text()).toBe('5 EUR');
  });

  it('matches subclasses; the newest matching registration wins', async () => {
    class Shape {}
    class Circle extends Shape {}
    extendBodyWriter(Shape, { contentType: 'x/shape', write: (_v, sink) => void sink.write('s') });
    expect(defaultContentType(new Circle())).toBe('x/shape');
    extendBodyWriter(Circle, {
      contentType: 'x/circle',
      write: (_v, sink) => void sink.write('c'),
    });
    expect(defaultContentType(new Circle())).toBe('x/circle');
    expect(defaultContentType(new Shape())).toBe('x/shape');
    // A later, more general registration takes over again: newest first.
    extendBodyWriter(Shape, { contentType: 'x/shape2', write: (_v, sink) => void sink.write('S') });
    expect(defaultContentType(new Circle())).toBe('x/shape2');
  });

  it('takes type guards, which may pick out primitives too; the default type is none', async () => {
    const isTagged = (v: unknown): v is string => typeof v === 'string' && v.startsWith('tag:');
    extendBodyWriter(isTagged, { write: (v, sink) => void sink.write(v.slice(4)) });
    expect(defaultContentType('tag:abc')).toBeUndefined();
    expect(contentLength('tag:abc')).toBeUndefined();
    const sink = collectingSink();
    await writeBodyToStream('tag:abc', sink);
    expect(sink.text()).toBe('abc');
    expect(defaultContentType('plain')).toBe('text/plain; charset=utf-8');
  });

  it('can make an otherwise unsupported value writable (bigint)', async () => {
    extendBodyWriter((v: unknown): v is bigint => typeof v === 'bigint', {
      contentType: 'application/json; charset=utf-8',
      write: (v, sink) => void sink.write(`"${v}"`),
    });
    const sink = collectingSink();
    await writeBodyToStream(10n, sink);
    expect(sink.text()).toBe('"10"');
  });

  it('never overrides a WriteableBody (the brand comes first) or null', () => {
    const body = toWriteableBody('x')!;
    const unregister = extendBodyWriter((_v: unknown): _v is unknown => true, {
      contentType: 'x/everything',
      write: () => {},
    });
    try {
      expect(toWriteableBody(body)).toBe(body);
      expect(toWriteableBody(null)).toBeUndefined();
      expect(defaultContentType({})).toBe('x/everything');
    } finally {
      // Take the catch-all out again so it does not hide the other tests' rules.
      unregister();
    }
    expect(defaultContentType({})).toBe('application/json; charset=utf-8');
  });

  it('a registered length that is not a length fails naming it', () => {
    class Weird {}
    extendBodyWriter(Weird, { length: () => -1, write: () => {} });
    expect(() => toWriteableBody(new Weird())).toThrow(
      /registered length returned a number \(-1\)/,
    );
  });

  it('refuses bad arguments, naming them', () => {
    expect(() => extendBodyWriter(42 as never, { write: () => {} })).toThrow(
      /test must be a class or a type guard function, got a number \(42\)/,
    );
    expect(() => extendBodyWriter(class {}, {} as never)).toThrow(
      /impl.write must be a function, got undefined/,
    );
    expect(() => extendBodyWriter(class {}, { contentType: 1 as never, write: () => {} })).toThrow(
      /impl.contentType must be a string or a function, got a number \(1\)/,
    );
  });

  it('tells classes from type guards', () => {
    function LegacyCtor(this: unknown) {}
    LegacyCtor.prototype.method = () => 1;
    function guard(v: unknown): v is number {
      return typeof v === 'number';
    }
    expect(isClass(class {})).toBe(true);
    expect(isClass(Date)).toBe(true);
    expect(isClass(LegacyCtor)).toBe(true);
    expect(isClass(guard)).toBe(false);
    expect(isClass((v: unknown) => v === 1)).toBe(false);
  });
});

describe('plugin bodies from another copy of @plinth/writeable-body', () => {
  it('are recognised by the string brand and written as they say', async () => {
    // What a second, separately bundled copy produces: same brand key, no shared code.
    const foreign = {
      '~plinth.writeableBody': true,
      defaultContentType: () => 'text/csv',
      contentLength: () => 4,
      writeBody: (sink: { write(c: string): unknown }) => {
        sink.write('a,b\n');
      },
    };
    expect(WRITEABLE_BODY).toBe('~plinth.writeableBody');
    expect(toWriteableBody(foreign)).toBe(foreign);
    expect(defaultContentType(foreign)).toBe('text/csv');
    expect(contentLength(foreign)).toBe(4);
    const sink = collectingSink();
    await writeBodyToStream(foreign, sink);
    expect(sink.text()).toBe('a,b\n');
  });

  it('a JSON object that only looks like a body is JSON', () => {
    const lookalike = JSON.parse('{"~plinth.writeableBody":true,"writeBody":1}');
    expect(defaultContentType(lookalike)).toBe('application/json; charset=utf-8');
  });
});
