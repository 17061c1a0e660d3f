// PLINTH_OTEL=console: the demo's telemetry set-up exports a request's span, named
// by its route, to the console (ConsoleSpanExporter prints with console.dir).
import { createServer, type PlinthServer } from '@plinth/node';
import { router } from '@plinth/router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupTelemetry, type Telemetry } from './telemetry';

let telemetry: Telemetry | undefined;
let server: PlinthServer | undefined;
afterEach(async () => {
  await server?.stop({ graceMs: 0 });
  await telemetry?.shutdown();
  telemetry = server = undefined;
  vi.restoreAllMocks();
});

describe('setupTelemetry', () => {
  it('does nothing when PLINTH_OTEL is unset or empty', async () => {
    expect(await setupTelemetry(undefined)).toBeUndefined();
    expect(await setupTelemetry('')).toBeUndefined();
  });

  it('refuses another value, naming it', async () => {
    await expect(setupTelemetry('jaeger')).rejects.toThrow(
      /PLINTH_OTEL must be 'console'.*"jaeger"/,
    );
  });

  it('prints each request span, named by route, with console', async () => {
    const printed: unknown[] = [];
    vi.spyOn(console, 'dir').mockImplementation((value) => void printed.push(value));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    telemetry = await setupTelemetry('console', 3_600_000);
    server = createServer(
      [router([['/hello/:name', 'GET', (request) => ({ status: 200, body: request.pathParams })]])],
      { port: 0, logger: { error() {}, warn() {}, info() {}, debug() {} } },
    );
    const { url } = await server.start();
    const response = await fetch(`${url}/hello/ada`);
    expect(await response.json()).toEqual({ name: 'ada' });
    const started = performance.now();
    while (printed.length === 0 && performance.now() - started < 5000) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const span = printed[0] as { name: string; attributes: Record<string, unknown> };
    expect(span.name).toBe('GET /hello/:name');
    expect(span.attributes['http.response.status_code']).toBe(200);
  });
});
