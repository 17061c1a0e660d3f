// The package's helpers for arbitrary values: describing one in a message, and
// telling a thenable. (@plinth/interceptor depends on nothing, so it keeps its own.)

/**
 * A short description of any value for error messages.
 * @internal
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
  }
  try {
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
      ?.constructor?.name;
    const kind = ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
    const keys = Object.keys(value as object);
    if (keys.length === 0) return `${kind} with no keys`;
    const shown = keys.slice(0, 5).join(', ');
    return `${kind} with keys ${shown}${keys.length > 5 ? ', …' : ''}`;
  } catch {
    return 'an object';
  }
}

/**
 * The message of a thrown value.
 * @internal
 */
export function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  return `threw ${describe(value)}`;
}

/**
 * Tells whether an object is a thenable (has a `then` method), as `await` does.
 * @internal
 */
export function isThenable(value: object): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown }).then === 'function';
}
