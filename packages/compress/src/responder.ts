import { toWriteableBody } from '@plinth/body-writer';
import {
  type Responder,
  type Response,
  WRAPPED_RESPONDER,
  type WriteableBody,
} from '@plinth/writeable-body';
import { CompressedPart, type LowLevelStream } from './bodies';
import type { ContentCoding } from './codings';
import type { Plan } from './plan';

const noop = (): void => {};

/**
 * The decision for a low-level response: the plan for its status, headers and the
 * content type of its first body, and the compressor factory for the chosen coding.
 * @internal
 */
export type LowLevelPlanner = (
  response: Response,
  defaultType: string | undefined,
) => { plan: Plan; create: ((coding: ContentCoding) => LowLevelStream) | undefined } | undefined;

/**
 * The responder the interceptor puts on the context in front of the adapter's, for
 * low-level streaming (`writeResponse`, `writeResponseBody`, `endResponse`, which
 * `@plinth/sse`'s event streams use): `begin` decides as `leave` would, and when it
 * compresses, every body written afterwards goes through one zlib stream, each
 * ending in a flushed block, and `end` finishes it before the adapter ends the
 * response.
 * @internal
 */
export class CompressingResponder implements Responder {
  private readonly inner: Responder;
  private readonly planner: LowLevelPlanner;
  private stream: LowLevelStream | undefined = undefined;

  constructor(inner: Responder, planner: LowLevelPlanner) {
    this.inner = inner;
    Object.defineProperty(this, WRAPPED_RESPONDER, { value: inner });
    this.planner = planner;
  }

  get sent(): boolean {
    return this.inner.sent;
  }

  get ended(): boolean {
    return this.inner.ended;
  }

  get signal(): AbortSignal {
    return this.inner.signal;
  }

  get protocol(): string {
    return this.inner.protocol;
  }

  begin(response: Response): Promise<void> {
    if (this.inner.sent || response === null || typeof response !== 'object') {
      return this.inner.begin(response);
    }
    let first: WriteableBody | undefined;
    try {
      first = toWriteableBody(response.body);
    } catch {
      // The adapter reports a bad body as it would without us.
      return this.inner.begin(response);
    }
    const decided = this.planner(response, first?.defaultContentType());
    if (decided === undefined) return this.inner.begin(response);
    const { plan, create } = decided;
    if (plan.coding === undefined || create === undefined) {
      return this.inner.begin({ ...response, headers: plan.headers });
    }
    const stream = create(plan.coding);
    this.stream = stream;
    return this.inner.begin({
      ...response,
      headers: plan.headers,
      body: first === undefined ? undefined : new CompressedPart(first, stream),
    });
  }

  append(body: unknown): Promise<void> {
    const stream = this.stream;
    if (stream === undefined || body === undefined || body === null) return this.inner.append(body);
    let writeable: WriteableBody | undefined;
    try {
      writeable = toWriteableBody(body);
    } catch {
      return this.inner.append(body);
    }
    if (writeable === undefined) return this.inner.append(body);
    return this.inner.append(new CompressedPart(writeable, stream));
  }

  async end(): Promise<void> {
    const stream = this.stream;
    if (
      stream !== undefined &&
      this.inner.sent &&
      !this.inner.ended &&
      !this.inner.signal.aborted
    ) {
      // The zlib stream's last block (gzip's trailer) goes before the end.
      await this.inner.append(new CompressedPart(undefined, stream)).catch(noop);
    }
    return this.inner.end();
  }

  abort(reason?: unknown): void {
    this.stream?.destroy(reason);
    this.inner.abort(reason);
  }
}
