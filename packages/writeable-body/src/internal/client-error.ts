// How both adapters read an unhandled error for their answer: a 4xx status the
// error carries (the http-errors convention) and the text sent with it.

/** Reason phrases of the 4xx statuses (RFC 9110), for an error that exposes no message. */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
};

/**
 * The message of an error, or the value as a string when it is not an `Error`.
 * @internal Shared by Plinth's adapters; not for applications to rely on.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The status of an error meant for the client (http-errors convention: an integer
 * `status` or `statusCode` from 400 to 499), if it is one.
 * @internal Shared by Plinth's adapters; not for applications to rely on.
 */
export function clientErrorStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = e.status ?? e.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499
    ? status
    : undefined;
}

/**
 * The text answered for a client error of `status`: its message, unless it is empty
 * or the error says `expose: false`, then the status's reason phrase, else `Error`.
 * @internal Shared by Plinth's adapters; not for applications to rely on.
 */
export function clientErrorText(error: object, status: number): string {
  const expose = (error as { expose?: unknown }).expose !== false;
  return (expose && errorMessage(error)) || PHRASES[status] || 'Error';
}
