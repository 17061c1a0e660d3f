import type { Request, Response } from '@plinth/writeable-body';
import { DemoError } from './error';
import type { DemoLogger } from './logger';

/** `/range` answers 10 numbers when no `limit` is given. */
export const RANGE_DEFAULT_LIMIT = 10;

/**
 * The largest `limit` `/range` accepts: a billion numbers, about 10 GB of JSON.
 * Memory stays bounded whatever the limit (the sequence is lazy and the client's
 * pace drives it); the cap only keeps one request from running for hours.
 */
export const RANGE_MAX_LIMIT = 1_000_000_000;

/**
 * Reads `limit` from the decoded query: absent means {@link RANGE_DEFAULT_LIMIT};
 * otherwise decimal digits only (no sign, no fraction, no exponent, no spaces), at
 * most {@link RANGE_MAX_LIMIT}. Anything else is a {@link DemoError} (400) that
 * names the value.
 *
 * @example
 * ```ts
 * parseLimit(undefined); // 10
 * parseLimit('5'); // 5
 * parseLimit('-1'); // throws DemoError: limit must be a non-negative integer, got "-1"
 * ```
 */
export function parseLimit(value: string | readonly string[] | undefined): number {
  if (value === undefined) return RANGE_DEFAULT_LIMIT;
  if (typeof value !== 'string') {
    throw new DemoError(`limit must be given once, got ${value.length} values`);
  }
  if (!/^[0-9]+$/.test(value)) {
    throw new DemoError(`limit must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  const limit = Number(value);
  if (limit > RANGE_MAX_LIMIT) {
    throw new DemoError(`limit must be at most ${RANGE_MAX_LIMIT}, got ${value}`);
  }
  return limit;
}

/**
 * The lazy sequence 0, 1, …, limit - 1: the seed's `(range limit)`. Nothing is
 * computed before the client asks for it; `onStop` learns how far it got when it is
 * closed early (the client left).
 *
 * @example
 * ```ts
 * [...range(3)]; // [0, 1, 2]
 * const response = { status: 200, body: range(100_000_000) }; // streamed as a JSON array
 * ```
 */
export function* range(limit: number, onStop?: (produced: number) => void): Generator<number> {
  let produced = 0;
  let done = false;
  try {
    for (let i = 0; i < limit; i++) {
      produced = i + 1;
      yield i;
    }
    done = true;
  } finally {
    // Runs when the body-writer calls return(): the client left, or the write failed.
    if (!done) onStop?.(produced);
  }
}

/**
 * `GET /range?limit=N`: answers the lazy sequence as the response body; the
 * body-writer streams it as a JSON array, element by element.
 * @internal
 */
export function rangeHandler(logger: DemoLogger): (request: Request) => Response {
  return (request) => {
    const limit = parseLimit(request.query?.limit);
    return {
      status: 200,
      body: range(limit, (produced) =>
        logger.info({ produced, limit }, 'range: stopped early, the generator was closed'),
      ),
    };
  };
}
