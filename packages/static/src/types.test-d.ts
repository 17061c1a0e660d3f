// Type tests, checked by `tsc` (pnpm --filter @plinth/static typecheck).
import type { HttpContext, Request, Response } from '@plinth/writeable-body';
import { expectTypeOf } from 'vitest';
import { type ServeStaticOptions, StaticError, serveFile, serveStatic } from './index';

declare const request: Request;

expectTypeOf(serveFile(request, '/srv/file.pdf')).toEqualTypeOf<Promise<Response>>();
expectTypeOf(serveFile)
  .parameter(2)
  .toMatchTypeOf<{ etag?: 'weak' | 'strong' | false | undefined } | undefined>();

// The interceptor keeps the context type it is given.
interface AppContext extends HttpContext {
  user?: string;
}
declare const ctx: AppContext;
expectTypeOf(serveStatic('public').enter(ctx)).toEqualTypeOf<Promise<AppContext>>();

// Options are checked: a misspelt policy or a bad coding is a type error.
// @ts-expect-error 'hidden' is not a dotfiles policy
serveStatic('public', { dotfiles: 'hidden' });
// @ts-expect-error 'deflate' is not a precompressed coding
serveStatic('public', { precompressed: ['deflate'] });
// @ts-expect-error contentType is for serveFile only
serveStatic('public', { contentType: 'text/plain' } satisfies ServeStaticOptions);

// The error narrows by its guard.
declare const error: unknown;
if (StaticError.isError(error)) {
  expectTypeOf(error.code).toEqualTypeOf<'INVALID_ARGUMENT' | 'FILE_CHANGED' | 'FILE_ERROR'>();
}
