import { describe, expect, it } from 'vitest';
import { isWriteableBody, WRITEABLE_BODY, writeableBody } from './writeable-body';

describe('writeableBody / isWriteableBody', () => {
  it('builds a body that reports its type and length and writes itself', async () => {
    const chunks: (string | Uint8Array)[] = [];
    const body = writeableBody({
      contentType: 'text/csv',
      length: 4,
      write: (sink) => {
        sink.write('a,b\n');
      },
    });
    expect(isWriteableBody(body)).toBe(true);
    expect(body.defaultContentType()).toBe('text/csv');
    expect(body.contentLength()).toBe(4);
    await body.writeBody({
      write: (c) => {
        chunks.push(c);
        return undefined;
      },
      flush: () => {},
      signal: new AbortController().signal,
    });
    expect(chunks).toEqual(['a,b\n']);
  });

  it('never takes plain JSON-like objects for a body', () => {
    for (const value of [
      null,
      undefined,
      {},
      { writeBody: () => {} },
      JSON.parse('{"plinth.writeable-body":true,"writeBody":1}'),
      // JSON can carry the string brand, never the writeBody function.
      JSON.parse('{"~plinth.writeableBody":true,"writeBody":"function"}'),
      { '~plinth.writeableBody': true },
      { '~plinth.writeableBody': 'true', writeBody: () => {} },
      [],
      'x',
      1,
    ]) {
      expect(isWriteableBody(value)).toBe(false);
    }
  });

  it('agrees with a brand made by another copy or version of the package (string key)', () => {
    // What another copy produces: the same string key, no shared code or symbol.
    const foreign = {
      '~plinth.writeableBody': true,
      defaultContentType: () => undefined,
      contentLength: () => undefined,
      writeBody: () => {},
    } as const;
    expect(WRITEABLE_BODY).toBe('~plinth.writeableBody');
    expect(isWriteableBody(foreign)).toBe(true);
    expect(writeableBody({ write: () => {} })[WRITEABLE_BODY]).toBe(true);
  });

  it('still recognises a body branded by a 0.1 copy (Symbol.for brand)', () => {
    const legacy = {
      [Symbol.for('plinth.writeable-body')]: true,
      defaultContentType: () => undefined,
      contentLength: () => undefined,
      writeBody: () => {},
    };
    expect(isWriteableBody(legacy)).toBe(true);
    expect(isWriteableBody({ [Symbol.for('plinth.writeable-body')]: true })).toBe(false);
  });

  it('refuses a bad spec with a message naming the bad value', () => {
    expect(() => writeableBody({} as never)).toThrow(
      /spec.write must be a function, got undefined/,
    );
    expect(() => writeableBody({ write: () => {}, length: -1 })).toThrow(/spec.length .* got -1/);
  });
});
