// Issue 9, "Bad input": query strings and paths, fuzzed with fast-check plus fixed
// cases (malformed escapes, overlong UTF-8 and overlong targets, NUL, __proto__,
// constructor, unicode), sent byte for byte over a raw socket. Always a 2xx/4xx with a
// reason, never a 5xx; the decoded query equals an independent reference decoding;
// nothing pollutes Object.prototype.

import { queryParams, router } from '@plinth/router';
import type { Request } from '@plinth/writeable-body';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fetched, rawRequest, request } from './support/clients';
import { runSeed } from './support/random';
import { errorLines, PROTOCOLS, type Served, serve } from './support/server';

const seed = runSeed();
const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 500);
console.log(
  `bad input: fast-check seed ${seed} (replay with RELIABILITY_SEED=${seed}), ${RUNS} runs per property`,
);

const DEFAULTS = { limit: '10', sort: 'asc' };

/** Echoes what the router and queryParams made of the request, the way an app uses them. */
function echo(request: Request) {
  const query = request.query ?? {};
  // Common application code: merge the query over defaults, copy it.
  const settings = { ...DEFAULTS, ...query };
  const copy = Object.assign({}, query);
  return {
    status: 200,
    body: {
      query: Object.entries(query),
      queryProto: Object.getPrototypeOf(query) === null ? null : 'object',
      params: Object.entries(request.pathParams ?? {}),
      settings: Object.keys(settings).length,
      copy: Object.keys(copy).length,
    },
  };
}

function service() {
  return [
    queryParams,
    router([
      ['/', 'GET', echo],
      ['/echo', 'GET', echo],
      ['/users/:id', 'GET', echo],
      ['/items/:id', 'GET', echo, { constraints: { id: /\d+/ } }],
      ['/files/*rest', 'GET', echo],
    ]),
  ];
}

type Decoded = { kind: 'ok'; entries: [string, string | string[]][] } | { kind: 'malformed' };

/** The expected decoding of a query string (SPEC: only the first `=` splits, `+` is a space). */
function reference(queryString: string): Decoded {
  const out = new Map<string, string | string[]>();
  for (const part of queryString.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replaceAll('+', ' '));
      value = decodeURIComponent(rawValue.replaceAll('+', ' '));
    } catch {
      return { kind: 'malformed' };
    }
    const previous = out.get(key);
    out.set(
      key,
      previous === undefined
        ? value
        : [...(Array.isArray(previous) ? previous : [previous]), value],
    );
  }
  // In the order a JavaScript object lists its keys (integer-like keys first).
  const ordered: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of out) ordered[key] = value;
  return { kind: 'ok', entries: Object.entries(ordered) };
}

const prototypeNames = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();
const PROTO_BEFORE = prototypeNames();

function checkPrototypes(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).admin).toBeUndefined();
  expect(prototypeNames()).toEqual(PROTO_BEFORE);
  expect(Object.getOwnPropertyNames(Array.prototype)).not.toContain('polluted');
}

/** Pieces of a path or query that break naive code. */
const NASTY = [
  '%',
  '%%',
  '%2',
  '%zz',
  '%G0',
  '%00',
  '%0a',
  '%0d%0a',
  '%2e%2e',
  '%2f',
  '%5c',
  '..',
  '.',
  '\\',
  '%C0%AE',
  '%C0%AF',
  '%E0%80%AF',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%FF',
  '%E2%82',
  '%E2%82%AC',
  '__proto__',
  'constructor',
  'prototype',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  '[]',
  '+',
  '=',
  '&',
  '#',
  ';',
  '~',
  "'",
  '"',
  '<script>',
  'é',
  '日本',
  '😀',
  'a',
  '1',
];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
  },
);

/** Encodes a target for the wire: what is not printable ASCII goes out as raw UTF-8 bytes (latin1 here). */
function wire(target: string): string {
  return Buffer.from(target, 'utf8').toString('latin1');
}

