// Regression: headersTimeout is enforced promptly. Node checks its HTTP/1.1 timeouts
// only every connectionsCheckingInterval (30 s by default); createServer sets it from
// the timeouts (a quarter of the shortest, within 50..1000 ms) or from the option.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createServer, NodeAdapterError } from '../src/index';
import { serve } from './helpers';

/** Sends a header line every `everyMs` and never ends the head; resolves when closed. */
function slowHeaders(url: string, everyMs: number, giveUpMs: number) {
  const { port } = new URL(url);
  return new Promise<{ closedAfterMs: number; reply: string }>((resolve) => {
    const started = performance.now();
    const socket = net.connect(Number(port), '127.0.0.1');
    let reply = '';
    let timer: NodeJS.Timeout | undefined;
    const drip = (): void => {
      socket.write('x-slow: 1\r\n');
      timer = setTimeout(drip, everyMs);
    };
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('connect', () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      timer = setTimeout(drip, everyMs);
    });
    socket.on('data', (d) => {
      reply += d.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: performance.now() - started, reply });
    });
  });
}

const hello = () => ({ status: 200, body: 'hello' });

describe('connectionsCheckingInterval (HTTP/1.1)', () => {
  it('headersTimeout: 300 alone cuts a slow client off with a 408 well before 2 s', async () => {
    const { server, url } = await serve([hello], { headersTimeout: 300 });
    try {
      const { closedAfterMs, reply } = await slowHeaders(url, 50, 5000);
      expect(reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAfterMs).toBeGreaterThanOrEqual(250);
      expect(closedAfterMs).toBeLessThan(2000);
      // Everyone else is still served.
      expect(await (await fetch(url)).text()).toBe('hello');
    } finally {
      await server.stop({ graceMs: 100 });
    }
  });

  it('defaults to a quarter of the shortest timeout, within 50..1000 ms; the option wins', () => {
    const interval = (options: object) =>
      (
        createServer([hello], { port: 0, ...options }).server as unknown as {
          connectionsCheckingInterval: number;
        }
      ).connectionsCheckingInterval;
    expect(interval({})).toBe(1000);
    expect(interval({ headersTimeout: 300 })).toBe(75);
    expect(interval({ headersTimeout: 60_000, requestTimeout: 2000 })).toBe(500);
    expect(interval({ headersTimeout: 100 })).toBe(50);
    expect(interval({ headersTimeout: 0, requestTimeout: 0 })).toBe(1000);
    expect(interval({ connectionsCheckingInterval: 5000 })).toBe(5000);
  });

  it('refuses an interval of 0 or a non-integer, naming the value', () => {
    expect(() => createServer([hello], { connectionsCheckingInterval: 0 })).toThrow(
      /connectionsCheckingInterval must be from 1 to 2147483647 ms, got 0/,
    );
    expect(() => createServer([hello], { connectionsCheckingInterval: 1.5 })).toThrow(
      NodeAdapterError,
    );
  });
});
