// A real redis-server for the demo's cross-process tests, on a free loopback port,
// without persistence; `undefined` with the reason when redis-server is missing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

/** Why the Redis tests cannot run here, or `undefined` when they can. */
export function redisMissing(): string | undefined {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return found.error !== undefined || found.status !== 0
    ? 'redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)'
    : undefined;
}

export interface RedisProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts redis-server (`--save '' --appendonly no`) and waits until it accepts connections. */
export async function startRedis(): Promise<RedisProcess> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${output}`)),
      10_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
