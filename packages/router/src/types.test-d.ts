// Type tests, checked by `tsc` (the typecheck script): what a route table accepts and
// what the router gives back.
import { interceptor } from '@plinth/interceptor';
import type { Request, Response } from '@plinth/writeable-body';
import { expectTypeOf } from 'vitest';
import { group } from './group';
import { router } from './router';
import { routeTable } from './table';
import type { MatchedRoute, PathParams, RouterContext, RouteTableSpec } from './types';

const auth = interceptor<RouterContext>({ name: 'auth', enter: (ctx) => ctx });

// Handlers get the Request without annotations, and may be async.
router([
  [
    '/a/:id',
    'GET',
    (request) => {
      expectTypeOf(request).toEqualTypeOf<Request>();
      return { status: 200, body: request.pathParams?.id };
    },
  ],
  ['/b', ['GET', 'POST'], async () => ({ status: 204 }), { name: 'b' }],
  ['/c', 'ANY', auth],
  ['/d', 'PROPFIND', [auth, auth, () => ({ status: 207 })]],
  ['/e/:n', 'GET', () => ({ status: 200 }), { constraints: { n: /\d+/ } }],
  ['/f/:n', 'GET', () => ({ status: 200 }), { constraints: { n: (v) => v.length < 4 } }],
  group('/g', [['/h', 'GET', () => ({ status: 200 })]], { interceptors: [auth] }),
]);

// A table declared apart keeps its handler types with `satisfies`.
const table = [['/x', 'GET', () => ({ status: 200 })]] satisfies RouteTableSpec;
router(table);

// @ts-expect-error a route needs a target
router([['/a', 'GET']]);
// @ts-expect-error a misspelt option
router([['/a', 'GET', () => ({ status: 200 }), { nmae: 'a' }]]);
// @ts-expect-error a handler must return a response
router([['/a', 'GET', () => 'hello']]);
// @ts-expect-error a constraint is a RegExp or a predicate
router([['/a/:id', 'GET', () => ({ status: 200 }), { constraints: { id: 'digits' } }]]);

const app = router(table);
expectTypeOf(app.urlFor('x', { params: { id: 1 }, query: { q: ['a', 'b'], n: 1 } })).toBeString();
expectTypeOf(app.name).toEqualTypeOf<'router'>();
expectTypeOf(app.enter).parameter(0).toEqualTypeOf<RouterContext>();

const result = routeTable(table).match('GET', '/x');
if (result.kind === 'found') {
  expectTypeOf(result.route).toEqualTypeOf<MatchedRoute>();
  expectTypeOf(result.params).toEqualTypeOf<PathParams>();
}
if (result.kind === 'method-not-allowed')
  expectTypeOf(result.allow).toEqualTypeOf<readonly string[]>();

// What the router sets on the context.
declare const ctx: RouterContext;
expectTypeOf(ctx.route).toEqualTypeOf<MatchedRoute | undefined>();
expectTypeOf(ctx.response).toEqualTypeOf<Response | undefined>();
