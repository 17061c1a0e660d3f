// Issue 3, "Behaviour to prove": each body type arrives byte-exact with its default
// Content-Type, and with Content-Length exactly when the length is known.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { file, ndjson, text } from '@plinth/body-writer';
import { writeableBody } from '@plinth/writeable-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthServer } from '../src/index';
import { responseFor } from '../src/testing';
import { expectNoErrorLogs, PROTOCOLS, serve } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'plinth-node-'));
const binary = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
writeFileSync(join(dir, 'data.bin'), binary);
writeFileSync(join(dir, 'page.html'), '<p>héllo</p>\n');

interface Case {
  name: string;
  body: () => unknown;
  type: string | undefined;
  bytes: Buffer;
  length: boolean;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const CASES: Case[] = [
  {
    name: 'string',
    body: () => 'héllo wörld',
    type: 'text/plain; charset=utf-8',
    bytes: Buffer.from('héllo wörld'),
    length: true,
  },
  {
    name: 'empty string',
    body: () => '',
    type: 'text/plain; charset=utf-8',
    bytes: Buffer.alloc(0),
    length: true,
  },
  {
    name: 'Uint8Array',
    body: () => new Uint8Array([0, 1, 2, 255]),
    type: 'application/octet-stream',
    bytes: Buffer.from([0, 1, 2, 255]),
    length: true,
  },
  {
    name: 'Buffer (large)',
    body: () => binary,
    type: 'application/octet-stream',
    bytes: binary,
    length: true,
  },
  {
    name: 'ArrayBuffer',
    body: () => new Uint8Array([9, 8]).buffer,
    type: 'application/octet-stream',
    bytes: Buffer.from([9, 8]),
    length: true,
  },
  {
    name: 'DataView',
    body: () => new DataView(new Uint8Array([5, 6, 7]).buffer, 1, 2),
    type: 'application/octet-stream',
    bytes: Buffer.from([6, 7]),
    length: true,
  },
  {
    name: 'object',
    body: () => ({ a: 1, b: ['é'] }),
    type: 'application/json; charset=utf-8',
    bytes: json({ a: 1, b: ['é'] }),
    length: true,
  },
  {
    name: 'array',
    body: () => [1, 'two', null],
    type: 'application/json; charset=utf-8',
    bytes: json([1, 'two', null]),
    length: true,
  },
  {
    name: 'number',
    body: () => 42,
    type: 'application/json; charset=utf-8',
    bytes: Buffer.from('42'),
    length: true,
  },
  {
    name: 'boolean',
    body: () => false,
    type: 'application/json; charset=utf-8',
    bytes: Buffer.from('false'),
    length: true,
  },
  {
    name: 'generator (lazy sequence)',
    body: function* () {
      for (let i = 0; i < 5000; i++) yield { i };
    },
    type: 'application/json; charset=utf-8',
    bytes: json(Array.from({ length: 5000 }, (_, i) => ({ i }))),
    length: false,
  },
  {
    name: 'async generator',
    body: async function* () {
      yield 1;
      await new Promise((r) => setTimeout(r, 5));
      yield 'two';
    },
    type: 'application/json; charset=utf-8',
    bytes: json([1, 'two']),
    length: false,
  },
  {
    name: 'function handed the sink',
    body: () => async (sink: { write(c: string): unknown }) => {
      await sink.write('from ');
      await sink.write('a function');
    },
    type: 'application/octet-stream',
    bytes: Buffer.from('from a function'),
    length: false,
  },
  {
    name: 'Node Readable',
    body: () => Readable.from([Buffer.from('node '), Buffer.from('stream')]),
    type: 'application/octet-stream',
    bytes: Buffer.from('node stream'),
    length: false,
  },
  {
    name: 'Web ReadableStream',
    body: () => new Blob(['web ', 'stream']).stream(),
    type: 'application/octet-stream',
    bytes: Buffer.from('web stream'),
    length: false,
  },
  {
    name: 'Blob',
    body: () => new Blob(['<b>x</b>'], { type: 'text/html' }),
    type: 'text/html',
    bytes: Buffer.from('<b>x</b>'),
    length: true,
  },
  {
    name: 'file(path) binary',
    body: () => file(join(dir, 'data.bin')),
    type: 'application/octet-stream',
    bytes: binary,
    length: true,
  },
  {
    name: 'file(path) html',
    body: () => file(join(dir, 'page.html')),
    type: 'text/html; charset=utf-8',
    bytes: Buffer.from('<p>héllo</p>\n'),
    length: true,
  },
  {
    name: 'ndjson()',
    body: () => ndjson([{ a: 1 }, 'b']),
    type: 'application/x-ndjson',
    bytes: Buffer.from('{"a":1}\n"b"\n'),
    length: false,
  },
  {
    name: 'text()',
    body: () => text(['one\n', Buffer.from('two\n')]),
    type: 'text/plain; charset=utf-8',
    bytes: Buffer.from('one\ntwo\n'),
    length: false,
  },
  {
    name: 'WriteableBody with a length',
    body: () =>
      writeableBody({
        contentType: 'text/csv',
        length: 8,
        write: (sink) => void sink.write('a,b\nc,d\n'),
      }),
    type: 'text/csv',
    bytes: Buffer.from('a,b\nc,d\n'),
    length: true,
  },
  {
    name: 'plugin body from another copy of writeable-body (Symbol.for brand only)',
    body: () => ({
      [Symbol.for('plinth.writeable-body')]: true,
      defaultContentType: () => 'text/x-plugin',
      contentLength: () => undefined,
      async writeBody(sink: { write(c: Uint8Array | string): Promise<void> | undefined }) {
        for (const part of ['plug', 'in ', 'body']) await sink.write(part);
      },
    }),
    type: 'text/x-plugin',
    bytes: Buffer.from('plugin body'),
    length: false,
  },
  { name: 'null', body: () => null, type: undefined, bytes: Buffer.alloc(0), length: true },
];

describe.each(PROTOCOLS)('every body type over $name', ({ http2 }) => {
  let server: PlinthServer;
  let logger: Awaited<ReturnType<typeof serve>>['logger'];
  beforeAll(async () => {
    ({ server, logger } = await serve(
      [
        {
          name: 'bodies',
          enter: (ctx: any) => {
            const c = CASES[Number(ctx.request.path.slice(1))]!;
            ctx.response = { status: 200, body: c.body() };
            return ctx;
          },
        },
      ],
      { http2 },
    ));
  });
  afterAll(() => server.stop());

  it.each(CASES.map((c, i) => [c.name, i, c] as const))('%s', async (_name, index, c) => {
    const response = await responseFor(server, 'GET', `/${index}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(c.type);
    expect(Buffer.from(response.bytes).equals(c.bytes)).toBe(true);
    if (c.length) {
      expect(response.headers['content-length']).toBe(String(c.bytes.length));
    } else {
      expect(response.headers['content-length']).toBeUndefined();
      if (!http2) expect(response.headers['transfer-encoding']).toBe('chunked');
    }
    expectNoErrorLogs(logger);
  });
});
