// The matrix is one table of cases and the code that runs them against three
// servers and writes the README table; it stays one file so the table is one list.
// The conformance matrix: the same requests, over real sockets (curl, and fetch
// for some), against Plinth's serveStatic, `send` as Express uses it
// (express.static) and @fastify/static. Plinth's answers are asserted (each case
// cites the RFC 9110 section it checks); the peers' answers are recorded, and
// `PLINTH_WRITE_CONFORMANCE=1` writes the side-by-side table into the README
// between its conformance markers.
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import fastifyStatic from '@fastify/static';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../src/index';
import { curl, fixtureDir, MTIME, MTIME_HTTP, parseMultipart, pattern, serve } from './helpers';

const DATA = pattern(1000);
const SECRET = 'SECRET-OUTSIDE-ROOT';
const BR = Buffer.from('pretend-brotli');
const GZ = Buffer.from('pretend-gzip-longer');
const LATER = new Date(MTIME.getTime() + 3600_000).toUTCString();
const EARLIER = new Date(MTIME.getTime() - 3600_000).toUTCString();

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Validators {
  etag: string;
  lastModified: string;
  /** The ETag of /app.js without a coding. */
  jsEtag: string;
}

interface Case {
  /** The RFC 9110 section (or RFC and section) the case checks. */
  section: string;
  title: string;
  request: (v: Validators) => { method?: string; path: string; headers?: Record<string, string> };
  via?: 'curl' | 'fetch';
  /** What the table records of an answer. */
  show: (a: Answer, v: Validators) => string;
  /** The answer the RFC calls for, in the same form; Plinth's answer must equal it. */
  expected: string;
  /** When a different answer is allowed too, or why it is wrong. */
  note?: string;
}

const status = (a: Answer) => String(a.status);
const statusRange = (a: Answer) => `${a.status} ${a.headers['content-range'] ?? '-'}`;
const noSecret = (a: Answer) =>
  a.body.includes(SECRET) ? 'LEAKED' : a.status >= 500 ? '5xx' : 'refused';
const path = '/data.bin';

