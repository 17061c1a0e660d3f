import { SseRedisError } from './errors';

/** The longest topic name, in characters. */
export const MAX_TOPIC_LENGTH = 128;
const TOPIC = /^[A-Za-z0-9._:-]+$/;
const PREFIX = /^[A-Za-z0-9._:-]{0,64}$/;

/**
 * Checks a topic name: 1 to {@link MAX_TOPIC_LENGTH} characters from `A-Z a-z 0-9 .
 * _ : -`. Returns it, or throws an {@link SseRedisError} `INVALID_TOPIC` with status
 * 400 (safe to let through to the adapter while handling a request). A topic name
 * never reaches Redis unchecked, so a client cannot address another key.
 *
 * @example
 * ```ts
 * checkTopic('room-1'); // 'room-1'
 * checkTopic('a{b}'); // throws SseRedisError INVALID_TOPIC (status 400)
 * ```
 */
export function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new SseRedisError('INVALID_TOPIC', 'a topic name must be a non-empty string', {
      status: 400,
      field: 'topic',
    });
  }
  if (topic.length > MAX_TOPIC_LENGTH) {
    throw new SseRedisError(
      'INVALID_TOPIC',
      `a topic name has at most ${MAX_TOPIC_LENGTH} characters, got ${topic.length}`,
      { status: 400, field: 'topic' },
    );
  }
  if (!TOPIC.test(topic)) {
    throw new SseRedisError(
      'INVALID_TOPIC',
      'a topic name may only have the characters A-Z a-z 0-9 . _ : -',
      { status: 400, field: 'topic' },
    );
  }
  return topic;
}

/** @internal Whether a key prefix is acceptable (at most 64 of the topic characters). */
export function isKeyPrefix(value: unknown): value is string {
  return typeof value === 'string' && PREFIX.test(value);
}

/** @internal The Redis keys of a topic. */
export interface TopicKeys {
  /** The stream. */
  readonly stream: string;
  /** The epoch: a random value set once (`SET NX` semantics) with the first use. */
  readonly epoch: string;
}

/**
 * @internal The keys of a topic: `<prefix>{<topic>}:s` and `<prefix>{<topic>}:e`.
 * The braces are a Redis Cluster hash tag: both keys of a topic live in one slot, so
 * the scripts that touch both run on any cluster.
 */
export function topicKeys(prefix: string, topic: string): TopicKeys {
  const base = `${prefix}{${topic}}`;
  return { stream: `${base}:s`, epoch: `${base}:e` };
}
