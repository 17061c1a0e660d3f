// Pinning: the servers on one core, load generators and clients on another, with
// taskset when the machine has it (Linux, util-linux). Without it nothing is pinned.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Where processes run. @internal */
export interface Affinity {
  /** True when taskset exists and there are at least two cores to separate. */
  readonly pinning: boolean;
  readonly cpus: number;
  /** The core list for servers (taskset -c), when pinning. */
  readonly serverCpus: string | undefined;
  /** The core list for load generators and clients, when pinning. */
  readonly loadCpus: string | undefined;
}

/** Finds out whether and how to pin. @internal */
export function detectAffinity(disable = false): Affinity {
  const cpus = availableParallelism();
  const hasTaskset =
    !disable && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  const pinning = hasTaskset && cpus >= 2;
  return {
    pinning,
    cpus,
    serverCpus: pinning ? '0' : undefined,
    loadCpus: pinning ? (cpus > 2 ? `1-${cpus - 1}` : '1') : undefined,
  };
}

/** The command and arguments that run `command args` on `cpus` (unchanged without). @internal */
export function pinnedCommand(
  command: string,
  args: readonly string[],
  cpus: string | undefined,
): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]];
}
