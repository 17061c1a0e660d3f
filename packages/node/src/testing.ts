// @plinth/node/testing: the in-process test client, a subpath of its own so that
// what an application imports in production pulls in no test-only code.

export type {
  EventStreamItem,
  ServerSentEvent,
  StreamingResponse,
  TestRequestOptions,
  TestResponse,
} from './test-client';
export { responseFor, streamFor } from './test-client';
