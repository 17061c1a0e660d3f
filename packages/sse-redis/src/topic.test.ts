import { describe, expect, it } from 'vitest';
import { checkTopic, isKeyPrefix, MAX_TOPIC_LENGTH, topicKeys } from './topic';

describe('topics', () => {
  it('accept names of the allowed characters up to the limit', () => {
    for (const good of ['a', 'room-1', 'user:42', 'a.b_c', 'x'.repeat(MAX_TOPIC_LENGTH)]) {
      expect(checkTopic(good)).toBe(good);
    }
  });

  it('refuse the rest with INVALID_TOPIC, status 400', () => {
    for (const bad of [
      '',
      'a b',
      'a{b}',
      '*',
      'a/b',
      'é',
      'a\nb',
      'x'.repeat(MAX_TOPIC_LENGTH + 1),
      7,
      null,
    ]) {
      expect(() => checkTopic(bad)).toThrow(
        expect.objectContaining({ name: 'SseRedisError', code: 'INVALID_TOPIC', status: 400 }),
      );
    }
  });

  it('keep both keys of a topic in one cluster slot (a hash tag), under the prefix', () => {
    expect(topicKeys('app:', 'room')).toEqual({ stream: 'app:{room}:s', epoch: 'app:{room}:e' });
    expect(isKeyPrefix('plinth:sse:')).toBe(true);
    expect(isKeyPrefix('a{b')).toBe(false);
    expect(isKeyPrefix('x'.repeat(65))).toBe(false);
  });
});
