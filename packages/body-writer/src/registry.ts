import type { BodySink } from '@plinth/writeable-body';
import { BodyWriterError } from './errors';
import { describe } from './internal/describe';

/** How a registered type writes itself; see {@link extendBodyWriter}. */
export interface BodyWriterExtension<T> {
  /**
   * The default Content-Type, fixed or computed from the value.
   * @default undefined (no Content-Type unless the response sets one)
   */
  contentType?: string | ((value: T) => string | undefined) | undefined;
  /**
   * The length in bytes, when it is known before writing.
   * @default undefined (unknown: the response is chunked)
   */
  length?: ((value: T) => number | undefined) | undefined;
  /** Writes the value to the sink; may return a promise (see `WriteableBody.writeBody`). */
  write: (value: T, sink: BodySink) => void | Promise<void>;
}

/** A class (matched with `instanceof`) or a type guard. */
export type BodyWriterTest<T> =
  | (abstract new (
      ...args: any[]
    ) => T)
  | ((value: unknown) => value is T);

/** @internal */
export interface RegistryEntry {
  readonly matches: (value: unknown) => boolean;
  readonly extension: BodyWriterExtension<any>;
}

/**
 * Newest first: a later registration overrides an earlier one for the values both
 * match (an application can override a plugin).
 * @internal
 */
export const registry: RegistryEntry[] = [];

/**
 * Tells a class from a type guard. Arrow functions and methods have no
 * `prototype`; `class` syntax and built-in constructors are classes; a plain
 * `function` counts as a class only when its prototype has methods.
 * @internal
 */
export function isClass(fn: Function): boolean {
  const prototype = (fn as { prototype?: unknown }).prototype;
  if (prototype === null || typeof prototype !== 'object') return false;
  const source = Function.prototype.toString.call(fn);
  if (/^class[\s{]/.test(source) || /\{\s*\[native code\]\s*\}\s*$/.test(source)) return true;
  return Object.getOwnPropertyNames(prototype).some((name) => name !== 'constructor');
}

/**
 * Extends the body-writer protocol to a type you cannot modify (a class from another
 * library) or to any values a type guard picks out. Registered types are checked
 * before the built-in rules (so a class can be written some other way than as a
 * JSON object), but after the `WriteableBody` brand; the newest registration that
 * matches wins. `null` and `undefined` are never offered to the registry.
 *
 * Returns a function that takes this registration out again (for tests, hot reload).
 *
 * @example
 * ```ts
 * import { Decimal } from 'decimal.js';
 * extendBodyWriter(Decimal, {
 *   contentType: 'text/plain; charset=utf-8',
 *   length: (d) => Buffer.byteLength(d.toString()),
 *   write: (d, sink) => void sink.write(d.toString()),
 * });
 * ```
 */
export function extendBodyWriter<T>(
  test: BodyWriterTest<T>,
  impl: BodyWriterExtension<T>,
): () => void {
  if (typeof test !== 'function') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `extendBodyWriter(test, impl): test must be a class or a type guard function, got ${describe(test)}`,
    );
  }
  if (impl === null || typeof impl !== 'object' || typeof impl.write !== 'function') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `extendBodyWriter(test, impl): impl.write must be a function, got ${describe(
        impl === null || typeof impl !== 'object' ? impl : impl.write,
      )}`,
    );
  }
  const { contentType, length } = impl;
  if (
    contentType !== undefined &&
    typeof contentType !== 'string' &&
    typeof contentType !== 'function'
  ) {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `extendBodyWriter(test, impl): impl.contentType must be a string or a function, got ${describe(contentType)}`,
    );
  }
  if (length !== undefined && typeof length !== 'function') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `extendBodyWriter(test, impl): impl.length must be a function, got ${describe(length)}`,
    );
  }
  const matches = isClass(test)
    ? (value: unknown) => value instanceof (test as abstract new (...args: any[]) => T)
    : (value: unknown) => (test as (value: unknown) => boolean)(value) === true;
  const entry: RegistryEntry = { matches, extension: impl as BodyWriterExtension<any> };
  registry.unshift(entry);
  return () => {
    const index = registry.indexOf(entry);
    if (index !== -1) registry.splice(index, 1);
  };
}

/**
 * The newest registry entry that matches, if any.
 * @internal
 */
export function findExtension(value: unknown): BodyWriterExtension<any> | undefined {
  for (let i = 0; i < registry.length; i++) {
    const entry = registry[i]!;
    if (entry.matches(value)) return entry.extension;
  }
  return undefined;
}
