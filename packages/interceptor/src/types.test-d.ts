// Type tests (checked by `tsc` in the typecheck script and by vitest's typecheck):
// an HTTP-style context type flows through interceptors, execute and the chain
// functions without casts.
import { describe, expectTypeOf, it } from 'vitest';
import {
  addObserver,
  enqueue,
  execute,
  type Interceptor,
  InterceptorError,
  interceptor,
  type ObserverEvent,
  run,
  terminate,
  terminateWhen,
  withError,
} from './index';

const RESPONDER: unique symbol = Symbol('responder');
interface Request {
  readonly method: string;
  readonly url: string;
}
interface Response {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
interface HttpContext {
  request: Request;
  response?: Response | undefined;
  [RESPONDER]?: { sent: boolean };
}
interface AppContext extends HttpContext {
  user?: string;
}

describe('types', () => {
  it('infers the context from where the interceptor goes', () => {
    const chain: Interceptor<AppContext>[] = [
      interceptor({
        name: 'auth',
        enter: (ctx) => {
          expectTypeOf(ctx).toEqualTypeOf<AppContext>();
          return { ...ctx, user: ctx.request.url };
        },
        error: (ctx, error) => {
          expectTypeOf(error).toEqualTypeOf<InterceptorError>();
          return { ...ctx, response: { status: 500, body: error.message } };
        },
      }),
      interceptor((request) => {
        expectTypeOf(request).toEqualTypeOf<Request>();
        return { status: 200, body: request.url };
      }),
      interceptor(async (request) => ({ status: 201, body: request.method })),
    ];
    expectTypeOf(
      execute({ request: { method: 'GET', url: '/' } } as AppContext, chain),
    ).toEqualTypeOf<Promise<AppContext>>();
  });

  it('run returns the context or a promise of it, told apart by instanceof Promise', () => {
    const chain: Interceptor<AppContext>[] = [
      interceptor((request) => ({ status: 200, body: request.url })),
    ];
    const out = run({ request: { method: 'GET', url: '/' } } as AppContext, chain);
    expectTypeOf(out).toEqualTypeOf<AppContext | Promise<AppContext>>();
    if (out instanceof Promise) {
      expectTypeOf(out).toEqualTypeOf<Promise<AppContext>>();
    } else {
      expectTypeOf(out).toEqualTypeOf<AppContext>();
      expectTypeOf(out.response).toEqualTypeOf<Response | undefined>();
    }
  });

  it('takes an explicit context type', () => {
    const i = interceptor<HttpContext>({ leave: (ctx) => ctx });
    expectTypeOf(i).toEqualTypeOf<Interceptor<HttpContext>>();
    expectTypeOf(i.leave).toEqualTypeOf<
      ((ctx: HttpContext) => HttpContext | Promise<HttpContext>) | undefined
    >();
  });

  it('a stage that only throws does not make the context never', () => {
    const fail = interceptor<HttpContext>({
      enter: () => {
        throw new Error('no');
      },
    });
    expectTypeOf(fail).toEqualTypeOf<Interceptor<HttpContext>>();
    const untyped = interceptor({
      enter: () => {
        throw new Error('no');
      },
    });
    expectTypeOf(untyped).toEqualTypeOf<Interceptor<any>>();
  });

  it('keeps the context type through the chain functions', () => {
    const ctx: AppContext = { request: { method: 'GET', url: '/' } };
    expectTypeOf(
      enqueue(ctx, interceptor<AppContext>({ enter: (c) => c })),
    ).toEqualTypeOf<AppContext>();
    expectTypeOf(terminate(ctx)).toEqualTypeOf<AppContext>();
    expectTypeOf(withError(ctx, new Error('x'))).toEqualTypeOf<AppContext>();
    terminateWhen(ctx, (c) => {
      expectTypeOf(c).toEqualTypeOf<AppContext>();
      return c.response !== undefined;
    });
    addObserver(ctx, (event) => {
      expectTypeOf(event).toEqualTypeOf<ObserverEvent<AppContext>>();
      expectTypeOf(event.contextOut.user).toEqualTypeOf<string | undefined>();
    });
  });

  it('rejects what does not fit', () => {
    // @ts-expect-error the handler's response must be a Response
    const _a: Interceptor<HttpContext> = interceptor((request) => ({ code: request.url }));
    const _b: Interceptor<HttpContext> = interceptor({
      // @ts-expect-error a stage must return the context
      enter: (ctx) => ctx.request,
    });
    // @ts-expect-error an interceptor needs a context object type
    interceptor<string>({ enter: (s) => s });
    // @ts-expect-error not a context
    execute('ctx', []);
    // @ts-expect-error not a context
    run(42, []);
    expectTypeOf(InterceptorError.isError).guards.toEqualTypeOf<InterceptorError>();
  });
});
