// The sink joins small strings (issue 22: a rope is cheaper per element than
// encoding each one into the buffer) and copies small byte chunks into its buffer:
// whatever the mix, the bytes leave in the order they were written, over a real
// socket, for HTTP/1.1 and h2c.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { responseFor } from '../src/testing';
import { PROTOCOLS, serve } from './helpers';

const big = 'b'.repeat(20_000);
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));

// Every kind of step: small and large strings (ASCII and multi-byte), small and
// large byte chunks, flushes in between; then what the client must get.
const STEPS: (string | Uint8Array | 'flush')[] = [];
for (let i = 0; i < 3000; i++) {
  STEPS.push(`s${i},`);
  if (i % 7 === 0) STEPS.push(bytes(`[b${i}]`));
  if (i % 11 === 0) STEPS.push(`é€😀${i}`);
  if (i % 500 === 0) STEPS.push(big, bytes(big.toUpperCase()));
  if (i % 997 === 0) STEPS.push('flush');
}
const EXPECTED = Buffer.concat(
  STEPS.filter((s) => s !== 'flush').map((s) => (typeof s === 'string' ? Buffer.from(s) : s)),
);

describe.each(PROTOCOLS)('the sink over $name', ({ http2 }) => {
  let server: PlinthServer;
  beforeAll(async () => {
    ({ server } = await serve(
      [
        () => ({
          status: 200,
          headers: { 'content-type': 'application/octet-stream' },
          body: async (sink: {
            write(c: string | Uint8Array): undefined | Promise<void>;
            flush(): void;
          }) => {
            let n = 0;
            for (const step of STEPS) {
              if (step === 'flush') sink.flush();
              else await sink.write(step);
              // Now and then a turn of the event loop, so the sink's own flush runs too.
              if (++n % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
            }
          },
        }),
      ],
      { http2 },
    ));
  });
  afterAll(() => server.stop());

  it('keeps the order of mixed strings and bytes, small and large', async () => {
    const response = await responseFor(server, 'GET', '/');
    expect(response.status).toBe(200);
    const got = Buffer.from(response.bytes);
    expect(got.length).toBe(EXPECTED.length);
    expect(got.equals(EXPECTED)).toBe(true);
  });
});
