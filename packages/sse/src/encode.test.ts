import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeComment, encodeEvent, type SseEvent } from './encode';
import { SseError } from './errors';

function parse(
  wire: string | Uint8Array,
  splits: number[] = [],
): {
  events: EventSourceMessage[];
  comments: string[];
  retries: number[];
} {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = createParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
    onRetry: (r) => retries.push(r),
  });
  const bytes = typeof wire === 'string' ? new TextEncoder().encode(wire) : wire;
  const decoder = new TextDecoder();
  let at = 0;
  for (const split of [...splits].sort((a, b) => a - b)) {
    parser.feed(decoder.decode(bytes.subarray(at, split), { stream: true }));
    at = split;
  }
  parser.feed(decoder.decode(bytes.subarray(at)));
  return { events, comments, retries };
}

describe('encodeEvent', () => {
  it('writes the fields and the blank line that dispatches the event', () => {
    expect(encodeEvent({ data: 'hello' })).toBe('data: hello\n\n');
    expect(encodeEvent({ event: 'greeting', id: 7, retry: 1500, data: 'hi' })).toBe(
      'id: 7\nevent: greeting\nretry: 1500\ndata: hi\n\n',
    );
  });

  it('splits data on LF, CR and CRLF into data: lines, keeping a trailing line break', () => {
    expect(encodeEvent({ data: 'a\nb\rc\r\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(encodeEvent({ data: 'last\n' })).toBe('data: last\ndata: \n\n');
    expect(encodeEvent({ data: '' })).toBe('data: \n\n');
    const { events } = parse(encodeEvent({ data: 'line 1\r\nline 2\n' }));
    expect(events).toEqual([{ id: undefined, event: undefined, data: 'line 1\nline 2\n' }]);
  });

  it('JSON-encodes data that is not a string', () => {
    expect(encodeEvent({ data: { a: [1, 'x\ny'] } })).toBe('data: {"a":[1,"x\\ny"]}\n\n');
    expect(encodeEvent({ data: 0 })).toBe('data: 0\n\n');
    expect(encodeEvent({ data: null })).toBe('data: null\n\n');
  });

  it('keeps id 0, id "" and retry 0', () => {
    expect(encodeEvent({ id: 0, data: 'x' })).toBe('id: 0\ndata: x\n\n');
    expect(encodeEvent({ id: '', data: 'x' })).toBe('id: \ndata: x\n\n');
    expect(encodeEvent({ retry: 0, data: 'x' })).toBe('retry: 0\ndata: x\n\n');
    const parsed = parse(encodeEvent({ id: 0, retry: 0, data: 'x' }));
    expect(parsed.events[0]?.id).toBe('0');
    expect(parsed.retries).toEqual([0]);
  });

  it.each([
    ['event', { event: 'a\nevent: evil', data: 'x' }],
    ['event', { event: 'a\rb', data: 'x' }],
    ['event', { event: 'a\0b', data: 'x' }],
    ['id', { id: '1\ndata: injected', data: 'x' }],
    ['id', { id: '1\r', data: 'x' }],
    ['id', { id: '1\0', data: 'x' }],
  ])('refuses CR, LF or NUL in %s (no injection), naming the field', (field, event) => {
    let error: unknown;
    try {
      encodeEvent(event as SseEvent);
    } catch (e) {
      error = e;
    }
    expect(SseError.isError(error)).toBe(true);
    expect((error as SseError).code).toBe('INVALID_EVENT');
    expect((error as SseError).field).toBe(field);
    expect((error as SseError).message).toContain(field);
    expect((error as SseError).message).toContain(JSON.stringify((event as never)[field]));
  });

  it.each([
    ['retry', { retry: -1, data: 'x' }, /retry must be a non-negative integer, got -1/],
    ['retry', { retry: 1.5, data: 'x' }, /got 1\.5/],
    ['retry', { retry: '5', data: 'x' }, /got "5"/],
    ['id', { id: Number.NaN, data: 'x' }, /id must be a finite number, got NaN/],
    ['id', { id: {}, data: 'x' }, /id must be a string or a number/],
    ['event', { event: 3, data: 'x' }, /event must be a string, got 3/],
    ['data', { data: undefined }, /data has no JSON form, got undefined/],
    ['data', { data: () => 1 }, /data has no JSON form, got a function/],
    ['data', { data: 10n }, /data cannot be JSON-encoded \(10n\)/],
  ])('refuses a bad %s with a message naming the value', (field, event, message) => {
    expect(() => encodeEvent(event as SseEvent)).toThrow(message);
    try {
      encodeEvent(event as SseEvent);
    } catch (e) {
      expect((e as SseError).field).toBe(field);
    }
  });

  it('keeps the JSON error as the cause of cyclic data', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    try {
      encodeEvent({ data: cyclic });
      expect.unreachable();
    } catch (e) {
      expect(SseError.isError(e)).toBe(true);
      expect((e as SseError).cause).toBeInstanceOf(TypeError);
    }
  });

  it('refuses what is not an event object', () => {
    expect(() => encodeEvent(null as never)).toThrow(/expected an object .* got null/);
    expect(() => encodeEvent('x' as never)).toThrow(/got "x"/);
  });

  // Any event that encodes parses back unchanged with a real parser (whatever the
  // chunk boundaries), except that CR and CRLF in data arrive as LF: SSE has one
  // line separator for the client.
  it('round-trips through eventsource-parser (property)', () => {
    const char = fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom('\r', '\n', '\r\n', ' ', ':', '\0', 'é', '😀') },
    );
    const text = fc.string({ unit: char, maxLength: 40 });
    const field = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s));
    const event = fc.record(
      {
        event: field,
        data: fc.oneof(text, fc.jsonValue()),
        id: fc.oneof(field, fc.integer()),
        retry: fc.nat(),
      },
      { requiredKeys: ['data'] },
    );
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (list, cuts) => {
          const wire = new TextEncoder().encode(list.map((e) => encodeEvent(e)).join(''));
          const parsed = parse(
            wire,
            cuts.map((c) => c % (wire.length + 1)),
          );
          expect(parsed.events).toHaveLength(list.length);
          list.forEach((sent, i) => {
            const got = parsed.events[i]!;
            const data = typeof sent.data === 'string' ? sent.data : JSON.stringify(sent.data);
            expect(got.data).toBe(data.replace(/\r\n|\r/g, '\n'));
            expect(got.event).toBe(sent.event === '' ? undefined : sent.event);
            expect(got.id).toBe(sent.id === undefined ? undefined : String(sent.id));
          });
          expect(parsed.retries).toEqual(
            list.filter((e) => e.retry !== undefined).map((e) => e.retry),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('encodeComment', () => {
  it('writes one ":" line per line, never dispatching an event', () => {
    expect(encodeComment('keep-alive')).toBe(': keep-alive\n');
    expect(encodeComment('a\nb\r\nc\rd')).toBe(': a\n: b\n: c\n: d\n');
    expect(encodeComment('')).toBe(':\n');
    const parsed = parse(`${encodeComment('x\ndata: not an event')}\n`);
    expect(parsed.events).toEqual([]);
    expect(parsed.comments).toEqual(['x', 'data: not an event']);
  });

  it('refuses a non-string', () => {
    expect(() => encodeComment(5 as never)).toThrow(/comment: must be a string, got 5/);
  });
});
