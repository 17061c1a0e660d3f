// Issue 22: a pipelined HTTP/1.1 response waits for the ones before it; Node gives
// it no 'close' when the client leaves first. The adapter must still see it close:
// its producer stops, and the server forgets it (a leak of every such response
// otherwise, and a stop() that waits its whole grace period).
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { serve, waitFor } from './helpers';

let server: PlinthServer | undefined;
afterEach(async () => {
  await server?.stop({ graceMs: 0 });
  server = undefined;
});

describe('a pipelined response still waiting for its turn when the client leaves', () => {
  it('is closed: its producer stops and stop() does not wait for it', async () => {
    const probe = { started: 0, finished: 0 };
    async function* endless(): AsyncGenerator<string> {
      probe.started++;
      try {
        for (;;) {
          yield 'x'.repeat(1024);
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        probe.finished++;
      }
    }
    const started = await serve([
      // The first response is larger than the socket buffers hold: the ones behind
      // it wait in Node's queue until it finished.
      (request: { path: string }) =>
        request.path === '/big'
          ? { status: 200, body: Buffer.alloc(64 * 1024 * 1024) }
          : { status: 200, headers: { 'content-type': 'text/plain' }, body: endless() },
    ]);
    server = started.server;
    const { port } = new URL(started.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    socket.write(get('/big') + get('/stream') + get('/stream'));
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    await waitFor(() => probe.started === 2, 'both queued producers to start');
    socket.destroy();
    await waitFor(() => probe.finished === 2, 'both queued producers to stop');
    const t0 = performance.now();
    await server.stop({ graceMs: 5000 });
    server = undefined;
    // Nothing left in flight: stop() returns without waiting for its grace period.
    expect(performance.now() - t0).toBeLessThan(2500);
  });
});
