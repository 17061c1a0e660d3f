// A chain of interceptors around a request, without any HTTP server.
// Run: node examples/quick-start.mjs (after building the package)
import { execute, interceptor, terminateWhen } from '@plinth/interceptor';

const users = new Map([['alice', { name: 'Alice' }]]);

// Times every request, failed ones included: leave runs after an error is handled.
const timing = interceptor({
  name: 'timing',
  enter: (ctx) => ({ ...ctx, start: performance.now() }),
  leave: (ctx) => {
    const ms = (performance.now() - ctx.start).toFixed(2);
    console.log(`${ctx.request.url} -> ${ctx.response.status} (${ms} ms)`);
    return ctx;
  },
});

// Turns an error from any interceptor further in into a 500 response.
const errors = interceptor({
  name: 'errors',
  error: (ctx, error) => {
    console.log(`  ${error.interceptor} failed in ${error.stage}: ${error.cause.message}`);
    return { ...ctx, response: { status: 500, body: 'Internal server error' } };
  },
});

// Answers 401 by itself; the terminator in `handle` then stops the chain there.
const auth = interceptor({
  name: 'auth',
  enter: (ctx) =>
    ctx.request.headers.authorization === 'secret'
      ? ctx
      : { ...ctx, response: { status: 401, body: 'Who are you?' } },
});

// Asynchronous: a stage may return a promise of the context.
const loadUser = interceptor({
  name: 'load-user',
  enter: async (ctx) => {
    const id = ctx.request.url.slice(1);
    const user = users.get(id);
    if (user === undefined) throw new Error(`no user ${id}`);
    return { ...ctx, user };
  },
});

// Reads what an earlier interceptor put on the context.
const greet = interceptor({
  name: 'greet',
  enter: (ctx) => ({ ...ctx, response: { status: 200, body: `Hello, ${ctx.user.name}!` } }),
});

const chain = [timing, errors, auth, loadUser, greet];

async function handle(request) {
  // Stop entering as soon as an interceptor has set a response.
  const ctx = terminateWhen({ request }, (ctx) => ctx.response !== undefined);
  const out = await execute(ctx, chain);
  return out.response;
}

console.log(await handle({ url: '/alice', headers: { authorization: 'secret' } }));
console.log(await handle({ url: '/alice', headers: {} }));
console.log(await handle({ url: '/bob', headers: { authorization: 'secret' } }));

// A plain handler function is an interceptor too: its result becomes ctx.response.
const hello = interceptor((request) => ({ status: 200, body: `You asked for ${request.url}` }));
console.log((await execute({ request: { url: '/hello' } }, [hello])).response);
