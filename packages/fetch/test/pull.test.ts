// The pull contract of the response stream, in process (the conformance suite
// checks the same over sockets, where kernel buffers blur the bound): a lazy
// sequence produces only as the reader pulls, at most two 16 KiB chunks ahead,
// and cancelling the stream stops it (its finally runs).
import { describe, expect, it } from 'vitest';
import { fetchHandler } from '../src/index';

const quiet = { error() {}, warn() {}, info() {}, debug() {} };

function endless(counter: { produced: number; finallyRan: boolean }) {
  return (function* () {
    try {
      for (;;) {
        counter.produced++;
        yield 'z'.repeat(1022); // 1 KiB with its quotes and comma
      }
    } finally {
      counter.finallyRan = true;
    }
  })();
}

/** Lets timers and immediates run, so a producer that could go on would. */
function turns(n: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let left = n;
    const step = (): void => {
      if (--left === 0) resolve();
      else setTimeout(step, 1);
    };
    setTimeout(step, 1);
  });
}

describe('the response stream of a lazy sequence', () => {
  it('produces only as the reader pulls, at most two chunks ahead, and stops on cancel', async () => {
    const counter = { produced: 0, finallyRan: false };
    const handler = fetchHandler([() => ({ status: 200, body: endless(counter) })], {
      logger: quiet,
    });
    const response = await handler(new Request('http://localhost/'));
    await turns(20);
    // Nothing read: what was produced is what fills the first chunks, no more.
    expect(counter.produced).toBeLessThanOrEqual(2 * 16 + 2);
    const reader = response.body!.getReader();
    let read = 0;
    for (let i = 0; i < 10; i++) read += (await reader.read()).value!.byteLength;
    await turns(20);
    const ahead = counter.produced * 1024 - read;
    expect(read).toBeGreaterThan(9 * 16 * 1024);
    expect(ahead).toBeLessThanOrEqual(2 * 16 * 1024 + 2048);
    await reader.cancel();
    await turns(5);
    expect(counter.finallyRan).toBe(true);
    const stopped = counter.produced;
    await turns(20);
    expect(counter.produced).toBe(stopped);
  });

  it('hands a body written in one piece to the Response whole', async () => {
    const handler = fetchHandler([() => ({ status: 200, body: { hello: 'world' } })], {
      logger: quiet,
    });
    const response = handler(new Request('http://localhost/'));
    expect(response).toBeInstanceOf(Response); // no promise for a synchronous chain
    const r = response as Response;
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('content-length')).toBe('17');
    expect(await r.text()).toBe('{"hello":"world"}');
  });
});
