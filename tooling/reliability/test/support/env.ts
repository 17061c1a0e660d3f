// Process-level observations: open descriptors, active handles and timers,
// unhandled rejections, garbage collection, bounded waiting for a condition.
import { readdirSync } from 'node:fs';
import { setImmediate as immediate } from 'node:timers/promises';

/** Open file descriptors of this process (Linux `/proc/self/fd`). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * The active resources of this process by kind (`TCPSocketWrap`, `Timeout`,
 * `Immediate`, `FSReqPromise`, …), from `process.getActiveResourcesInfo()`.
 */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/** What a process holds: descriptors and resources by kind. */
export interface Holdings {
  fds: number;
  resources: Record<string, number>;
}

/** A snapshot of what the process holds now. */
export function holdings(): Holdings {
  return { fds: openFds(), resources: activeResources() };
}

/** The kinds (and counts) held now beyond `baseline`; `{}` when nothing more is held. */
export function excess(baseline: Holdings, now: Holdings = holdings()): Record<string, number> {
  const out: Record<string, number> = {};
  if (now.fds > baseline.fds) out.fds = now.fds - baseline.fds;
  for (const [kind, n] of Object.entries(now.resources)) {
    const more = n - (baseline.resources[kind] ?? 0);
    if (more > 0) out[kind] = more;
  }
  return out;
}

/**
 * Waits until the process holds no more than `baseline` (each turn of the event loop
 * lets sockets and timers close); resolves with what is still held in excess after
 * `timeoutMs`, `{}` when everything was released.
 */
export async function releasedTo(
  baseline: Holdings,
  timeoutMs = 5000,
): Promise<Record<string, number>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // The resources of this very wait (a timer) are not counted: poll with setImmediate.
    const extra = excess(baseline);
    if (Object.keys(extra).length === 0 || performance.now() > deadline) return extra;
    await pollTurn();
  }
}

let turns = 0;
/** One polling turn: usually an immediate, every 50th a 1 ms timer so I/O callbacks run too. */
async function pollTurn(): Promise<void> {
  turns++;
  if (turns % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  else await immediate();
}

/**
 * Waits until `check()` is true, polling each turn of the event loop; rejects naming
 * `what` after `timeoutMs`. Used to wait for an event observed elsewhere (a producer's
 * `finally`, a server-side close), never as a sleep.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await pollTurn();
  }
}

/** Rejects naming `what` when `promise` has not settled after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A full garbage collection (the project runs with `--expose-gc`). */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc (the vitest project does)');
  // Twice, with turns in between, so finalizers and weak callbacks run.
  for (let i = 0; i < 3; i++) {
    gc();
    await immediate();
  }
}

/** Records unhandled rejections from now on; `stop()` detaches and returns them. */
export function trackUnhandled(): { readonly seen: unknown[]; stop(): unknown[] } {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    seen.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  return {
    seen,
    stop() {
      process.off('unhandledRejection', onUnhandled);
      return seen;
    },
  };
}
