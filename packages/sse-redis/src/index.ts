// @plinth/sse-redis: @plinth/sse hubs shared across processes on Redis Streams.

// Errors
export type { SseRedisErrorCode, SseRedisErrorOptions } from './errors';
export { isSseRedisError, SseRedisError } from './errors';
// Topics, their hubs and logs
export type { RedisStreams, RedisStreamsOptions } from './streams';
export { connectRedisStreams } from './streams';
export { checkTopic, MAX_TOPIC_LENGTH } from './topic';
