// The benchmark's client, in a child process (so that the server process's CPU
// time is the server's alone): one keep-alive connection, each request timed from
// send to the last byte; bytes are counted and dropped.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

process.on('message', ({ url }) => {
  const start = process.hrtime.bigint();
  let bytes = 0;
  http
    .get(url, { agent }, (res) => {
      res.on('data', (chunk) => {
        bytes += chunk.length;
      });
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        process.send({ ms, bytes, status: res.statusCode });
      });
      res.on('error', (error) => process.send({ error: String(error) }));
    })
    .on('error', (error) => process.send({ error: String(error) }));
});
process.on('disconnect', () => process.exit(0));
