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
      [],
      'x',
      1,
    ]) {
      expect(isWriteableBody(value)).toBe(false);
    }
  });

  it('agrees with a brand made by another copy of the package (Symbol.for)', () => {
    const foreign = {
      [Symbol.for('plinth.writeable-body')]: true,
      defaultContentType: () => undefined,
      contentLength: () => undefined,
      writeBody: () => {},
    };
    expect(WRITEABLE_BODY).toBe(Symbol.for('plinth.writeable-body'));
    expect(isWriteableBody(foreign)).toBe(true);
  });

  it('refuses a bad spec with a message naming the bad value', () => {
    expect(() => writeableBody({} as never)).toThrow(
      /spec.write must be a function, got undefined/,
    );
    expect(() => writeableBody({ write: () => {}, length: -1 })).toThrow(/spec.length .* got -1/);
  });
});
