import { describe, expect, it } from 'vitest';
import { ChunkedDecoder, parseHead } from './chunked';

const wire = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '6\r\ndata: \r\nc;ext=1\r\nseq=1 t=42\n\n\r\n0\r\n\r\n',
);

describe('parseHead + ChunkedDecoder', () => {
  it('decodes the body whatever the split points of the wire bytes', () => {
    const head = parseHead(wire);
    expect(head?.status).toBe(200);
    expect(head?.headers['transfer-encoding']).toBe('chunked');
    const body = head!.rest;
    for (let a = 0; a <= body.length; a++) {
      for (let b = a; b <= body.length; b += 3) {
        const decoder = new ChunkedDecoder();
        const out = [body.subarray(0, a), body.subarray(a, b), body.subarray(b)].flatMap((p) =>
          decoder.push(p),
        );
        expect(Buffer.concat(out).toString()).toBe('data: seq=1 t=42\n\n');
        expect(decoder.done).toBe(true);
      }
    }
  });

  it('waits for a complete head', () => {
    expect(parseHead(Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n'))).toBeUndefined();
  });

  it('names a bad chunk size', () => {
    expect(() => new ChunkedDecoder().push(Buffer.from('zz\r\n'))).toThrow(
      /bad chunk size line "zz"/,
    );
  });
});
