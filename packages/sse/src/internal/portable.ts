// What @plinth/sse needs from its runtime, without a `node:` import or a Node-only
// global at load time, so an event stream also runs on a worker that has neither
// (issue 20). On Node, Bun and Deno each helper takes the native path.

/** @internal The part of a `node:diagnostics_channel` Channel that publishing uses. */
export interface PublishChannel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

interface DiagnosticsChannelModule {
  channel(name: string): PublishChannel;
}

const SILENT: PublishChannel = Object.freeze({ hasSubscribers: false, publish() {} });

// `process.getBuiltinModule` (Node >= 20.16, Bun, Deno) reaches the module without
// an import a worker bundler would have to resolve. Where it is missing nothing can
// subscribe, so a channel that never has subscribers is exact.
const diagnostics = (
  globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
  }
).process?.getBuiltinModule?.('diagnostics_channel') as DiagnosticsChannelModule | undefined;

/** @internal The named diagnostics channel, or a silent one where the runtime has none. */
export function diagnosticsChannel(name: string): PublishChannel {
  return diagnostics === undefined ? SILENT : diagnostics.channel(name);
}

const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'utf8'): Uint8Array } })
  .Buffer;
const encoder = new TextEncoder();

/** @internal UTF-8 bytes of `text`: Node's Buffer where there is one (faster for short strings), else TextEncoder. */
export const utf8: (text: string) => Uint8Array =
  NodeBuffer === undefined
    ? (text) => encoder.encode(text)
    : (text) => NodeBuffer.from(text, 'utf8');

const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

/** @internal Runs `callback` after the I/O of this turn: `setImmediate` where it exists, else a zero timeout. */
export function nextTurn(callback: () => void): void {
  if (immediate === undefined) setTimeout(callback, 0);
  else immediate(callback);
}

/** @internal Lets the process exit while `timer` runs, on runtimes whose timers can be unref'd. */
export function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void } | null)?.unref?.();
}
