import type { InterceptorError } from './errors';
import type { Stage } from './stage';

export type { Stage } from './stage';

/**
 * An interceptor: up to three functions that each take the context and return it
 * (the same object mutated, a spread copy, or a promise of either).
 *
 * - `enter` runs on the way in, in queue order.
 * - `leave` runs on the way out, in reverse order, for every interceptor whose
 *   `enter` ran (or would have run, for interceptors without one).
 * - `error` runs instead of `leave` while an error is unwinding the stack. Return
 *   a context without an error to handle it; return `withError(ctx, error)` or
 *   rethrow to pass it on.
 *
 * Build one with {@link interceptor}, which validates it.
 */
export interface Interceptor<C extends object = any> {
  /** A name for errors, observers and logs. */
  readonly name?: string | undefined;
  /** Runs on the way in. */
  enter?: ((ctx: C) => C | Promise<C>) | undefined;
  /** Runs on the way out. */
  leave?: ((ctx: C) => C | Promise<C>) | undefined;
  /** Runs while an error unwinds the stack; `ctx` no longer carries the error. */
  error?: ((ctx: C, error: InterceptorError) => C | Promise<C>) | undefined;
}

/**
 * What {@link interceptor} accepts: an {@link Interceptor} whose context type is
 * inferred from the parameters of its stages (or from where the result goes),
 * never from what they return, so a stage that only throws does not make it
 * `Interceptor<never>`.
 */
export interface InterceptorSpec<C extends object = any> {
  /** A name for errors, observers and logs. */
  readonly name?: string | undefined;
  /** Runs on the way in. */
  enter?: ((ctx: C) => NoInfer<C> | Promise<NoInfer<C>>) | undefined;
  /** Runs on the way out. */
  leave?: ((ctx: C) => NoInfer<C> | Promise<NoInfer<C>>) | undefined;
  /** Runs while an error unwinds the stack; `ctx` no longer carries the error. */
  error?: ((ctx: C, error: InterceptorError) => NoInfer<C> | Promise<NoInfer<C>>) | undefined;
}

/**
 * A plain request handler, shorthand for an interceptor whose `enter` sets
 * `ctx.response` to what the handler returns for `ctx.request`.
 */
export type Handler<Req = any, Res = any> = (request: Req) => Res | Promise<Res>;

/** The type of `ctx.request` for a context type, `any` when it has none. */
export type RequestOf<C> = C extends { request: infer R } ? R : any;

/** The type of `ctx.response` for a context type, `any` when it has none. */
export type ResponseOf<C> = C extends { response?: infer R } ? R : any;

/** What an {@link Observer} is told about one stage that ran. */
export interface ObserverEvent<C extends object = any> {
  /** The execution this stage belongs to (see {@link InterceptorError.executionId}). */
  readonly executionId: number;
  /** The stage that ran. */
  readonly stage: Stage;
  /** The interceptor's name. */
  readonly interceptor: string | undefined;
  /** The context the stage was given. */
  readonly contextIn: C;
  /** The context the stage returned (the same object when it mutated `contextIn`). */
  readonly contextOut: C;
}

/** Called after each stage that ran and returned a context; see {@link addObserver}. */
export type Observer<C extends object = any> = (event: ObserverEvent<C>) => void;
