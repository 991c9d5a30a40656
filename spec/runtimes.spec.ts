// The same smoke test (spec/runtimes/smoke.ts) in every runtime RxJS users have, against the built package (run
// `npm run build` first; `npm test` does): Node in-process, Bun and Deno (their binaries come as npm packages)
// in child processes, and Debian's Chromium, where an esbuild bundle of the page also calls a flaky server on
// loopback with `fromFetch` through a breaker.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { expectedSmoke, smoke } from './runtimes/smoke.js';
import type { Library } from './runtimes/smoke.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const distEntry = path.join(root, 'dist/esm/index.js');
/** Inside the repository, so that Bun and Deno resolve rxjs from its node_modules. */
const outDir = path.join(root, 'temp', 'runtimes');
const bun = path.join(root, 'node_modules/@oven/bun-linux-x64/bin/bun');
const deno = path.join(root, 'node_modules/@deno/linux-x64-glibc/deno');

/**
 * A script that runs `main(library)` from `module` (a spec/runtimes file) with the built package, and prints
 * its result. For Bun and Deno, packages stay imports that the runtime resolves itself; for the browser,
 * everything is bundled.
 */
async function bundle(module: string, main: string, platform: 'neutral' | 'browser') {
  const outfile = path.join(outDir, `${main}.${platform}.mjs`);
  const result = await esbuild.build({
    stdin: {
      contents: [
        `import * as library from ${JSON.stringify(distEntry)};`,
        `import { ${main} } from './${module}';`,
        `const result = await ${main}(library);`,
        `console.log(JSON.stringify(result));`,
        `globalThis.result = result;`,
      ].join('\n'),
      resolveDir: path.join(root, 'spec/runtimes'),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform,
    ...(platform === 'neutral' ? { packages: 'external' as const, external: [distEntry] } : {}),
    mainFields: platform === 'browser' ? ['browser', 'module', 'main'] : undefined,
    outfile,
    logLevel: 'silent',
    write: true,
  });
  expect(result.warnings).toEqual([]);
  return outfile;
}

beforeAll(() => {
  mkdirSync(outDir, { recursive: true });
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the smoke test', () => {
  it('passes on Node, against the built package', async () => {
    const library = (await import(pathToFileURL(distEntry).href)) as Library;
    expect(await smoke(library)).toEqual(expectedSmoke);
  });

  it('passes on Bun', async () => {
    const script = await bundle('smoke.ts', 'smoke', 'neutral');
    const { stdout } = await run(bun, [script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(expectedSmoke);
  });

  it('passes on Deno, reading node_modules, with no network and no remote modules', async () => {
    const script = await bundle('smoke.ts', 'smoke', 'neutral');
    const { stdout } = await run(deno, ['run', '--no-remote', `--allow-read=${root}`, script], {
      cwd: root,
    });
    expect(JSON.parse(stdout)).toEqual(expectedSmoke);
  });
});

describe('@opentelemetry/api, loaded by the package itself', () => {
  const script = path.join(outDir, 'openTelemetryApi.mjs');
  beforeAll(() => {
    const module = JSON.stringify(path.join(root, 'dist/esm/telemetry/openTelemetryApi.js'));
    const code = `import { openTelemetryApi } from ${module};\nconsole.log(typeof openTelemetryApi()?.trace.getTracer);\n`;
    writeFileSync(script, code);
  });

  it.each([
    ['Bun', bun, [script]],
    ['Deno', deno, ['run', '--no-remote', `--allow-read=${root}`, script]],
  ])('is found on %s, as on Node', async (_runtime, binary, args) => {
    const { stdout } = await run(binary, args, { cwd: root });
    expect(stdout.trim()).toBe('function');
  });
});

describe('in headless Chromium', () => {
  let flakyHits = 0;
  const server = createServer((request, response) => {
    if (request.url === '/flaky') {
      flakyHits++;
      response.writeHead(flakyHits <= 2 ? 500 : 200).end(flakyHits <= 2 ? 'down' : 'up');
    } else if (request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(page);
    } else {
      const html = '<!doctype html><script type="module" src="/page.js"></script>';
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    }
  });
  let page = '';

  beforeAll(async () => {
    page = readFileSync(await bundle('browserPage.ts', 'runPage', 'browser'), 'utf8');
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  });

  afterAll(async () => {
    await new Promise((closed) => server.close(closed));
  });

  it('runs the smoke test, and a breaker over fromFetch opens, refuses without fetching, and closes', async () => {
    const { context: browser, close } = await launchChromium();
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const handle = await tab.waitForFunction(() => (globalThis as { result?: unknown }).result, {
        timeout: 60_000,
      });
      const result = (await handle.jsonValue()) as { smoke: unknown; fetch: unknown };
      expect(errors).toEqual([]);
      expect(result.smoke).toEqual(expectedSmoke);
      expect(result.fetch).toEqual({
        outcomes: [
          'Error: HTTP 500',
          'Failures threshold reached, circuit breaker opened',
          'Timeout not elapsed yet, circuit breaker still open',
          'up',
        ],
        transitions: [
          'closed -> open (failure_threshold)',
          'open -> half-open (reset_timeout)',
          'half-open -> closed (trial_success)',
        ],
        spans: ['failure_threshold', 'reset_timeout', 'trial_success'],
        calls: { failure: 2, rejected: 1, success: 1 },
      });
      expect(flakyHits).toBe(3);
    } finally {
      await close();
    }
  });
});
