// What every scenario gets: options, pinning, where the programs are, the targets,
// and the round loop's helpers (start servers, liveness before each round).
import type { Options } from '../options';
import type { Affinity } from './affinity';
import type { TargetResult } from './results';
import { type ServerKind, ServerProcess } from './server-process';

/** Shared state of a run. @internal */
export interface BenchContext {
  readonly options: Options;
  readonly affinity: Affinity;
  /** dist/servers and dist/clients. */
  readonly serversDir: string;
  readonly clientsDir: string;
  /** A temporary directory of this run (the big file, scripts). */
  readonly workDir: string;
  /** Environment every server gets (file path, sizes). */
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly wrk: boolean;
  log(message: string): void;
}

/** One thing measured: a server program (plus environment) and a label. @internal */
export interface Target {
  readonly id: string;
  readonly label: string;
  readonly kind: ServerKind;
  readonly env?: Readonly<Record<string, string>>;
  /** A reference variant of node:http, not a peer. */
  readonly reference?: boolean;
}

/** Every target; scenarios pick theirs. @internal */
export const TARGETS: Readonly<Record<string, Target>> = {
  node: { id: 'node', label: 'node:http', kind: 'node' },
  'node-1m': { id: 'node-1m', label: 'node:http, 1 MiB reads', kind: 'node', reference: true },
  'node-batched': {
    id: 'node-batched',
    label: 'node:http, 16 KiB batches',
    kind: 'node',
    reference: true,
  },
  'node-limit': {
    id: 'node-limit',
    label: 'the limit: node:http, 1 MiB reads, 16 KiB batches',
    kind: 'node',
    reference: true,
  },
  plinth: { id: 'plinth', label: 'Plinth', kind: 'plinth' },
  'plinth-schema': {
    id: 'plinth-schema',
    label: 'Plinth, element schema',
    kind: 'plinth',
  },
  'plinth-10': {
    id: 'plinth-10',
    label: 'Plinth + 10 interceptors',
    kind: 'plinth',
    env: { BENCH_INTERCEPTORS: '10' },
  },
  fastify: { id: 'fastify', label: 'Fastify', kind: 'fastify' },
  hono: { id: 'hono', label: 'Hono', kind: 'hono' },
  koa: { id: 'koa', label: 'Koa', kind: 'koa' },
  express: { id: 'express', label: 'Express', kind: 'express' },
};

/** The targets of a scenario, filtered by --targets (node:http always stays). @internal */
export function pickTargets(ctx: BenchContext, ids: readonly string[]): Target[] {
  const wanted = ctx.options.targets;
  return ids
    .filter((id) => id === 'node' || wanted === undefined || wanted.includes(id))
    .map((id) => {
      const target = TARGETS[id];
      if (!target) throw new Error(`unknown target ${JSON.stringify(id)}`);
      return target;
    });
}

/** Starts one target's server. @internal */
export function startTarget(
  ctx: BenchContext,
  target: Target,
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> {
  return ServerProcess.start(
    { kind: target.kind, label: target.label, env: target.env },
    ctx.serversDir,
    ctx.affinity,
    { ...ctx.serverEnv, ...env },
  );
}

/** Started servers by target id; a target that fails to start gets a note and no entry. @internal */
export async function startAll(
  ctx: BenchContext,
  targets: readonly Target[],
  results: ReadonlyMap<string, TargetResult>,
  env: Readonly<Record<string, string>> = {},
): Promise<Map<string, ServerProcess>> {
  const servers = new Map<string, ServerProcess>();
  // One at a time: starting several at once on the server core slows them all.
  for (const target of targets) {
    try {
      servers.set(target.id, await startTarget(ctx, target, env));
    } catch (error) {
      results.get(target.id)?.notes.push(`did not start: ${firstLine(error)}`);
      ctx.log(`  ${target.label} did not start: ${String(error)}`);
    }
  }
  return servers;
}

/**
 * The liveness check before a round: a server that died or does not answer is noted
 * and restarted once; resolves with the live server, or undefined to skip the round.
 * @internal
 */
export async function ensureLive(
  ctx: BenchContext,
  target: Target,
  servers: Map<string, ServerProcess>,
  result: TargetResult,
  round: number,
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess | undefined> {
  const server = servers.get(target.id);
  if (server) {
    try {
      await server.checkLive();
      return server;
    } catch (error) {
      result.notes.push(
        `round ${round + 1}: liveness check failed (${firstLine(error)}); restarted`,
      );
      ctx.log(`  ${target.label}: liveness check failed: ${String(error)}`);
      await server.stop();
    }
  } else if (result.notes.some((n) => n.startsWith('did not start'))) {
    return undefined;
  }
  try {
    const fresh = await startTarget(ctx, target, env);
    servers.set(target.id, fresh);
    return fresh;
  } catch (error) {
    result.notes.push(`round ${round + 1}: could not restart (${firstLine(error)})`);
    servers.delete(target.id);
    return undefined;
  }
}

/** Stops every server. @internal */
export async function stopAll(servers: ReadonlyMap<string, ServerProcess>): Promise<void> {
  await Promise.all([...servers.values()].map((s) => s.stop()));
}

/** Targets in round `round`'s order: rotated, so no target always runs first. @internal */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  const k = round % n;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The first line of an error's message. @internal */
export function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] ?? '';
}

/** Resolves after `ms`. @internal */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passed; resolves with the last answer. @internal */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await delay(everyMs);
  }
}
