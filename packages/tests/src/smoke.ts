/**
 * A tiny use of each package, run against its built output in a separate Node
 * process (as ESM and as CJS, and after a selective install from tarballs). `M` is
 * the package's module namespace; the snippet may use `await`.
 */
export const smokes: Record<string, string> = {
  '@plinth/writeable-body': `
    const body = M.writeableBody({ contentType: 'text/plain', write(sink) { sink.write('hi'); } });
    if (!M.isWriteableBody(body) || body.defaultContentType() !== 'text/plain') throw new Error('writeableBody');
  `,
  '@plinth/interceptor': `
    const seen = [];
    const a = M.interceptor({ name: 'a', enter: (c) => { seen.push('enter a'); return c; }, leave: (c) => { seen.push('leave a'); return c; } });
    const b = M.interceptor({ name: 'b', enter: (c) => { seen.push('enter b'); return c; } });
    await M.execute({}, [a, b]);
    if (seen.join() !== 'enter a,enter b,leave a') throw new Error('order: ' + seen.join());
  `,
  '@plinth/body-writer': `
    const body = M.toWriteableBody({ hello: 'world' });
    if (body.defaultContentType() !== 'application/json; charset=utf-8') throw new Error('type ' + body.defaultContentType());
    if (body.contentLength() !== 17) throw new Error('length ' + body.contentLength());
    if (M.defaultContentType(M.file('x.png')) !== 'image/png') throw new Error('mime table');
  `,
  '@plinth/body-writer/portable': `
    const body = M.toWriteableBody(M.ndjson([1, 'a']));
    if (body.defaultContentType() !== 'application/x-ndjson') throw new Error('type ' + body.defaultContentType());
    if ('file' in M) throw new Error('file() is not portable');
  `,
  '@plinth/fetch': `
    function* numbers() { yield 1; yield 2; yield 3; }
    const handler = M.fetchHandler([() => ({ status: 200, body: numbers() })], { logger: { error() {}, warn() {}, info() {}, debug() {} } });
    const res = await handler(new Request('http://localhost/'));
    const text = await res.text();
    if (res.status !== 200 || text !== '[1,2,3]') throw new Error('got ' + res.status + ' ' + text);
  `,
  '@plinth/router': `
    const t = M.routeTable([['/u/:id', 'GET', () => ({ status: 200 }), { name: 'u' }]]);
    const r = t.match('GET', '/u/%41');
    if (r.kind !== 'found' || r.params.id !== 'A') throw new Error('match');
    if (t.urlFor('u', { params: { id: 'a b' } }) !== '/u/a%20b') throw new Error('urlFor');
    if (t.match('GET', '/u/%zz').kind !== 'bad-request') throw new Error('400');
  `,
  '@plinth/node': `
    function* numbers() { yield 1; yield 2; yield 3; }
    const server = M.createServer([() => ({ status: 200, body: numbers() })], { port: 0, logger: { error() {}, warn() {}, info() {}, debug() {} } });
    const { url } = await server.start();
    try {
      const res = await fetch(url);
      const text = await res.text();
      if (res.status !== 200 || text !== '[1,2,3]') throw new Error('got ' + res.status + ' ' + text);
    } finally {
      await server.stop({ graceMs: 100 });
    }
  `,
  '@plinth/node/testing': `
    const res = await M.responseFor([() => ({ status: 200, body: 'tested' })], 'GET', '/');
    if (res.status !== 200 || res.body !== 'tested') throw new Error('got ' + res.status + ' ' + res.body);
  `,
  '@plinth/otel': `
    const instrumentation = M.instrumentPlinth();
    instrumentation.disable();
    if (M.INSTRUMENTATION_NAME !== '@plinth/otel') throw new Error('scope ' + M.INSTRUMENTATION_NAME);
  `,
  '@plinth/sse': `
    const wire = M.encodeEvent({ event: 'tick', id: 0, data: 'a\\nb' });
    if (wire !== 'id: 0\\nevent: tick\\ndata: a\\ndata: b\\n\\n') throw new Error('encoded ' + JSON.stringify(wire));
    let threw = false;
    try { M.encodeEvent({ event: 'x\\ny', data: '' }); } catch (e) { threw = M.SseError.isError(e); }
    if (!threw) throw new Error('injection not refused');
  `,
  '@plinth/sse-redis': `
    if (M.checkTopic('room-1') !== 'room-1') throw new Error('checkTopic');
    let code;
    try { await M.connectRedisStreams({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 2000 }); } catch (e) { code = M.isSseRedisError(e) && e.code; }
    if (code !== 'CONNECT_FAILED') throw new Error('connect: ' + code);
  `,
  '@plinth/static': `
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-static-smoke-'));
    fs.writeFileSync(path.join(dir, 'a.txt'), '0123456789');
    try {
      const request = { method: 'GET', path: '/a.txt', headers: { range: 'bytes=2-4' } };
      const res = await M.serveFile(request, path.join(dir, 'a.txt'));
      if (res.status !== 206 || res.headers['content-range'] !== 'bytes 2-4/10') throw new Error('range: ' + res.status);
      res.body.release();
      let threw = false;
      try { M.serveStatic(dir, { maxAge: -1 }); } catch (e) { threw = M.StaticError.isError(e) && e.code === 'INVALID_ARGUMENT'; }
      if (!threw) throw new Error('bad option accepted');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  `,
  '@plinth/compress': `
    const c = M.compress();
    if (c.name !== 'plinth.compress' || typeof c.enter !== 'function' || typeof c.leave !== 'function') throw new Error('interceptor');
    if (!M.DEFAULT_CODINGS.includes('br') || !M.DEFAULT_CODINGS.includes('gzip')) throw new Error('codings ' + M.DEFAULT_CODINGS);
    let threw = false;
    try { M.compress({ threshold: -1 }); } catch (e) { threw = M.isCompressError(e) && e.code === 'INVALID_ARGUMENT'; }
    if (!threw) throw new Error('bad option accepted');
  `,
};

/**
 * Subpath exports of each package, each with a smoke snippet above: they load
 * without any optional peer dependency installed (the test client's
 * `responseFor` needs no SSE parser).
 */
export const subpaths: Record<string, string[]> = {
  '@plinth/node': ['@plinth/node/testing'],
  '@plinth/body-writer': ['@plinth/body-writer/portable'],
};

/** A Node program that imports `name` as ESM and runs its smoke snippet. */
export function esmProgram(name: string): string {
  return `import * as M from '${name}';
if (Object.keys(M).length === 0) throw new Error('no exports');
${smokes[name] ?? ''}
console.log('ok ${name} esm');`;
}

/** A Node program that requires `name` as CJS and runs its smoke snippet. */
export function cjsProgram(name: string): string {
  return `const M = require('${name}');
(async () => {
  if (Object.keys(M).length === 0) throw new Error('no exports');
  ${smokes[name] ?? ''}
  console.log('ok ${name} cjs');
})().catch((e) => { console.error(e); process.exit(1); });`;
}
