// The README's example runs as written, against the built package.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('examples/quick-start.mjs prints the three responses and the handler shorthand', async () => {
  const script = fileURLToPath(new URL('../examples/quick-start.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 15_000 });
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^\/alice -> 200 \(\d+\.\d\d ms\)$/);
  expect(lines[1]).toBe("{ status: 200, body: 'Hello, Alice!' }");
  expect(lines[2]).toMatch(/^\/alice -> 401 /);
  expect(lines[3]).toBe("{ status: 401, body: 'Who are you?' }");
  expect(lines[4]).toBe('  load-user failed in enter: no user bob');
  expect(lines[5]).toMatch(/^\/bob -> 500 /);
  expect(lines[6]).toBe("{ status: 500, body: 'Internal server error' }");
  expect(lines[7]).toBe("{ status: 200, body: 'You asked for /hello' }");
});