let served: Served;
let servedH2: Served;
beforeAll(async () => {
  served = await serve(service());
  servedH2 = await serve(service(), { http2: true });
});
afterAll(async () => {
  await served.stop();
  await servedH2.stop();
});
/** Long fixed cases, by the short label their test is named after. */
const targets = new Map<string, string>([
  ['/users/a×8000', `/users/${'a'.repeat(8000)}`],
  ['/nothing/a×8000', `/nothing/${'a'.repeat(8000)}`],
  ['/users/a×20000', `/users/${'a'.repeat(20_000)}`],
  ['/users/%zz×3000', `/users/${'%zz'.repeat(3000)}`],
  ['q=%E2%82%AC×1000', `q=${'%E2%82%AC'.repeat(1000)}`],
  ['a=1&×2000', 'a=1&'.repeat(2000)],
]);
const portFor = (http2: boolean): number => (http2 ? servedH2 : served).port;
/** A short name for a long target in a test title. */
const short = (s: string): string => (s.length > 48 ? `${s.slice(0, 40)}… (${s.length} chars)` : s);

const tally = { requests: 0, app4xx: 0, node400: 0, ok: 0 };

function checkAnswer(target: string, r: Fetched): void {
  tally.requests++;
  expect(r.status, `${JSON.stringify(target)} answered ${r.status}`).toBeGreaterThanOrEqual(200);
  expect(
    r.status,
    `${JSON.stringify(target)} answered ${r.status}: ${r.body.toString().slice(0, 200)}`,
  ).toBeLessThan(500);
  if (r.status >= 400 && r.status !== 431) {
    if (r.headers['content-type'] === undefined && r.body.byteLength === 0) {
      // Node's own HTTP parser refused the request line (a control character, a space):
      // it answers a bare 400 and closes, before any application code runs.
      expect(r.status).toBe(400);
      tally.node400++;
    } else {
      expect(r.body.toString().length, `a reason for ${r.status}`).toBeGreaterThan(0);
      tally.app4xx++;
    }
  } else if (r.status === 200) tally.ok++;
}

describe('paths', () => {
  it(`fuzzed (${RUNS} runs): never 5xx, a reason with every 4xx, no pollution`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/', '/users/', '/items/', '/files/', '/echo/', '/nothing/'),
        fc.array(piece, { maxLength: 8 }),
        fc.array(fc.constantFrom('/', ''), { maxLength: 8 }),
        async (prefix, pieces, slashes) => {
          const path = prefix + pieces.map((p, i) => p + (slashes[i] ?? '')).join('');
          const r = await rawRequest(served.port, wire(path));
          checkAnswer(path, r);
          if (r.status === 200) {
            const body = JSON.parse(r.body.toString());
            expect(body.queryProto).toBeNull();
          }
        },
      ),
      { numRuns: RUNS, seed },
    );
    checkPrototypes();
    expect(errorLines(served.logger)).toEqual([]);
  });

  it.each([
    ['/users/%', 400],
    ['/users/%zz', 400],
    ['/users/%E0%A4%A', 400],
    ['/users/%C0%AE%C0%AE', 400],
    ['/users/%ED%A0%80', 400],
    ['/users/%FF', 400],
    ['/users/%00', 200],
    ['/users/__proto__', 200],
    ['/users/constructor', 200],
    ['/users/%E2%82%AC', 200],
    ['/items/abc', 404],
    ['/items/12', 200],
    ['/nothing', 404],
    ['/files/a/b/../../c', 200],
    ['/users/a×8000', 200],
    ['/nothing/a×8000', 404],
    ['/users/a×20000', 431],
    ['/users/%zz×3000', 400],
  ] as const)('%# %s', async (label, status) => {
    const target = targets.get(label) ?? label;
    for (const { http2 } of PROTOCOLS) {
      // Over h2c the 20 kB target is accepted (the header limit is not enforced there,
      // see headers.test.ts); only HTTP/1.1 answers 431.
      if (http2 && status === 431) continue;
      const r = await request(http2, portFor(http2), target);
      expect(r.status, `${http2 ? 'h2c' : 'HTTP/1.1'} ${short(target)}`).toBe(status);
      // Node answers 431 itself, with the reason in the status line only.
      if (status !== 200 && status !== 431) expect(r.body.toString().length).toBeGreaterThan(0);
      if (status === 200) {
        const body = JSON.parse(r.body.toString());
        if (target === '/users/%00') expect(body.params).toEqual([['id', '\0']]);
        if (target === '/users/__proto__') expect(body.params).toEqual([['id', '__proto__']]);
      }
    }
    checkPrototypes();
  });
});

