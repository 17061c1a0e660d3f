// The channels @plinth/node and @plinth/sse publish on, and the shape of their
// messages as far as this package reads them. Spelled out here rather than imported:
// this package depends on the published contract (the adapters' READMEs), not on
// the adapters, so it works with any copy of them that speaks `v1`.

/** @internal */
export const NODE = {
  start: 'tracing:plinth:node:v1:request:start',
  head: 'plinth:node:v1:head',
  finish: 'plinth:node:v1:finish',
  abort: 'plinth:node:v1:abort',
} as const;

/** @internal */
export const SSE = {
  open: 'plinth:sse:v1:open',
  close: 'plinth:sse:v1:close',
  send: 'plinth:sse:v1:send',
  drop: 'plinth:sse:v1:drop',
  evict: 'plinth:sse:v1:evict',
  replay: 'plinth:sse:v1:replay',
  reset: 'plinth:sse:v1:reset',
} as const;

/** @internal What this package reads of `@plinth/node`'s request message. */
export interface RequestMessage {
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly queryString: string | undefined;
    readonly headers: Record<string, string | string[] | undefined>;
    readonly remoteAddress: string | undefined;
    readonly scheme: string;
    readonly host: string;
    readonly port: number | undefined;
    readonly protocol: string;
  };
  readonly context: { readonly route?: { readonly path?: unknown } | undefined } | undefined;
  readonly startTime: number;
  readonly headTime: number | undefined;
  readonly endTime: number | undefined;
  readonly status: number | undefined;
  readonly bytes: number;
  readonly reason: string | undefined;
  readonly error: unknown;
}

/** @internal What this package reads of `@plinth/sse`'s messages. */
export interface SseMessage {
  readonly channel: object;
  readonly reason?: string;
  readonly count?: number;
  readonly policy?: string;
}
