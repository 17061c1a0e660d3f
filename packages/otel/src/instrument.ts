// One piece: the request's span and its metrics are fed by the same four channel
// events, and the SSE counters by theirs; `instrumentPlinth` subscribes to all of
// them and `disable()` must take every subscription back.
import dc from 'node:diagnostics_channel';
import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  type MeterProvider,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
  trace,
  type UpDownCounter,
  ValueType,
} from '@opentelemetry/api';
import { NODE, type RequestMessage, SSE, type SseMessage } from './channels';

/** Options of {@link instrumentPlinth}. */
export interface PlinthInstrumentationOptions {
  /**
   * Where spans go.
   * @default the global tracer provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * Where metrics go.
   * @default the global meter provider (`metrics.getMeterProvider()`)
   */
  meterProvider?: MeterProvider | undefined;
  /**
   * Reads the caller's trace context from the request headers.
   * @default the global propagator (`propagation`; an SDK registers W3C Trace Context)
   */
  propagator?: TextMapPropagator | undefined;
  /**
   * Make a server span per request.
   * @default true
   */
  traces?: boolean | undefined;
  /**
   * Record the HTTP server metrics and the SSE counters.
   * @default true
   */
  metrics?: boolean | undefined;
}

/** What {@link instrumentPlinth} returns. */
export interface PlinthInstrumentation {
  /** Unsubscribes from every channel; requests in flight keep their spans open until they end. */
  disable(): void;
}

/** The instrumentation scope's name (the tracer's and the meter's). */
export const INSTRUMENTATION_NAME = '@plinth/otel';
/** The instrumentation scope's version. */
export const INSTRUMENTATION_VERSION = '0.1.0';

/** Where an instrumented request keeps its span and metric attributes. */
const STATE: unique symbol = Symbol('plinth.otel.request');

interface RequestState {
  span: Span | undefined;
  method: string;
  scheme: string;
}

type Instrumented = RequestMessage & { [STATE]?: RequestState };

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** The stable semantic conventions' `http.request.method`: known methods, else `_OTHER`. */
function methodOf(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

function protocolVersion(protocol: string): string {
  // 'HTTP/1.1' -> '1.1', 'HTTP/2.0' -> '2'
  const version = protocol.slice(5);
  return version === '2.0' ? '2' : version;
}

function routeOf(message: RequestMessage): string | undefined {
  const path = message.context?.route?.path;
  return typeof path === 'string' ? path : undefined;
}

const headerGetter = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) =>
    carrier[key] as string | string[] | undefined,
};

/** The semantic conventions' recommended buckets for `http.server.request.duration`, in seconds. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * Turns the diagnostics channels of `@plinth/node` and `@plinth/sse` into
 * OpenTelemetry spans and metrics: a server span per request, named by its route
 * template (`GET /users/:id`) and ending at the response's last byte or its abort;
 * the caller's trace context read from the request and active in every interceptor
 * stage and inside the body's producer; `http.server.request.duration` (to the last
 * byte), `http.server.active_requests`, `http.server.response.body.size` and the SSE
 * counters (see the README). Call it once, after your SDK is set up; it uses the
 * global providers unless given others.
 *
 * @example
 * ```ts
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * import { instrumentPlinth } from '@plinth/otel';
 *
 * new NodeSDK({ serviceName: 'api' }).start();
 * instrumentPlinth();
 * ```
 */
