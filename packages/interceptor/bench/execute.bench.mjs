// The contenders, all over the same functions: for each chain length and flavour,
// `n` enter functions and `n` leave functions, each bumping a counter on the
// context and returning it.
import { execute, interceptor, run } from '@plinth/interceptor';
import compose from 'koa-compose';

/**
 * Requests per timed sample: enough that one sample lasts far longer than the
 * microsecond resolution of the CPU clock.
 */
export const BATCH = 1000;

const AsyncFunction = (async () => {}).constructor;

// Each stage is its own function, compiled from its own source. Closures made
// from one source would let V8 inline them all at a call site that saw only
// them, which a real application (where every interceptor is different code)
// never gets; it would flatter whichever contender's call site stayed "clean".
function stages(n, flavour) {
  const make = flavour === 'sync' ? Function : AsyncFunction;
  const enters = [];
  const leaves = [];
  for (let k = 0; k < n; k++) {
    enters.push(make('ctx', `ctx.entered += ${k}; return ctx; // enter ${k}`));
    leaves.push(make('ctx', `ctx.left += ${k}; return ctx; // leave ${k}`));
  }
  return { enters, leaves };
}

/** A Koa middleware per interceptor around the same enter and leave, also each its own code. */
function middlewareFor(enter, leave, k, flavour) {
  const body =
    flavour === 'sync'
      ? `return async function m${k}(ctx, next) { enter(ctx); await next(); leave(ctx); };`
      : `return async function m${k}(ctx, next) { await enter(ctx); await next(); await leave(ctx); };`;
  return Function('enter', 'leave', body)(enter, leave);
}

function newContext() {
  return { request: { method: 'GET', url: '/' }, entered: 0, left: 0 };
}

/**
 * The request handlers of every contender for one chain, each running BATCH
 * requests one after the other and checking the last result.
 */
export function contenders(n, flavour) {
  const { enters, leaves } = stages(n, flavour);
  const expected = (n * (n - 1)) / 2;
  const check = (ctx) => {
    if (ctx.entered !== expected || ctx.left !== expected) {
      throw new Error(`wrong result: ${JSON.stringify(ctx)}`);
    }
  };

  const chain = enters.map((enter, k) => interceptor({ name: `i${k}`, enter, leave: leaves[k] }));

  const middleware = enters.map((enter, k) => middlewareFor(enter, leaves[k], k, flavour));
  const koa = compose(middleware);

  const plainSync = (ctx) => {
    for (let k = 0; k < enters.length; k++) ctx = enters[k](ctx);
    for (let k = leaves.length - 1; k >= 0; k--) ctx = leaves[k](ctx);
    return ctx;
  };
  const plainAsync = async (ctx) => {
    for (let k = 0; k < enters.length; k++) ctx = await enters[k](ctx);
    for (let k = leaves.length - 1; k >= 0; k--) ctx = await leaves[k](ctx);
    return ctx;
  };

  const result = {
    // What an adapter does with run: use the context at once when it came back
    // synchronously, wait only when it is a promise.
    'plinth run':
      flavour === 'sync'
        ? () => {
            let ctx;
            for (let r = 0; r < BATCH; r++) {
              ctx = run(newContext(), chain);
              if (ctx instanceof Promise) throw new Error('run returned a promise');
            }
            check(ctx);
          }
        : async () => {
            let ctx;
            for (let r = 0; r < BATCH; r++) {
              ctx = run(newContext(), chain);
              if (ctx instanceof Promise) ctx = await ctx;
            }
            check(ctx);
          },
    'plinth execute': async () => {
      let ctx;
      for (let r = 0; r < BATCH; r++) ctx = await execute(newContext(), chain);
      check(ctx);
    },
    'koa-compose': async () => {
      let ctx;
      for (let r = 0; r < BATCH; r++) {
        ctx = newContext();
        await koa(ctx);
      }
      check(ctx);
    },
  };
  if (flavour === 'sync') {
    // The floor: the same functions called in a loop, nothing awaited.
    result['plain loop'] = () => {
      let ctx;
      for (let r = 0; r < BATCH; r++) ctx = plainSync(newContext());
      check(ctx);
    };
    // The same loop behind a promise that the caller awaits, as any server awaits
    // a handler: the shape of `execute`'s API at no other cost.
    result['plain loop, awaited'] = async () => {
      let ctx;
      for (let r = 0; r < BATCH; r++) ctx = await plainSync(newContext());
      check(ctx);
    };
  } else {
    result['plain loop'] = async () => {
      let ctx;
      for (let r = 0; r < BATCH; r++) ctx = await plainAsync(newContext());
      check(ctx);
    };
  }
  return result;
}
