#!/usr/bin/env node
// Shows that the suite's key guards are real: for each mutant, a copy of a built
// package with one guard broken (or the test app swapped for a careless one) is
// run under the test file that guards it, which must then FAIL. Prints one line
// per mutant and exits non-zero if any mutant survived (its tests still passed) or
// no longer applies (the package changed: update the mutant).
//
//   pnpm --filter @plinth/reliability mutants [name…]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const out = join(pkg, 'test-artifacts', 'mutants');

/** @type {{ name: string, why: string, package?: string, find?: string, replace?: string, env?: Record<string, string>, test: string }[]} */
const MUTANTS = [
  {
    name: 'node-ignores-close',
    why: "@plinth/node no longer listens for the response's close: a client that leaves is never noticed",
    package: 'node',
    find: 'res.on("close", onResponseClose);',
    replace: '',
    env: { RELIABILITY_TRIALS: '30' },
    test: 'test/disconnect-h1.test.ts',
  },
  {
    name: 'node-pending-writes-hang',
    why: "@plinth/node's sink no longer rejects a pending write when the client leaves",
    package: 'node',
    find: 'cancel?.(reason);',
    replace: 'void cancel;',
    env: { RELIABILITY_TRIALS: '30' },
    test: 'test/disconnect-h1.test.ts',
  },
  {
    name: 'node-no-header-check',
    why: '@plinth/node no longer refuses CR/LF and other forbidden bytes in response header values',
    package: 'node',
    find: 'if (INVALID_VALUE.test(value)) {',
    replace: 'if (false) {',
    env: { RELIABILITY_FUZZ_RUNS: '100' },
    test: 'test/headers.test.ts',
  },
  {
    name: 'router-malformed-query-500',
    why: "@plinth/router lets decodeURIComponent's URIError through for a malformed query escape",
    package: 'router',
    find: 'return decodeURIComponent(spaced);\n  } catch (cause) {',
    replace: 'return decodeURIComponent(spaced);\n  } catch (cause) {\n    throw cause;',
    env: { RELIABILITY_FUZZ_RUNS: '100' },
    test: 'test/bad-input.test.ts',
  },
  {
    name: 'sse-no-injection-check',
    why: '@plinth/sse no longer refuses CR, LF or NUL in event names and ids',
    package: 'sse',
    find: 'const FORBIDDEN = /[\\r\\n\\0]/;',
    replace: 'const FORBIDDEN = /(?!)/;',
    env: { RELIABILITY_SSE_RUNS: '50' },
    test: 'test/sse.test.ts',
  },
  {
    name: 'body-writer-file-fd-leak',
    why: "@plinth/body-writer's file() no longer closes its descriptor after writing",
    package: 'body-writer',
    find: '      await handle.close().catch(() => {\n      });\n    }\n  }\n}',
    replace: '    }\n  }\n}',
    env: { RELIABILITY_TRIALS: '30' },
    test: 'test/disconnect-h1.test.ts',
  },
  {
    name: 'app-naive-file-resolver',
    why: 'the file route joins the root and the name without following symlinks or checking the result',
    env: { RELIABILITY_MUTANT: 'naive-files', RELIABILITY_FUZZ_RUNS: '50' },
    test: 'test/files.test.ts',
  },
];

const only = process.argv.slice(2);
const vitest = join(pkg, 'node_modules', '.bin', 'vitest');
let bad = 0;
for (const mutant of MUTANTS) {
  if (only.length > 0 && !only.includes(mutant.name)) continue;
  const env = { ...process.env, ...mutant.env };
  if (mutant.package !== undefined) {
    const packageDir = realpathSync(join(pkg, 'node_modules', '@plinth', mutant.package));
    const source = join(packageDir, 'dist', 'index.mjs');
    const code = readFileSync(source, 'utf8');
    const count = code.split(mutant.find).length - 1;
    if (count !== 1) {
      console.log(
        `STALE     ${mutant.name}: the guard was found ${count} times in @plinth/${mutant.package}'s dist (expected once); update the mutant`,
      );
      bad++;
      continue;
    }
    const dir = join(out, mutant.name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'index.mjs');
    // Without its source map comment: the map stays with the original.
    writeFileSync(
      file,
      code.replace(mutant.find, mutant.replace).replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'),
    );
    // The copy lives here, so its own dependencies are pointed at the package's.
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    const requireFromPackage = createRequire(join(packageDir, 'package.json'));
    const aliases = [`@plinth/${mutant.package}=${file}`];
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (!dep.startsWith('@plinth/')) aliases.push(`${dep}=${requireFromPackage.resolve(dep)}`);
    }
    env.RELIABILITY_ALIAS = aliases.join(',');
  }
  const started = Date.now();
  const run = spawnSync(vitest, ['run', '--config', 'vitest.config.mjs', mutant.test], {
    cwd: pkg,
    env,
    encoding: 'utf8',
    timeout: 600_000,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  // Without colours (ESC [ … m).
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.replace(
    new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'),
    '',
  );
  const summary = /Tests\s+(.*)/.exec(output)?.[1]?.trim() ?? 'no summary';
  const firstError = /(?:AssertionError|Error): (.*)/.exec(output)?.[1]?.slice(0, 160) ?? '';
  if (run.status !== 0 && !/failed/.test(summary)) {
    console.log(`ERROR     ${mutant.name}: ${mutant.test} did not run (${summary}): ${firstError}`);
    bad++;
  } else if (run.status === 0) {
    console.log(
      `SURVIVED  ${mutant.name}: ${mutant.test} still passes (${summary}) — ${mutant.why}`,
    );
    bad++;
  } else {
    console.log(
      `KILLED    ${mutant.name} (${mutant.why}): ${mutant.test} fails, ${summary}, ${seconds} s; first failure: ${firstError}`,
    );
  }
}
process.exit(bad === 0 ? 0 : 1);
