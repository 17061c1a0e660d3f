// Issue 21: `PLINTH_OTEL=console pnpm demo` prints every request's span (named by
// route, ending at the last byte) and, every 10 s, the HTTP and SSE metrics, through
// @plinth/otel and the OpenTelemetry SDK's console exporters. Off unless asked for:
// nothing of OpenTelemetry is loaded then.

/** What {@link setupTelemetry} started; `shutdown()` flushes and stops it. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Sets up OpenTelemetry for the demo from the `PLINTH_OTEL` environment variable:
 * `console` exports spans and metrics to stdout; unset or empty does nothing.
 */
export async function setupTelemetry(
  value: string | undefined,
  metricIntervalMs = 10_000,
): Promise<Telemetry | undefined> {
  if (value === undefined || value === '') return undefined;
  if (value !== 'console') {
    throw new Error(`PLINTH_OTEL must be 'console' (or unset), got ${JSON.stringify(value)}`);
  }
  const [api, hooks, core, metricsSdk, traceSdk, { instrumentPlinth }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace-base'),
    import('@plinth/otel'),
  ]);
  const tracerProvider = new traceSdk.BasicTracerProvider({
    spanProcessors: [new traceSdk.SimpleSpanProcessor(new traceSdk.ConsoleSpanExporter())],
  });
  const meterProvider = new metricsSdk.MeterProvider({
    readers: [
      new metricsSdk.PeriodicExportingMetricReader({
        exporter: new metricsSdk.ConsoleMetricExporter(),
        exportIntervalMillis: metricIntervalMs,
      }),
    ],
  });
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(meterProvider);
  api.context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  const instrumentation = instrumentPlinth();
  return {
    async shutdown() {
      instrumentation.disable();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      api.trace.disable();
      api.metrics.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
}