const cases: Case[] = [
  // Validators and HEAD
  {
    section: '8.8.3',
    title: 'GET sends an ETag',
    request: () => ({ path }),
    show: (a) => `${a.status} etag:${a.headers.etag ? 'yes' : 'no'}`,
    expected: '200 etag:yes',
  },
  {
    section: '8.8.2',
    title: 'GET sends Last-Modified (the mtime)',
    request: () => ({ path }),
    show: (a) => String(a.headers['last-modified'] === MTIME_HTTP),
    expected: 'true',
  },
  {
    section: '14.3',
    title: 'Accept-Ranges: bytes',
    request: () => ({ path }),
    show: (a) => a.headers['accept-ranges'] ?? '-',
    expected: 'bytes',
  },
  {
    section: '9.3.2',
    title: 'HEAD: the Content-Length of GET, no body',
    request: () => ({ method: 'HEAD', path }),
    show: (a) => `${a.status} ${a.headers['content-length']} body:${a.body.length}`,
    expected: '200 1000 body:0',
  },
  {
    section: '9.3.2',
    title: 'HEAD: the ETag of GET',
    request: () => ({ method: 'HEAD', path }),
    show: (a, v) => String(a.headers.etag === v.etag),
    expected: 'true',
  },
  {
    section: '8.3',
    title: 'Content-Type from the extension',
    request: () => ({ path: '/a.txt' }),
    show: (a) => a.headers['content-type'] ?? '-',
    expected: 'text/plain; charset=utf-8',
    via: 'fetch',
  },
  // Conditional requests
  {
    section: '13.1.2',
    title: 'If-None-Match: the current ETag → 304',
    request: (v) => ({ path, headers: { 'if-none-match': v.etag } }),
    show: status,
    expected: '304',
  },
  {
    section: '13.2.1',
    title: 'the same from fetch (which adds Cache-Control: no-cache) → 304',
    request: (v) => ({ path, headers: { 'if-none-match': v.etag } }),
    show: status,
    expected: '304',
    via: 'fetch',
    note: 'fetch adds `Cache-Control: no-cache` to conditional requests and `fresh` then answers 200; 13.2.1: an origin MUST evaluate the preconditions (no-cache is for caches, RFC 9111 5.2.1.4)',
  },
  {
    section: '13.1.2',
    title: 'If-None-Match: a list containing it → 304',
    request: (v) => ({ path, headers: { 'if-none-match': `"nope", ${v.etag}` } }),
    show: status,
    expected: '304',
  },
  {
    section: '8.8.3.2',
    title: 'If-None-Match compares weakly: the tag without W/ → 304',
    request: (v) => ({ path, headers: { 'if-none-match': v.etag.replace(/^W\//, '') } }),
    show: status,
    expected: '304',
  },
  {
    section: '13.1.2',
    title: 'If-None-Match: * → 304',
    request: () => ({ path, headers: { 'if-none-match': '*' } }),
    show: status,
    expected: '304',
  },
  {
    section: '13.1.2',
    title: 'If-None-Match: another tag → 200',
    request: () => ({ path, headers: { 'if-none-match': '"nope"' } }),
    show: status,
    expected: '200',
  },
  {
    section: '13.1.3',
    title: 'If-None-Match misses, If-Modified-Since would hit → 200 (IMS ignored)',
    request: () => ({ path, headers: { 'if-none-match': '"nope"', 'if-modified-since': LATER } }),
    show: status,
    expected: '200',
  },
  {
    section: '13.2.2',
    title: 'If-None-Match hits, If-Modified-Since would miss → 304 (INM decides)',
    request: (v) => ({ path, headers: { 'if-none-match': v.etag, 'if-modified-since': EARLIER } }),
    show: status,
    expected: '304',
    note: '13.1.3: a recipient MUST ignore If-Modified-Since when If-None-Match is present',
  },
  {
    section: '13.1.3',
    title: 'If-Modified-Since: Last-Modified → 304',
    request: (v) => ({ path, headers: { 'if-modified-since': v.lastModified } }),
    show: status,
    expected: '304',
    via: 'fetch',
    note: 'from fetch, as above: 200 from `fresh` because of `Cache-Control: no-cache`',
  },
  {
    section: '13.1.3',
    title: 'If-Modified-Since: earlier → 200',
    request: () => ({ path, headers: { 'if-modified-since': EARLIER } }),
    show: status,
    expected: '200',
  },
  {
    section: '13.1.3',
    title: 'If-Modified-Since: not a date → 200',
    request: () => ({ path, headers: { 'if-modified-since': 'yesterday' } }),
    show: status,
    expected: '200',
  },
  {
    section: '15.4.5',
    title: '304 carries ETag and Cache-Control, no body',
    request: (v) => ({ path, headers: { 'if-none-match': v.etag } }),
    show: (a, v) =>
      `etag:${a.headers.etag === v.etag} cache-control:${a.headers['cache-control'] !== undefined} body:${a.body.length}`,
    expected: 'etag:true cache-control:true body:0',
  },
  {
    section: '13.2.2',
    title: 'HEAD with If-None-Match → 304',
    request: (v) => ({ method: 'HEAD', path, headers: { 'if-none-match': v.etag } }),
    show: status,
    expected: '304',
  },
  {
    section: '13.1.1',
    title: 'If-Match: another tag → 412',
    request: () => ({ path, headers: { 'if-match': '"nope"' } }),
    show: status,
    expected: '412',
    via: 'fetch',
  },
  {
    section: '13.1.1',
    title: 'If-Match: * → 200',
    request: () => ({ path, headers: { 'if-match': '*' } }),
    show: status,
    expected: '200',
  },
  {
    section: '13.1.1',
    title: 'If-Match: the current weak ETag → 412 (strong comparison)',
    request: (v) => ({ path, headers: { 'if-match': v.etag } }),
    show: (a, v) => (v.etag.startsWith('W/') ? status(a) : 'n/a (strong tag)'),
    expected: '412',
    note: 'a weak tag never passes If-Match (8.8.3.2 strong comparison)',
  },
  {
    section: '13.1.4',
    title: 'If-Unmodified-Since: earlier → 412',
    request: () => ({ path, headers: { 'if-unmodified-since': EARLIER } }),
    show: status,
    expected: '412',
  },
  {
    section: '13.1.4',
    title: 'If-Unmodified-Since: later → 200',
    request: () => ({ path, headers: { 'if-unmodified-since': LATER } }),
    show: status,
    expected: '200',
  },
  {
    section: '13.1.4',
    title: 'If-Match: * with If-Unmodified-Since earlier → 200 (IUS ignored)',
    request: () => ({ path, headers: { 'if-match': '*', 'if-unmodified-since': EARLIER } }),
    show: status,
    expected: '200',
    note: '13.1.4: a recipient MUST ignore If-Unmodified-Since when If-Match is present',
  },
  {
    section: '13.2.2',
    title: 'If-Match fails and If-None-Match hits → 412 (step 1 first)',
    request: (v) => ({ path, headers: { 'if-match': '"nope"', 'if-none-match': v.etag } }),
    show: status,
    expected: '412',
  },
  // Ranges
  {
    section: '14.4',
    title: 'bytes=0-99 → 206 with Content-Range',
    request: () => ({ path, headers: { range: 'bytes=0-99' } }),
    show: (a) => `${statusRange(a)} ${a.body.equals(DATA.subarray(0, 100))}`,
    expected: '206 bytes 0-99/1000 true',
    via: 'fetch',
  },
  {
    section: '14.1.1',
    title: 'suffix bytes=-100',
    request: () => ({ path, headers: { range: 'bytes=-100' } }),
    show: statusRange,
    expected: '206 bytes 900-999/1000',
  },
  {
    section: '14.1.1',
    title: 'open bytes=990-',
    request: () => ({ path, headers: { range: 'bytes=990-' } }),
    show: statusRange,
    expected: '206 bytes 990-999/1000',
  },
  {
    section: '14.1.1',
    title: 'a suffix longer than the file: all of it',
    request: () => ({ path, headers: { range: 'bytes=-5000' } }),
    show: statusRange,
    expected: '206 bytes 0-999/1000',
    note: '14.1.1: "the entire representation is used"',
  },
  {
    section: '14.1.1',
    title: 'last-pos past the end is clamped',
    request: () => ({ path, headers: { range: 'bytes=500-99999' } }),
    show: statusRange,
    expected: '206 bytes 500-999/1000',
  },
  {
    section: '14.1',
    title: 'the unit is case-insensitive: BYTES=0-9',
    request: () => ({ path, headers: { range: 'BYTES=0-9' } }),
    show: statusRange,
    expected: '206 bytes 0-9/1000',
    note: '200 is allowed (a server MAY ignore Range), but the unit is case-insensitive',
  },
  {
    section: '14.6',
    title: 'two ranges → multipart/byteranges',
    request: () => ({ path, headers: { range: 'bytes=0-9,500-509' } }),
    show: (a) => multipartSummary(a),
    expected: '206 multipart bytes 0-9/1000,bytes 500-509/1000 ok',
    note: 'a server MAY ignore Range (200), but then sends 1000 bytes for 20',
  },
  {
    section: '14.2',
    title: 'overlapping ranges coalesced: bytes=0-9,5-19',
    request: () => ({ path, headers: { range: 'bytes=0-9,5-19' } }),
    show: (a) =>
      a.headers['content-type']?.startsWith('multipart/') ? multipartSummary(a) : statusRange(a),
    expected: '206 bytes 0-19/1000',
    note: '14.2 allows coalescing or a multipart answer; 200 ignores the request',
  },
  {
    section: '15.5.17',
    title: 'unsatisfiable bytes=1000- → 416',
    request: () => ({ path, headers: { range: 'bytes=1000-' } }),
    show: statusRange,
    expected: '416 bytes */1000',
  },
  {
    section: '15.5.17',
    title: 'unsatisfiable on an empty file → 416',
    request: () => ({ path: '/empty.txt', headers: { range: 'bytes=0-' } }),
    show: statusRange,
    expected: '416 bytes */0',
  },
  {
    section: '14.2',
    title: 'malformed bytes=abc → 200 (ignored)',
    request: () => ({ path, headers: { range: 'bytes=abc' } }),
    show: status,
    expected: '200',
    note: '14.2 lets a server ignore or reject an invalid ranges-specifier: 416 is allowed too',
  },
  {
    section: '14.2',
    title: 'unknown unit items=0-1 → 200',
    request: () => ({ path, headers: { range: 'items=0-1' } }),
    show: status,
    expected: '200',
  },
  {
    section: '14.2',
    title: 'HEAD ignores Range (defined for GET only) → 200',
    request: () => ({ method: 'HEAD', path, headers: { range: 'bytes=0-9' } }),
    show: status,
    expected: '200',
    note: '14.2: a server MUST ignore Range for methods other than GET',
  },
  {
    section: '13.1.5',
    title: 'If-Range with the weak ETag → 200 (never matches)',
    request: (v) => ({ path, headers: { range: 'bytes=0-9', 'if-range': v.etag } }),
    show: (a, v) => (v.etag.startsWith('W/') ? status(a) : 'n/a (strong tag)'),
    expected: '200',
    note: '13.1.5: a weak entity-tag MUST NOT be used in If-Range',
  },
  {
    section: '13.1.5',
    title: 'If-Range with the Last-Modified date → 206',
    request: (v) => ({ path, headers: { range: 'bytes=0-9', 'if-range': v.lastModified } }),
    show: status,
    expected: '206',
  },
  {
    section: '13.1.5',
    title: 'If-Range with another date → 200',
    request: () => ({ path, headers: { range: 'bytes=0-9', 'if-range': LATER } }),
    show: status,
    expected: '200',
    note: 'a date matches only when it equals Last-Modified exactly; `send` accepts any later date',
  },
  {
    section: '13.1.5',
    title: 'If-Range with another ETag → 200',
    request: () => ({ path, headers: { range: 'bytes=0-9', 'if-range': '"stale"' } }),
    show: status,
    expected: '200',
  },
  {
    section: '17.15',
    title: '40 tiny ranges: no 40-part body',
    request: () => ({
      path,
      headers: {
        range: `bytes=${Array.from({ length: 40 }, (_, i) => `${i * 20}-${i * 20}`).join(',')}`,
      },
    }),
    show: (a) =>
      String(
        a.status === 206 && a.headers['content-type']?.startsWith('multipart/')
          ? '206 multipart'
          : a.status,
      ),
    expected: '200',
    note: '17.15 / 14.2: a server may ignore or refuse many small ranges',
  },
  // Precompressed variants
  {
    section: '12.5.3',
    title: 'Accept-Encoding: br → the .br variant',
    request: () => ({ path: '/app.js', headers: { 'accept-encoding': 'br' } }),
    show: (a) =>
      `${a.headers['content-encoding'] ?? 'identity'} type:${a.headers['content-type']?.includes('javascript') ? 'original' : a.headers['content-type']}`,
    expected: 'br type:original',
    note: 'express.static has no precompressed variants (not an RFC matter)',
  },
  {
    section: '12.5.5',
    title: 'Vary: Accept-Encoding on a negotiated answer',
    request: () => ({ path: '/app.js', headers: { 'accept-encoding': 'br' } }),
    show: (a) => a.headers.vary?.toLowerCase() ?? '-',
    expected: 'accept-encoding',
    note: 'express.static negotiates nothing, so it owes no Vary',
  },
  {
    section: '12.5.3',
    title: 'q-values: gzip;q=1, br;q=0.5 → gzip',
    request: () => ({ path: '/app.js', headers: { 'accept-encoding': 'gzip;q=1, br;q=0.5' } }),
    show: (a) => a.headers['content-encoding'] ?? 'identity',
    expected: 'gzip',
  },
  {
    section: '12.5.3',
    title: 'br;q=0 means not br',
    request: () => ({ path: '/app.js', headers: { 'accept-encoding': 'br;q=0, gzip' } }),
    show: (a) => a.headers['content-encoding'] ?? 'identity',
    expected: 'gzip',
  },
  {
    section: '12.5.3',
    title: 'identity only → the original',
    request: () => ({ path: '/app.js', headers: { 'accept-encoding': 'identity' } }),
    show: (a) => a.headers['content-encoding'] ?? 'identity',
    expected: 'identity',
  },
  {
    section: '14.1.2',
    title: 'a range applies to the variant served',
    request: () => ({ path: '/app.js', headers: { 'accept-encoding': 'br', range: 'bytes=0-3' } }),
    show: (a) => `${statusRange(a)} ${a.headers['content-encoding'] ?? 'identity'}`,
    expected: `206 bytes 0-3/${BR.length} br`,
    note: 'express.static: no variants, so the range of the original is right for it',
  },
  {
    section: '8.8.3',
    title: 'the variant has its own ETag',
    request: () => ({ path: '/app.js', headers: { 'accept-encoding': 'br' } }),
    show: (a, v) =>
      a.headers['content-encoding'] === undefined
        ? 'no variant'
        : String(a.headers.etag !== undefined && a.headers.etag !== v.jsEtag),
    expected: 'true',
    note: 'two representations must not share a strong tag; sharing a weak one breaks If-None-Match across encodings',
  },
  // Directories and paths
  {
    section: '15.4.2',
    title: '/dir → 301 to /dir/ keeping the query',
    request: () => ({ path: '/dir?q=1' }),
    show: (a) => `${a.status} ${a.headers.location ?? '-'}`,
    expected: '301 /dir/?q=1',
    note: '@fastify/static serves the index at /dir by default (`redirect: false`), where its relative links resolve against the parent',
  },
  {
    section: '15.4.2',
    title: '/dir/ → its index.html',
    request: () => ({ path: '/dir/' }),
    show: (a) => `${a.status} ${a.body.toString()}`,
    expected: '200 index',
  },
  {
    section: '17.3',
    title: '/.env (a dotfile) is not served',
    request: () => ({ path: '/.env' }),
    show: (a) => (a.status === 200 ? '200 (served)' : 'refused'),
    expected: 'refused',
    note: "@fastify/static serves dotfiles by default (`dotfiles: 'allow'`)",
  },
  {
    section: '17.3',
    title: '/%2e%2e/secret.txt does not escape',
    request: () => ({ path: '/%2e%2e/secret.txt' }),
    show: noSecret,
    expected: 'refused',
  },
  {
    section: '17.3',
    title: '/..%2fsecret.txt does not escape',
    request: () => ({ path: '/..%2fsecret.txt' }),
    show: noSecret,
    expected: 'refused',
  },
  {
    section: '17.3',
    title: '/..%5csecret.txt does not escape',
    request: () => ({ path: '/..%5csecret.txt' }),
    show: noSecret,
    expected: 'refused',
  },
  {
    section: '17.3',
    title: '/a.txt%00.html: NUL refused, no 500',
    request: () => ({ path: '/a.txt%00.html' }),
    show: noSecret,
    expected: 'refused',
  },
  {
    section: '17.3',
    title: 'a link out of the root is not followed',
    request: () => ({ path: '/link-out.txt' }),
    show: noSecret,
    expected: 'refused',
    note: 'send and @fastify/static follow a symbolic link wherever it points',
  },
  {
    section: '15.5.6',
    title: 'DELETE → 405 with Allow',
    request: () => ({ method: 'DELETE', path }),
    show: (a) => `${a.status} ${a.headers.allow ?? '-'}`,
    expected: '405 GET, HEAD',
    note: '404 is allowed too when the server does not route other methods there',
  },
];

function multipartSummary(a: Answer): string {
  const type = a.headers['content-type'] ?? '';
  if (a.status !== 206 || !type.startsWith('multipart/byteranges')) return statusRange(a);
  const parts = parseMultipart(a.body, type);
  const exact = Number(a.headers['content-length']) === a.body.length ? 'ok' : 'bad-length';
  return `206 multipart ${parts.map((p) => p.headers['content-range']).join(',')} ${exact}`;
}

async function ask(base: string, c: Case, v: Validators): Promise<Answer> {
  const { method = 'GET', path: target, headers = {} } = c.request(v);
  if (c.via === 'fetch') {
    const res = await fetch(base + target, { method, headers, redirect: 'manual' });
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: Buffer.from(await res.arrayBuffer()),
    };
  }
  const args = ['-s', '-i', '--path-as-is', '--max-time', '10'];
  if (method === 'HEAD') args.push('-I');
  else args.push('-X', method);
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(base + target);
  const { stdout } = await curl(args);
  const end = stdout.indexOf('\r\n\r\n');
  const lines = stdout.subarray(0, end).toString('latin1').split('\r\n');
  const out: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    out[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(lines[0]?.split(' ')[1]), headers: out, body: stdout.subarray(end + 4) };
}

interface Target {
  name: string;
  url: string;
  close(): Promise<void>;
  validators: Validators;
}

let fixture: Awaited<ReturnType<typeof fixtureDir>>;
const targets: Target[] = [];

beforeAll(async () => {
  fixture = await fixtureDir({
    '../secret.txt': SECRET,
    'data.bin': DATA,
    'a.txt': 'hello',
    'empty.txt': '',
    'app.js': 'console.log(1);\n'.repeat(50),
    'app.js.br': BR,
    'app.js.gz': GZ,
    'dir/index.html': 'index',
    '.env': 'KEY=1',
  });
  const { root, dir } = fixture;
  const { symlink } = await import('node:fs/promises');
  await symlink(`${dir}/secret.txt`, `${root}/link-out.txt`);

  const plinth = await serve([serveStatic(root, { precompressed: true })]);
  targets.push({
    name: 'Plinth',
    url: plinth.url,
    close: () => plinth.server.stop({ graceMs: 100 }),
    validators: undefined as never,
  });

  const app = express();
  app.use(express.static(root));
  const expressServer = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  targets.push({
    name: 'send (express.static)',
    url: `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => expressServer.close(() => resolve())),
    validators: undefined as never,
  });

  const fastify = Fastify();
  await fastify.register(fastifyStatic, { root, preCompressed: true });
  const fastifyUrl = await fastify.listen({ port: 0, host: '127.0.0.1' });
  targets.push({
    name: '@fastify/static',
    url: fastifyUrl,
    close: () => fastify.close(),
    validators: undefined as never,
  });

  for (const t of targets) {
    const res = await fetch(`${t.url}${path}`);
    await res.arrayBuffer();
    const js = await ask(
      t.url,
      { section: '', title: '', request: () => ({ path: '/app.js' }), show: status, expected: '' },
      undefined as never,
    );
    t.validators = {
      etag: res.headers.get('etag') ?? '"none"',
      lastModified: res.headers.get('last-modified') ?? MTIME_HTTP,
      jsEtag: js.headers.etag ?? '"none"',
    };
  }
});

const answers = new Map<Case, string[]>();

afterAll(async () => {
  for (const t of targets) await t.close();
  await fixture?.cleanup();
  if (process.env.PLINTH_WRITE_CONFORMANCE === '1' && answers.size === cases.length)
    await writeTable();
});

describe('conformance matrix (RFC 9110), Plinth beside send and @fastify/static', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });
  for (const c of cases) {
    it(`${c.section}: ${c.title}`, async () => {
      const shown: string[] = [];
      for (const t of targets) {
        const answer = await ask(t.url, c, t.validators);
        shown.push(c.show(answer, t.validators));
      }
      answers.set(c, shown);
      expect(shown[0]).toBe(c.expected);
    });
  }
});

async function writeTable(): Promise<void> {
  const names = targets.map((t) => t.name);
  const rows = cases.map((c, i) => {
    const cells = answers
      .get(c)!
      .map((s) => (s === c.expected ? '✓' : `**${s.replace(/\|/g, '\\|')}**`));
    return `| ${i + 1} | ${c.section} | ${c.title.replace(/\|/g, '\\|')} | \`${c.expected}\` | ${cells.join(' | ')} | ${c.note ?? ''} |`;
  });
  const differ = cases.map((c) =>
    answers
      .get(c)!
      .slice(1)
      .map((s) => (s === c.expected ? 0 : 1) as number),
  );
  const counts = names.slice(1).map((n, j) => `${n}: ${differ.reduce((k, d) => k + d[j]!, 0)}`);
  const table = [
    `${cases.length} cases. Answers other than the one the RFC calls for are in bold (${counts.join(', ')}); the note says when the RFC allows them too.`,
    '',
    `| # | RFC 9110 | case | RFC answer | ${names.join(' | ')} | note |`,
    `|---|---|---|---|${names.map(() => '---').join('|')}|---|`,
    ...rows,
  ].join('\n');
  const readme = new URL('../README.md', import.meta.url);
  const text = await readFile(readme, 'utf8');
  const start = '<!-- conformance:start -->';
  const end = '<!-- conformance:end -->';
  const before = text.slice(0, text.indexOf(start) + start.length);
  const after = text.slice(text.indexOf(end));
  await writeFile(readme, `${before}\n${table}\n${after}`);
}
