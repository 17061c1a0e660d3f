#!/usr/bin/env node
// `pnpm --filter @plinth/demo start:pair`: two demo processes on two ports (PORTS,
// default 8080,8081) sharing the chat through Redis (PLINTH_REDIS_URL, required).
// Each line of output is prefixed with its port; Ctrl+C stops both.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const redisUrl = process.env.PLINTH_REDIS_URL;
if (!redisUrl) {
  console.error('start:pair needs PLINTH_REDIS_URL, e.g. PLINTH_REDIS_URL=redis://127.0.0.1:6379');
  process.exit(2);
}
const ports = (process.env.PORTS || '8080,8081').split(',');
const main = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
const children = ports.map((port) => {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8').on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) console.log(`[${port}] ${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    console.log(`[${port}] exited (${signal ?? code})`);
    // One process gone (killed to try a failover) leaves the other running.
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(0);
  });
  return child;
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGTERM');
  });
}
