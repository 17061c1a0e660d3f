// What the router and queryParams add to a request, without HTTP: the CPU time of
// running a hello-world interceptor chain (@plinth/interceptor's execute, as the
// adapter runs it) with a bare handler, and with queryParams + a 50-route router in
// front of the same handler. Interleaved batches, CPU time, median per request.
import { execute, interceptor } from '@plinth/interceptor';
import { queryParams, router } from '../dist/index.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const BATCH = Number(process.env.BATCH ?? 100_000);

const hello = () => ({
  status: 200,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'hello world',
});
const table = [['/hello/:name', 'GET', hello, { name: 'hello' }]];
for (let i = 0; i < 49; i++) {
  table.push(
    i % 2 === 0
      ? [`/section${i % 5}/page${i}`, ['GET', 'POST'], hello]
      : [`/api/items${i}/:id/parts/:part`, 'GET', hello],
  );
}
const chains = {
  'handler only': [interceptor(hello)],
  'queryParams + router (50 routes)': [queryParams, router(table)].map((i) => interceptor(i)),
};
// A request map like the adapter's: a new one per request.
const request = () => ({
  method: 'GET',
  url: '/hello/world?lang=en&verbose',
  path: '/hello/world',
  queryString: 'lang=en&verbose',
  headers: {},
});

const cpuNs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

async function batch(chain) {
  const start = cpuNs();
  for (let i = 0; i < BATCH; i++) {
    const done = execute({ request: request() }, chain);
    if (typeof done?.then === 'function') await done;
  }
  return (cpuNs() - start) / BATCH;
}

const samples = Object.fromEntries(Object.keys(chains).map((k) => [k, []]));
for (const chain of Object.values(chains)) await batch(chain); // warm up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, chain] of Object.entries(chains)) samples[name].push(await batch(chain));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples['handler only']);
console.log(
  `Interceptor chain per request, CPU time, median of ${ROUNDS} interleaved rounds of ${BATCH}, Node ${process.version}`,
);
console.table(
  Object.entries(samples).map(([name, xs]) => ({
    chain: name,
    'ns/request': median(xs).toFixed(0),
    'added ns': (median(xs) - base).toFixed(0),
  })),
);
