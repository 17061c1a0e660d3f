/**
 * What a body writes to. An adapter (for example `@plinth/node`) implements it over
 * its own output; a body never sees the socket.
 *
 * @example
 * ```ts
 * async function writeRows(sink: BodySink, rows: AsyncIterable<string>) {
 *   for await (const row of rows) {
 *     if (sink.signal.aborted) return;
 *     await sink.write(`${row}\n`); // waits only when the client is slower than us
 *   }
 * }
 * ```
 */
export interface BodySink {
  /**
   * Writes bytes, or a string encoded as UTF-8. Returns `undefined` while more may be
   * written at once, and a promise when the producer must wait (the client is
   * slower): the promise resolves when more may be written and rejects when the
   * client goes away or the response is aborted. Every pending promise settles.
   *
   * Small writes may be coalesced by the sink; call {@link BodySink.flush} to push
   * them out now.
   */
  write(chunk: Uint8Array | string): undefined | Promise<void>;
  /** Pushes bytes the sink is holding back (coalesced small writes) to the wire now. */
  flush(): void;
  /**
   * Aborted when the client disconnects or the response is aborted; `reason` says
   * why (see {@link AbortReason}). Producers should stop and release what they hold.
   */
  readonly signal: AbortSignal;
}

/**
 * Why a response's signal was aborted, as `signal.reason.code` on the `Error` the
 * adapter aborts with.
 *
 * - `CLIENT_DISCONNECT`: the client closed the connection (or reset the stream).
 * - `SERVER_STOP`: the server is shutting down and ended the stream.
 * - `BODY_ERROR`: the body failed after the response started.
 * - `ABORTED`: the application aborted the response.
 * - `TIMEOUT`: a time limit of the adapter expired.
 */
export type AbortReason =
  | 'CLIENT_DISCONNECT'
  | 'SERVER_STOP'
  | 'BODY_ERROR'
  | 'ABORTED'
  | 'TIMEOUT';
