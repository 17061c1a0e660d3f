/** @internal */
export function noop(): void {}

/**
 * A rejected promise that does not count as unhandled: a producer that ignores what
 * `write()` returned must not crash the process when the client leaves.
 * @internal
 */
export function rejected(reason: unknown): Promise<never> {
  const promise = Promise.reject(reason);
  promise.catch(noop);
  return promise;
}
