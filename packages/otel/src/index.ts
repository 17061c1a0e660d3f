// @plinth/otel: OpenTelemetry traces and metrics from Plinth's diagnostics channels.

export type { PlinthInstrumentation, PlinthInstrumentationOptions } from './instrument';
export { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, instrumentPlinth } from './instrument';
