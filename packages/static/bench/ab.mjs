// Quick A/B of two servers on one scenario (not part of the reported benchmark):
// node bench/ab.mjs <kindA> <kindB> [rounds] [path] [inm] — server CPU µs per request, alternating.
import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const [a, b, rounds = '5', path = '/small.txt', inm] = process.argv.slice(2);
const root = mkdtempSync(join(tmpdir(), 'plinth-static-ab-'));
writeFileSync(join(root, 'small.txt'), 'x'.repeat(1024));
const start = async (kind) => {
  const child = fork(join(here, 'server.mjs'), [kind, root]);
  const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
  return { kind, child, url: `http://127.0.0.1:${port}${path}` };
};
const cpu = (child) =>
  new Promise((resolve) => {
    const on = (m) => {
      if (m.cpu) {
        child.off('message', on);
        resolve(m.cpu);
      }
    };
    child.on('message', on);
    child.send('cpu');
  });
const servers = [await start(a), await start(b)];
const out = { [a]: [], [b]: [] };
for (let r = 0; r < Number(rounds); r++) {
  for (const s of r % 2 ? [...servers].reverse() : servers) {
    const headers = {};
    if (inm) {
      const res = await fetch(s.url);
      await res.arrayBuffer();
      headers['if-none-match'] = res.headers.get('etag');
    }
    const before = await cpu(s.child);
    const result = await autocannon({ url: s.url, connections: 10, duration: 3, headers });
    const after = await cpu(s.child);
    const us = after.user + after.system - before.user - before.system;
    out[s.kind].push(us / result.requests.total);
  }
}
for (const s of servers) s.child.kill();
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(
  a,
  med(out[a]).toFixed(0),
  b,
  med(out[b]).toFixed(0),
  'ratio',
  (med(out[a]) / med(out[b])).toFixed(2),
  JSON.stringify(out),
);
