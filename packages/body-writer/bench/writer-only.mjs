// The sequence writer alone, for instruction counts: one process writes REPEAT
// responses of N elements into a sink that keeps nothing (no socket, no coalescing).
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//     node --predictable --single-threaded bench/writer-only.mjs
// Environment: LIB (a build's dist/index.mjs, default this one's), KIND=json|ndjson|async
// (a sync generator as a JSON array, as NDJSON, an async generator as a JSON array),
// json-schema|ndjson-schema (the first two with { serialize } from the elements' schema),
// or numbers (a sync generator of the numbers 0 to N − 1 as a JSON array),
// N (elements, default 200000), REPEAT (responses, default 1). N=0 gives the cost of
// starting Node and loading the package, to subtract.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const lib = await import(
  process.env.LIB ? pathToFileURL(resolve(process.env.LIB)).href : '../dist/index.mjs'
);
const N = Number(process.env.N ?? 200_000);
const REPEAT = Number(process.env.REPEAT ?? 1);
const KIND = process.env.KIND ?? 'json';
const schema = KIND.endsWith('-schema')
  ? (await import('../dist/schema.mjs')).compileElementSchema({
      type: 'object',
      properties: { id: { type: 'integer' }, name: { type: 'string' }, ok: { type: 'boolean' } },
      required: ['id', 'name', 'ok'],
    })
  : undefined;

function* items() {
  for (let i = 0; i < N; i++) yield { id: i, name: 'item', ok: true };
}
function* numbers() {
  for (let i = 0; i < N; i++) yield i;
}
async function* asyncItems() {
  for (let i = 0; i < N; i++) yield { id: i, name: 'item', ok: true };
}

let written = 0;
const sink = {
  signal: new AbortController().signal,
  flush() {},
  write(chunk) {
    written += chunk.length;
    return undefined;
  },
};
for (let r = 0; r < REPEAT; r++) {
  const body =
    KIND === 'ndjson'
      ? lib.ndjson(items())
      : KIND === 'async'
        ? asyncItems()
        : KIND === 'json-schema'
          ? lib.jsonArray(items(), { serialize: schema })
          : KIND === 'ndjson-schema'
            ? lib.ndjson(items(), { serialize: schema })
            : KIND === 'numbers'
              ? numbers()
              : items();
  await lib.writeBodyToStream(body, sink);
}
if (written < N * REPEAT) throw new Error(`wrote only ${written} units`);