export function instrumentPlinth(
  options: PlinthInstrumentationOptions = {},
): PlinthInstrumentation {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`instrumentPlinth(options): options must be an object, got ${options}`);
  }
  const tracing = options.traces !== false;
  const metering = options.metrics !== false;
  const tracer: Tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    INSTRUMENTATION_NAME,
    INSTRUMENTATION_VERSION,
  );
  const propagator = options.propagator;
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
    INSTRUMENTATION_NAME,
    INSTRUMENTATION_VERSION,
  );
  const undo: (() => void)[] = [];
  const on = (name: string, fn: (message: unknown) => void): void => {
    dc.subscribe(name, fn);
    undo.push(() => dc.unsubscribe(name, fn));
  };

  let duration: Histogram | undefined;
  let bodySize: Histogram | undefined;
  let active: UpDownCounter | undefined;
  if (metering) {
    duration = meter.createHistogram('http.server.request.duration', {
      description: 'Duration of HTTP server requests, to the last byte of the response.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    bodySize = meter.createHistogram('http.server.response.body.size', {
      description: 'Size of HTTP server response bodies.',
      unit: 'By',
      valueType: ValueType.INT,
    });
    active = meter.createUpDownCounter('http.server.active_requests', {
      description: 'Number of active HTTP server requests.',
      unit: '{request}',
      valueType: ValueType.INT,
    });
  }

  /** Starts what a request needs; returns the context to run its chain in. */
  const begin = (message: Instrumented): Context => {
    const request = message.request;
    const method = methodOf(request.method);
    const state: RequestState = { span: undefined, method, scheme: request.scheme };
    message[STATE] = state;
    active?.add(1, { 'http.request.method': method, 'url.scheme': state.scheme });
    if (!tracing) return ROOT_CONTEXT;
    const parent =
      propagator === undefined
        ? propagation.extract(ROOT_CONTEXT, request.headers, headerGetter)
        : propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const span = tracer.startSpan(
      method === '_OTHER' ? 'HTTP' : method,
      { kind: SpanKind.SERVER },
      parent,
    );
    state.span = span;
    if (span.isRecording()) {
      const attributes: Attributes = {
        'http.request.method': method,
        'url.path': request.path,
        'url.scheme': request.scheme,
        'server.address': request.host,
        'network.protocol.version': protocolVersion(request.protocol),
      };
      if (method === '_OTHER') attributes['http.request.method_original'] = request.method;
      if (request.queryString !== undefined) attributes['url.query'] = request.queryString;
      if (request.port !== undefined) attributes['server.port'] = request.port;
      if (request.remoteAddress !== undefined) attributes['client.address'] = request.remoteAddress;
      const agent = request.headers['user-agent'];
      if (typeof agent === 'string') attributes['user_agent.original'] = agent;
      span.setAttributes(attributes);
    }
    return trace.setSpan(parent, span);
  };

  const end = (message: Instrumented): void => {
    const state = message[STATE];
    if (state === undefined) return; // started before instrumentPlinth ran
    message[STATE] = undefined;
    const route = routeOf(message);
    const status = message.status;
    const reason = message.reason;
    // Server-side failures: a 5xx, or a response cut short by anything but its client.
    const failed =
      (status !== undefined && status >= 500) ||
      (reason !== undefined && reason !== 'CLIENT_DISCONNECT');
    const errorType =
      reason !== undefined
        ? reason
        : status !== undefined && status >= 500
          ? String(status)
          : undefined;
    const span = state.span;
    if (span !== undefined) {
      if (span.isRecording()) {
        if (route !== undefined) {
          span.updateName(`${state.method === '_OTHER' ? 'HTTP' : state.method} ${route}`);
          span.setAttribute('http.route', route);
        }
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        span.setAttribute('http.response.body.size', message.bytes);
        if (message.headTime !== undefined) {
          span.setAttribute('plinth.time_to_first_byte_ms', message.headTime - message.startTime);
        }
        if (reason !== undefined) span.setAttribute('plinth.abort.reason', reason);
        if (errorType !== undefined) span.setAttribute('error.type', errorType);
        if (failed) {
          const error = message.error;
          if (error instanceof Error) span.recordException(error);
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : reason,
          });
        }
      }
      span.end();
    }
    if (metering) {
      const attributes: Attributes = {
        'http.request.method': state.method,
        'url.scheme': state.scheme,
      };
      active!.add(-1, attributes);
      if (status !== undefined) attributes['http.response.status_code'] = status;
      if (route !== undefined) attributes['http.route'] = route;
      if (errorType !== undefined) attributes['error.type'] = errorType;
      duration!.record((message.endTime! - message.startTime) / 1000, attributes);
      bodySize!.record(message.bytes, attributes);
    }
  };

  if (tracing) {
    // A "store" for the start channel: diagnostics_channel runs the chain inside
    // `store.run(context, chain)`, so the span's context is active, through the
    // application's own context manager, for the chain and everything it starts.
    const store = { run: <T>(ctx: Context, fn: () => T): T => context.with(ctx, fn) };
    const start = dc.channel(NODE.start);
    start.bindStore(
      store as never,
      ((message: unknown) => begin(message as Instrumented)) as never,
    );
    undo.push(() => start.unbindStore(store as never));
  } else if (metering) {
    on(NODE.start, (message) => void begin(message as Instrumented));
  }
  on(NODE.finish, (message) => end(message as Instrumented));
  on(NODE.abort, (message) => end(message as Instrumented));

  if (metering) {
    const open = meter.createUpDownCounter('plinth.sse.streams.active', {
      description: 'Number of open event streams.',
      unit: '{stream}',
      valueType: ValueType.INT,
    });
    // The SSE counters differ only in name, description and unit.
    const counter = (name: string, description: string, unit: string) =>
      meter.createCounter(name, { description, unit, valueType: ValueType.INT });
    const closed = counter(
      'plinth.sse.streams.closed',
      'Event streams ended, by reason.',
      '{stream}',
    );
    const sent = counter('plinth.sse.events.sent', 'Events accepted for a client.', '{event}');
    const dropped = counter(
      'plinth.sse.events.dropped',
      'Events a buffer policy dropped for a slow client.',
      '{event}',
    );
    const evicted = counter(
      'plinth.sse.clients.evicted',
      'Clients a hub evicted for staying too slow.',
      '{client}',
    );
    const replays = counter('plinth.sse.replays', 'Replays after Last-Event-ID.', '{replay}');
    const resets = counter(
      'plinth.sse.resets',
      'Reset events sent: the history a client asked for was gone.',
      '{reset}',
    );
    on(SSE.open, () => open.add(1));
    on(SSE.close, (message) => {
      open.add(-1);
      closed.add(1, { 'plinth.sse.close.reason': (message as SseMessage).reason ?? 'UNKNOWN' });
    });
    on(SSE.send, () => sent.add(1));
    on(SSE.drop, (message) => {
      const m = message as SseMessage;
      dropped.add(m.count ?? 1, { 'plinth.sse.buffer.policy': m.policy ?? 'unknown' });
    });
    on(SSE.evict, () => evicted.add(1));
    on(SSE.replay, () => replays.add(1));
    on(SSE.reset, () => resets.add(1));
  }

  return {
    disable(): void {
      for (const off of undo.splice(0)) off();
    },
  };
}
