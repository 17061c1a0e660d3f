// @plinth/interceptor: Pedestal-style interceptor chains.

// Changing a chain from inside (or before) it
export { addObserver, enqueue, terminate, terminateWhen, withError } from './context';
export type { InterceptorErrorOptions } from './error';
// Errors
export { InterceptorError } from './error';
// Running a chain
export { execute } from './execute';
// Building interceptors
export { interceptor } from './interceptor';
export { run } from './run';
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
