import type { ServerResponse } from 'node:http';
import type { BodySink } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import { noop } from './internal/promises';
import { NodeBodySink, type NodeResponse } from './sink';

/** A {@link BodySink} over a Node response that you end yourself. */
export interface ResponseSink extends BodySink {
  /** Writes what is pending and ends the response. */
  end(): void;
}

/**
 * A {@link BodySink} over a Node response you write yourself, for using the
 * body-writer protocol in a plain `node:http` handler. Send the status and headers
 * first; the sink's signal aborts when the response closes before it finished.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { writeBodyToStream } from '@plinth/body-writer';
 * import { responseSink } from '@plinth/node';
 *
 * createServer(async (req, res) => {
 *   res.writeHead(200, { 'content-type': 'application/json' });
 *   const sink = responseSink(res);
 *   await writeBodyToStream(numbers(), sink);
 *   sink.end();
 * }).listen(8080);
 * ```
 */
export function responseSink(res: NodeResponse): ResponseSink {
  if (
    res === null ||
    typeof res !== 'object' ||
    typeof (res as ServerResponse).write !== 'function'
  ) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `responseSink(res): res must be a Node ServerResponse or Http2ServerResponse, got ${describeValue(res)}`,
    );
  }
  const controller = new AbortController();
  // The application wrote the head itself: the sink only writes the body.
  const sink = new NodeBodySink(res, { signal: controller.signal, commit: noop, flushHead: noop });
  res.once('close', () => {
    if (!(res.writableEnded && res.writableFinished)) {
      const reason = new NodeAdapterError('CLIENT_DISCONNECT', 'The client closed the connection');
      sink.fail(reason);
      controller.abort(reason);
    }
  });
  return sink;
}
