// The benchmark's client, in a worker thread: one keep-alive connection, each
// request timed from send to the last byte; bytes are counted and dropped.
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

parentPort.on('message', ({ url }) => {
  const start = process.hrtime.bigint();
  let bytes = 0;
  http
    .get(url, { agent }, (res) => {
      res.on('data', (chunk) => {
        bytes += chunk.length;
      });
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        parentPort.postMessage({ ms, bytes, status: res.statusCode });
      });
      res.on('error', (error) => parentPort.postMessage({ error: String(error) }));
    })
    .on('error', (error) => parentPort.postMessage({ error: String(error) }));
});
