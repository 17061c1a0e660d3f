// @plinth/interceptor: Pedestal-style interceptor chains.

// Asking a running chain what it waits for
export type { PendingStage } from './context';
// Changing a chain from inside (or before) it
export { addObserver, enqueue, pendingStage, terminate, terminateWhen, withError } from './context';
// Errors
export type { InterceptorErrorCode, InterceptorErrorOptions } from './errors';
export { InterceptorError, isInterceptorError } from './errors';
// Running a chain, resolving a promise every time
export { execute } from './execute';
// Building interceptors
export { interceptor } from './interceptor';
// Running a chain on a hot path: the context itself when every stage was synchronous
export { run } from './run';
// The types of interceptors, stages and observers
export type {
  Handler,
  Interceptor,
  InterceptorSpec,
  Observer,
  ObserverEvent,
  RequestOf,
  ResponseOf,
  Stage,
} from './types';
