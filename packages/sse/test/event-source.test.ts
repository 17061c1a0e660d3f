// eventSource / eventSourceResponse: an async generator as a response body, over
// real sockets.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request } from '@plinth/writeable-body';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { type CloseReason, eventSource, eventSourceResponse, type SseEvent } from '../src/index';
import { deferred, openStream, PROTOCOLS, type Served, serve, within } from './net';

let served: Served | undefined;
afterEach(async () => {
  await served?.stop(200);
  served = undefined;
});

describe.each(PROTOCOLS)('eventSource over %s', (protocol) => {
  it('streams what a generator yields, with the stream headers, and ends with it', async () => {
    const closed = deferred<CloseReason>();
    served = await serve(
      [
        (request: Request) =>
          eventSourceResponse(
            request,
            (async function* (): AsyncGenerator<SseEvent> {
              yield { event: 'first', id: 1, data: 'one' };
              yield { event: 'second', id: 2, data: 'multi\nline' };
              yield { event: 'third', id: 3, data: { n: 3 } };
            })(),
            { heartbeatMs: 0, retry: 1000, onClose: closed.resolve },
          ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    const { status, headers } = await client.response;
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    // No Connection header of ours: this client (no agent) asked to close, and the
    // adapter honours it (keep-alive is tested in connection.test.ts).
    expect(headers.connection).toBe(protocol === 'http/1.1' ? 'close' : undefined);
    await within(client.ended, 2000, 'the end');
    expect(client.retries).toEqual([1000]);
    expect(client.events).toEqual([
      { event: 'first', id: '1', data: 'one' },
      { event: 'second', id: '2', data: 'multi\nline' },
      { event: 'third', id: '3', data: '{"n":3}' },
    ]);
    expect((await closed.promise).code).toBe('CLOSED');
  });

  it("runs the generator's finally when the client goes away", async () => {
    const cleaned = deferred<number>();
    const closes: string[] = [];
    let yielded = 0;
    served = await serve(
      [
        (request: Request) =>
          eventSourceResponse(
            request,
            async function* (channel) {
              try {
                for (;;) {
                  yield { data: String(++yielded) };
                  await sleep(5, undefined, { signal: channel.signal }).catch(() => {});
                }
              } finally {
                cleaned.resolve(performance.now());
              }
            },
            { heartbeatMs: 0, onClose: (reason) => closes.push(reason.code) },
          ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await client.waitForEvents(3);
    const leftAt = performance.now();
    client.destroy();
    const at = await within(cleaned.promise, 1000, 'the finally block');
    expect(at - leftAt).toBeLessThan(100);
    expect(closes).toEqual(['CLIENT_DISCONNECT']);
    const count = yielded;
    await sleep(30);
    expect(yielded).toBe(count);
  });

  it('hands the Last-Event-ID to a function source', async () => {
    served = await serve(
      [
        (request: Request) =>
          eventSourceResponse(
            request,
            (channel) => {
              void channel.send({ data: `resume after ${channel.lastEventId}` });
              channel.close();
            },
            { heartbeatMs: 0 },
          ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol, { 'last-event-id': 'abc' });
    await within(client.ended, 2000, 'the end');
    expect(client.events.map((e) => e.data)).toEqual(['resume after abc']);
  });

  it('a generator that throws aborts the response (the client can tell) and is logged once', async () => {
    served = await serve(
      [
        (request: Request) =>
          eventSourceResponse(
            request,
            (async function* () {
              yield { data: 'one' };
              throw new Error('producer failed');
            })(),
            { heartbeatMs: 0 },
          ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    expect(await within(client.closed, 2000, 'the close')).toEqual({ clean: false });
    expect(client.events.map((e) => e.data)).toEqual(['one']);
    expect(served.logs.filter((l) => l.level === 'error')).toHaveLength(1);
  });
});

describe.each(PROTOCOLS)('eventSourceResponse opens at once over %s', (protocol) => {
  it('sends status and headers while the generator still waits for its first event', async () => {
    const firstEvent = deferred();
    const waiting = deferred();
    served = await serve(
      [
        (request: Request) =>
          eventSourceResponse(
            request,
            (async function* (): AsyncGenerator<SseEvent> {
              waiting.resolve();
              await firstEvent.promise; // as long as the test likes: a minute, an hour
              yield { id: 1, data: 'at last' };
            })(),
            { heartbeatMs: 0 },
          ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await within(waiting.promise, 2000, 'the generator to start waiting');
    const { status, headers } = await within(client.response, 2000, 'status and headers');
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.events).toEqual([]);
    firstEvent.resolve();
    expect(await client.waitForEvents(1)).toEqual([{ event: undefined, id: '1', data: 'at last' }]);
    await within(client.ended, 2000, 'the end');
  });
});

describe('eventSourceResponse with an EventSource client', () => {
  it("fires the client's open before the first event exists", async () => {
    const firstEvent = deferred();
    served = await serve(
      [
        (request: Request) =>
          eventSourceResponse(
            request,
            (async function* (): AsyncGenerator<SseEvent> {
              await firstEvent.promise;
              yield { data: 'first' };
            })(),
            { heartbeatMs: 0 },
          ),
      ],
      'http/1.1',
    );
    const source = new EventSource(`${served.url}/`);
    const opened = deferred();
    const message = deferred<string>();
    source.onopen = () => opened.resolve();
    source.onmessage = (event) => message.resolve(event.data);
    try {
      await within(opened.promise, 2000, "the EventSource's open");
      firstEvent.resolve();
      expect(await within(message.promise, 2000, 'the first event')).toBe('first');
    } finally {
      source.close();
      firstEvent.resolve();
    }
  });
});

describe('eventSource arguments', () => {
  it('refuses what it cannot stream, naming it', () => {
    expect(() => eventSource(42 as never)).toThrow(
      /source must be an async iterable or a function, got 42/,
    );
    expect(() => eventSource([] as never)).toThrow(
      /source must be an async iterable or a function, got an array/,
    );
    expect(() =>
      eventSource((async function* () {})(), { buffer: { policy: 'x' as never } }),
    ).toThrow(/options\.buffer\.policy/);
    expect(() => eventSource(() => {}, { onClose: 1 as never })).toThrow(
      /options\.onClose must be a function/,
    );
  });

  it('is a WriteableBody with the event-stream content type', () => {
    const body = eventSource(() => {});
    expect(body.defaultContentType()).toBe('text/event-stream; charset=utf-8');
    expect(body.contentLength()).toBeUndefined();
  });
});
