// Scenario 4's clients, in their own process on the load cores: many raw-socket SSE
// connections to one server; each `data:` line carrying `seq=N t=<hrtime ns>` is
// timed against this machine's monotonic clock (shared by all processes).
import { connect, type Socket } from 'node:net';
import { hrtime } from 'node:process';
import { ChunkedDecoder, parseHead } from '../harness/chunked';

type Command =
  | { type: 'connect'; port: number; path: string; count: number }
  | { type: 'count'; seq: number }
  | { type: 'latencies'; fromSeq: number }
  | { type: 'close' };

const sockets: Socket[] = [];
const latencies = new Map<number, number[]>();
let connected = 0;
const PATTERN = /seq=(\d+) t=(\d+)/;

function send(message: unknown): void {
  process.send?.(message);
}

function onEvent(line: string, at: bigint): void {
  const m = PATTERN.exec(line);
  if (!m) return;
  const seq = Number(m[1]);
  const ms = Number(at - BigInt(m[2] as string)) / 1e6;
  let list = latencies.get(seq);
  if (!list) {
    list = [];
    latencies.set(seq, list);
  }
  list.push(ms);
  if (list.length === connected) send({ type: 'delivered', seq, count: list.length });
}

function open(port: number, path: string, timeoutMs = 10_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response head within ${timeoutMs} ms`));
    }, timeoutMs);
    let head = Buffer.alloc(0);
    let decoder: ChunkedDecoder | undefined;
    let chunked = false;
    let text = '';
    let ready = false;
    const body = (bytes: Buffer, at: bigint): void => {
      text += bytes.toString('utf8');
      let lf = text.indexOf('\n');
      while (lf !== -1) {
        const line = text.slice(0, lf);
        text = text.slice(lf + 1);
        if (line.startsWith('data:')) onEvent(line, at);
        lf = text.indexOf('\n');
      }
    };
    socket.on('data', (data: Buffer) => {
      const at = hrtime.bigint();
      if (!ready) {
        head = Buffer.concat([head, data]);
        const parsed = parseHead(head);
        if (!parsed) return;
        const type = parsed.headers['content-type'] ?? '';
        if (parsed.status !== 200 || !type.startsWith('text/event-stream')) {
          clearTimeout(timer);
          socket.destroy();
          reject(new Error(`status ${parsed.status}, content-type ${JSON.stringify(type)}`));
          return;
        }
        ready = true;
        clearTimeout(timer);
        chunked = /chunked/i.test(parsed.headers['transfer-encoding'] ?? '');
        if (chunked) decoder = new ChunkedDecoder();
        resolve(socket);
        data = parsed.rest;
      }
      if (data.length === 0) return;
      if (chunked) for (const piece of decoder!.push(data)) body(piece, at);
      else body(data, at);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (!ready) reject(error);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`,
    );
  });
}

async function connectAll(port: number, path: string, count: number): Promise<void> {
  const t0 = performance.now();
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  // At most 50 handshakes in flight, so the listen backlog never overflows.
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      try {
        sockets.push(await open(port, path));
        connected++;
      } catch (error) {
        failed++;
        firstError ??= String((error as Error).message ?? error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(50, count) }, worker));
  send({ type: 'connected', ok: connected, failed, firstError, ms: performance.now() - t0 });
}

process.on('message', (command: Command) => {
  if (command.type === 'connect') void connectAll(command.port, command.path, command.count);
  else if (command.type === 'count') {
    send({ type: 'count', seq: command.seq, count: latencies.get(command.seq)?.length ?? 0 });
  } else if (command.type === 'latencies') {
    const values: number[] = [];
    for (const [seq, list] of latencies) if (seq >= command.fromSeq) values.push(...list);
    send({ type: 'latencies', values });
  } else if (command.type === 'close') {
    // Ready for the next server: the process serves every run of the scenario.
    for (const socket of sockets.splice(0)) socket.destroy();
    latencies.clear();
    connected = 0;
    send({ type: 'closed' });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
