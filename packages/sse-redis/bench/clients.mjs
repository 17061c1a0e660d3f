// The bench's SSE clients, in one process of their own: opens connections, records
// publish-to-delivery latency (now - the publish time carried in the data) and
// counts events per connection. Driven over IPC.
import http from 'node:http';

const now = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const connections = [];
let samples = [];
let recording = false;
const PATTERN = /"t":([0-9.]+),"n":(\d+)/g;

function open(url) {
  const connection = { count: 0, rest: '' };
  connections.push(connection);
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const text = connection.rest + chunk;
        const cut = text.lastIndexOf('\n\n');
        connection.rest = cut < 0 ? text : text.slice(cut + 2);
        const complete = cut < 0 ? '' : text.slice(0, cut);
        const at = now();
        for (const match of complete.matchAll(PATTERN)) {
          connection.count++;
          if (recording) samples.push(at - Number(match[1]));
        }
      });
      resolve();
    });
    request.on('error', reject);
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

process.on('message', async (message) => {
  if (message.open) {
    for (const { url, count } of message.open) {
      for (let i = 0; i < count; i += 100) {
        await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => open(url)));
      }
    }
    process.send({ opened: connections.length });
  } else if (message.reset) {
    for (const connection of connections) connection.count = 0;
    samples = [];
    recording = message.record === true;
    process.send({ reset: true });
  } else if (message.counts) {
    let min = Number.POSITIVE_INFINITY;
    for (const connection of connections) min = Math.min(min, connection.count);
    process.send({ counts: { min, connections: connections.length } });
  } else if (message.stats) {
    const sorted = Float64Array.from(samples).sort();
    process.send({
      stats: { samples: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
    });
  } else if (message.stop) {
    process.exit(0);
  }
});
process.send({ ready: true });
