// Many SSE clients in one process, for the benchmark (driven over IPC by run.mjs).
//   node clients.mjs <port> <count> [slow]
// Raw TCP sockets speaking HTTP/1.1: cheap enough for 10,000 connections. Each
// event's data starts with the server's send time (process.hrtime.bigint(), the
// machine-wide monotonic clock); the delivery latency is taken when the bytes arrive.
import net from 'node:net';

const [port, count, mode] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const DATA = Buffer.from('data:'); // better-sse writes no space after the colon
const latencies = [];
let events = 0;
let connected = 0;

function connect(index) {
  return new Promise((resolve, reject) => {
    const paused = mode === 'slow' && index === 0;
    // Spread over loopback source addresses so runs never run out of ephemeral ports.
    const socket = net.connect({
      port,
      host: '127.0.0.1',
      localAddress: `127.0.0.${2 + (index % 200)}`,
    });
    socket.setNoDelay(true);
    let headers = true;
    let pending;
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(
        `GET /events${paused ? '?slow' : ''} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => {
      const now = process.hrtime.bigint();
      let buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
      pending = undefined;
      let at = 0;
      if (headers) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          pending = buf;
          return;
        }
        headers = false;
        connected++;
        resolve();
        if (paused) socket.pause(); // the slow reader: reads nothing from now on
        at = end + 4;
        buf = buf.subarray(at);
        at = 0;
      }
      for (;;) {
        const i = buf.indexOf(DATA, at);
        if (i < 0) {
          if (buf.length - at > 0)
            pending = Buffer.from(buf.subarray(Math.max(at, buf.length - 8)));
          break;
        }
        let start = i + DATA.length;
        if (buf[start] === 32) start++;
        let j = start;
        while (j < buf.length && buf[j] >= 48 && buf[j] <= 57) j++;
        if (j >= buf.length) {
          pending = Buffer.from(buf.subarray(i));
          break;
        }
        if (j > start) {
          const value = BigInt(buf.toString('latin1', start, j));
          latencies.push(Number(now - value) / 1e6);
          events++;
        }
        at = j;
      }
    });
  });
}

async function connectAll() {
  const batch = 250; // a few hundred handshakes in flight at once: no SYN backlog overflow
  for (let start = 0; start < count; start += batch) {
    const list = [];
    for (let i = start; i < Math.min(count, start + batch); i++) list.push(connect(i));
    await Promise.all(list);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

process.on('message', (message) => {
  if (message.type === 'stats') {
    const sorted = Float64Array.from(latencies).sort();
    process.send({
      type: 'stats',
      events,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    });
  } else if (message.type === 'reset') {
    latencies.length = 0;
    events = 0;
    process.send({ type: 'reset' });
  } else if (message.type === 'exit') {
    process.exit(0);
  }
});

await connectAll();
process.send({ type: 'connected', connected });
