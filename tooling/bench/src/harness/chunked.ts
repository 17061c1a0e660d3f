// An incremental decoder of HTTP/1.1 chunked transfer coding, for raw-socket
// clients (the SSE fan-out clients read the wire themselves to stay cheap).

/** Decodes chunked bodies fed in arbitrary pieces. @internal */
export class ChunkedDecoder {
  #state: 'size' | 'data' | 'crlf' | 'done' = 'size';
  #line = '';
  #remaining = 0;
  #crlf = 0;

  /** True once the last (zero-size) chunk was seen. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Feeds wire bytes; returns the body bytes they contain (maybe none). */
  push(input: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < input.length && this.#state !== 'done') {
      if (this.#state === 'size') {
        const lf = input.indexOf(0x0a, i);
        if (lf === -1) {
          this.#line += input.toString('latin1', i);
          break;
        }
        this.#line += input.toString('latin1', i, lf);
        i = lf + 1;
        const hex = this.#line.replace(/\r$/, '').split(';')[0]!.trim();
        this.#line = '';
        if (!/^[0-9a-fA-F]+$/.test(hex))
          throw new Error(`bad chunk size line ${JSON.stringify(hex)}`);
        this.#remaining = Number.parseInt(hex, 16);
        this.#state = this.#remaining === 0 ? 'done' : 'data';
      } else if (this.#state === 'data') {
        const take = Math.min(this.#remaining, input.length - i);
        out.push(input.subarray(i, i + take));
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) {
          this.#state = 'crlf';
          this.#crlf = 0;
        }
      } else {
        // The CRLF after a chunk's data.
        const byte = input[i++];
        if (this.#crlf === 0 && byte === 0x0d) this.#crlf = 1;
        else if (byte === 0x0a) this.#state = 'size';
        else throw new Error(`expected CRLF after chunk data, got byte ${byte}`);
      }
    }
    return out;
  }
}

/** The parsed head of an HTTP/1.1 response. @internal */
export interface ResponseHead {
  status: number;
  headers: Record<string, string>;
  /** Bytes after the head (the start of the body). */
  rest: Buffer;
}

/** Parses a response head from the start of `data`; undefined until it is complete. @internal */
export function parseHead(data: Buffer): ResponseHead | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = data.toString('latin1', 0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, rest: data.subarray(end + 4) };
}
