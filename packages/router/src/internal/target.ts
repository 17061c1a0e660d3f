import type { Interceptor } from '@plinth/interceptor';
import { isThenable, type Response } from '@plinth/writeable-body';
import { RouterError } from '../errors';
import type { RouteHandler, RouterContext } from '../types';
import { describe } from './describe';

const STAGES = ['enter', 'leave', 'error'] as const;

/**
 * Why a value is not an interceptor, or `undefined` when it is one: an object with at
 * least one of `enter`/`leave`/`error`, each a function when present.
 * @internal
 */
export function notAnInterceptor(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected an interceptor { enter?, leave?, error? }, got ${describe(value)}`;
  }
  const spec = value as Record<string, unknown>;
  let stages = 0;
  for (const stage of STAGES) {
    const fn = spec[stage];
    if (fn === undefined) continue;
    if (typeof fn !== 'function') return `its ${stage} must be a function, got ${describe(fn)}`;
    stages++;
  }
  if (stages === 0) return 'an interceptor needs at least one of enter, leave or error';
  return undefined;
}

function setResponse(ctx: RouterContext, response: unknown, name: string): RouterContext {
  if (response === null || typeof response !== 'object') {
    throw new RouterError(
      'INVALID_RESPONSE',
      `the handler of route '${name}' returned ${describe(response)}; a handler must return a response { status, headers?, body? }`,
      { route: name },
    );
  }
  ctx.response = response as Response;
  return ctx;
}

/**
 * Turns a route's handler into the interceptor that runs it: `enter` calls it with
 * the request and sets `ctx.response`. Synchronous handlers stay synchronous (no
 * promise), so an all-sync chain pays none.
 * @internal
 */
export function handlerInterceptor(
  name: string,
  handler: RouteHandler,
): Interceptor<RouterContext> {
  return {
    name,
    enter(ctx: RouterContext) {
      const response = handler(ctx.request) as unknown;
      if (isThenable(response)) {
        return Promise.resolve(response).then((r) => setResponse(ctx, r, name));
      }
      return setResponse(ctx, response, name);
    },
  };
}