describe('query strings', () => {
  it(`fuzzed (${RUNS} runs): 400 exactly when an escape is malformed, else the reference decoding; no pollution`, async () => {
    const pair = fc.tuple(
      fc.array(piece, { maxLength: 3 }),
      fc.option(fc.array(piece, { maxLength: 3 })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 6 }), async (pairs) => {
        const qs = pairs
          .map(([k, v]) => (v === null ? k.join('') : `${k.join('')}=${v.join('')}`))
          .join('&');
        // A '#' starts the fragment: a client never sends it; neither do we.
        const query = qs.replaceAll('#', '%23');
        const target = `/echo?${query}`;
        const r = await rawRequest(served.port, wire(target));
        checkAnswer(target, r);
        if (r.headers['content-type'] === undefined && r.status === 400) return; // Node's own 400
        // A space, a control character or a raw non-ASCII byte is not part of a valid
        // target: Node may refuse it, or cut the target there (`GET /echo?= HTTP/1.1`
        // with two spaces is read as `/echo?=`). Never a 5xx (checked above); the
        // decoding is compared for the targets a client may send.
        if (!/^[\x21-\x7e]*$/.test(query)) return;
        const expected = reference(query);
        if (expected.kind === 'malformed') {
          expect(r.status, target).toBe(400);
          expect(r.body.toString()).toMatch(/malformed query string/);
        } else {
          expect(r.status, `${target}: ${r.body.toString().slice(0, 200)}`).toBe(200);
          const body = JSON.parse(r.body.toString());
          expect(body.query).toEqual(expected.entries);
          expect(body.queryProto).toBeNull();
        }
      }),
      { numRuns: RUNS, seed: seed + 1 },
    );
    checkPrototypes();
    expect(errorLines(served.logger)).toEqual([]);
  });

  it.each([
    ['__proto__[polluted]=1', [['__proto__[polluted]', '1']]],
    ['constructor[prototype][polluted]=1', [['constructor[prototype][polluted]', '1']]],
    ['__proto__=x&__proto__=y', [['__proto__', ['x', 'y']]]],
    [
      '__proto__.admin=true&constructor=1',
      [
        ['__proto__.admin', 'true'],
        ['constructor', '1'],
      ],
    ],
    ['a=%', 'malformed'],
    ['%=a', 'malformed'],
    ['a=%ff', 'malformed'],
    ['a=%C0%AE', 'malformed'],
    ['a=%00', [['a', '\0']]],
    [
      'a=1=2&a&&b=+x+',
      [
        ['a', ['1=2', '']],
        ['b', ' x '],
      ],
    ],
    ['q=%E2%82%AC×1000', [['q', '€'.repeat(1000)]]],
    ['a=1&×2000', [['a', Array(2000).fill('1')]]],
  ] as const)('%# %s', async (label, expected) => {
    const qs = targets.get(label) ?? label;
    for (const { http2 } of PROTOCOLS) {
      const r = await request(http2, portFor(http2), `/echo?${qs}`);
      if (expected === 'malformed') {
        expect(r.status).toBe(400);
        expect(r.body.toString()).toMatch(/^Bad Request - malformed query string/);
      } else {
        expect(r.status).toBe(200);
        const body = JSON.parse(r.body.toString());
        expect(body.query).toEqual(expected);
        expect(body.queryProto).toBeNull();
      }
    }
    checkPrototypes();
    expect(errorLines(served.logger)).toEqual([]);
    expect(errorLines(servedH2.logger)).toEqual([]);
  });

  afterAll(() => {
    console.log(
      `bad input: ${tally.requests} fuzzed requests (${tally.ok} answered 200, ${tally.app4xx} answered 4xx by the app with a reason, ${tally.node400} refused 400 by Node's parser), none 5xx`,
    );
  });
});
