// The JSON line both adapters' default loggers write, so that @plinth/node's
// jsonLogger and @plinth/fetch's console logger print the same fields.

function serialiseError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = {
    type: error.name,
    message: error.message,
    stack: error.stack,
  };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.cause !== undefined) out.cause = serialiseError(error.cause);
  return out;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serialiseError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * One log line as JSON, without its newline: `level` (pino's number), `time`, `msg`
 * and the fields of `obj`, errors (and their causes) as `{ type, message, stack, code }`,
 * bigints as strings. When `obj` cannot be serialised (a cycle), the line keeps
 * only `level`, `time` and `msg`.
 * @internal Shared by Plinth's adapters; not for applications to rely on.
 */
export function jsonLogLine(level: number, obj: object, msg: string | undefined): string {
  try {
    return JSON.stringify({ level, time: Date.now(), msg, ...obj }, replacer);
  } catch {
    return JSON.stringify({ level, time: Date.now(), msg });
  }
}
