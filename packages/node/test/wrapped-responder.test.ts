import {
  endResponse,
  type HttpContext,
  RESPONDER,
  type Responder,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type PlinthServer } from '../src/index';

const WRAPPED = Symbol.for('plinth.responder.wrapped');
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

/** An interceptor that puts a responder wrapping the adapter's on the context. */
function wrapping(seen: string[]) {
  return {
    name: 'wrapping',
    enter(ctx: HttpContext) {
      const inner = ctx[RESPONDER]!;
      const wrapper: Responder & { [WRAPPED]: Responder } = {
        [WRAPPED]: inner,
        get sent() {
          return inner.sent;
        },
        get ended() {
          return inner.ended;
        },
        get signal() {
          return inner.signal;
        },
        get protocol() {
          return inner.protocol;
        },
        begin: (response) => {
          seen.push('begin');
          return inner.begin(response);
        },
        append: (body) => {
          seen.push('append');
          return inner.append(body);
        },
        end: () => {
          seen.push('end');
          return inner.end();
        },
        abort: (reason) => inner.abort(reason),
      };
      ctx[RESPONDER] = wrapper;
      return ctx;
    },
  };
}

let server: PlinthServer | undefined;
afterEach(async () => {
  await server?.stop({ graceMs: 100 });
  server = undefined;
});

describe('a responder that wraps the adapter’s', () => {
  it('ring responses are still written by the adapter', async () => {
    server = createServer([wrapping([]), () => ({ status: 200, body: 'ring' })], {
      port: 0,
      host: '127.0.0.1',
      logger: quiet,
    });
    const { url } = await server.start();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ring');
  });

  it('low-level streaming goes through the wrapper', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    server = createServer(
      [
        wrapping(seen),
        {
          name: 'low',
          async enter(ctx: HttpContext) {
            await writeResponse(ctx, { status: 200, headers: { 'content-type': 'text/plain' } });
            await writeResponseBody(ctx, 'a');
            await writeResponseBody(ctx, 'b');
            return endResponse(ctx);
          },
        },
      ],
      { port: 0, host: '127.0.0.1', logger: { ...quiet, error: (obj) => errors.push(obj) } },
    );
    const { url } = await server.start();
    const res = await fetch(url);
    expect(await res.text()).toBe('ab');
    expect(errors).toEqual([]);
    expect(seen).toEqual(['begin', 'append', 'append', 'end']);
  });
});
