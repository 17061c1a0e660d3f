import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { responseFor } from '@plinth/node/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  captureLogs,
  curl,
  openGet,
  readUntil,
  type StartedDemo,
  startDemo,
  withTimeout,
} from '../test/helpers';
import { createDemo } from './demo';
import { memoryStore } from './store';

const png = await readFile(fileURLToPath(new URL('../assets/plinth.png', import.meta.url)));

/** A stand-in upstream that the test drives by hand. */
async function upstream(
  handle: (res: ServerResponse, path: string) => void,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => handle(res, req.url ?? ''));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('GET /store/:key', () => {
  let app: StartedDemo;
  beforeAll(async () => {
    app = await startDemo();
  });
  afterAll(() => app.stop());

  it('serves an object of the default store (seeded from assets) with type and length', async () => {
    const response = await fetch(`${app.url}/store/plinth.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Number(response.headers.get('content-length'))).toBe(png.length);
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('answers 404 for a missing key (in-process test client)', async () => {
    const response = await responseFor(app.demo.service, 'GET', '/store/nope.png');
    expect(response.status).toBe(404);
    expect(response.body).toContain('"nope.png"');
  });

  it('serves an injected store', async () => {
    const store = memoryStore([['k', { bytes: Buffer.from('v'), contentType: 'text/plain' }]]);
    const demo = createDemo({ store, logger: captureLogs().logger }); // not started
    const response = await responseFor(demo.service, 'GET', '/store/k');
    expect(response.status).toBe(200);
    expect(response.body).toBe('v');
  });
});

describe('GET /image/:key', () => {
  let app: StartedDemo;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    app = await startDemo();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(() => app.stop());

  it('fetches from the store (its own address by default) and streams it through', async () => {
    const response = await fetch(`${app.url}/image/plinth.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Number(response.headers.get('content-length'))).toBe(png.length);
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('passes the upstream status on (404)', async () => {
    const { status, body } = await curl([`${app.url}/image/nope.png`]);
    expect(status).toBe(404);
    expect(body).toContain('no object under the key "nope.png"');
  });

  it('answers HEAD with the upstream headers', async () => {
    const { status, headers, body } = await curl(['-I', `${app.url}/image/plinth.png`]);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('image/png');
    expect(Number(headers['content-length'])).toBe(png.length);
    expect(body).toBe('');
  });

  it('answers 502 when the upstream fails', async () => {
    const failing = await upstream((res) => {
      res.writeHead(500).end('boom');
    });
    cleanups.push(failing.close);
    const demo = await startDemo({ storeUrl: failing.url });
    cleanups.push(demo.stop);
    const { status, body } = await curl([`${demo.url}/image/x.png`]);
    expect(status).toBe(502);
    expect(body).toContain(`the store at ${failing.url}/store/x.png answered 500`);
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const gone = await upstream(() => {});
    await gone.close(); // the port is now closed
    const demo = await startDemo({ storeUrl: gone.url });
    cleanups.push(demo.stop);
    const { status, body } = await curl([`${demo.url}/image/x.png`]);
    expect(status).toBe(502);
    expect(body).toContain(`the store at ${gone.url}/store/x.png did not answer`);
  });

  it('streams without buffering, and a client that leaves cancels the upstream fetch', async () => {
    let upstreamResponse: ServerResponse | undefined;
    const slow = await upstream((res, path) => {
      upstreamResponse = res;
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(`first chunk of ${path}\n`); // and nothing more until the client leaves
    });
    cleanups.push(slow.close);
    const demo = await startDemo({ storeUrl: slow.url });
    cleanups.push(demo.stop);

    const { response, close } = await openGet(`${demo.url}/image/slow.png`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    // The first chunk arrives while the upstream response is still open.
    expect(await readUntil(response, (text) => text.includes('\n'))).toBe(
      'first chunk of /store/slow.png\n',
    );
    expect(upstreamResponse?.writableEnded).toBe(false);
    const upstreamClosed = once(upstreamResponse!, 'close');
    close();
    await withTimeout(upstreamClosed, 5000, 'the upstream request to be cancelled');
    expect(upstreamResponse?.writableEnded).toBe(false);
  });

  it('aborts the response when the upstream fails after the headers, so the client can tell', async () => {
    const broken = await upstream((res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '1000' });
      res.write('only 26 bytes of the 1000\n');
      setImmediate(() => res.destroy());
    });
    cleanups.push(broken.close);
    const demo = await startDemo({ storeUrl: broken.url });
    cleanups.push(demo.stop);
    const { response } = await openGet(`${demo.url}/image/broken.png`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe('1000');
    const failed = new Promise<Error>((resolve) => response.once('error', resolve));
    response.resume();
    expect((await withTimeout(failed, 5000, 'the response to fail')).message).toBe('aborted');
    expect(response.complete).toBe(false);
  });
});
