// The package must load and work when its optional peer `@opentelemetry/api` is not installed. This spec packs
// the built package (run `npm run build` first; `npm test` does), installs the tarball offline into a temporary
// project with rxjs only, and runs an ESM and a CommonJS script there, plus tsc on the declarations.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

let work: string;
let app: string;

/** Runs a command in the app without any path that could lead it to the repository's node_modules. */
async function inApp(command: string, args: string[]): Promise<string> {
  const { NODE_PATH: _ignored, ...env } = process.env;
  const { stdout } = await run(command, args, { cwd: app, env });
  return stdout.trim();
}

/** Trips a breaker, prints every state and error name, then the spans of a tracer of its own. */
const script = (load: string) => `${load}
const spans = [];
const tracer = {
  startSpan: (name, options) => {
    spans.push(name + ' ' + options.attributes['circuit_breaker.reason']);
    return { spanContext: () => ({ traceId: '', spanId: '', traceFlags: 0 }), isRecording: () => false,
      addEvent() {}, recordException() {}, end() {} };
  },
};
const seen = [];
const breaker = circuitBreaker({ name: 'no-otel', failMax: 2 });
breaker.state$.subscribe((state) => seen.push(state));
for (let i = 0; i < 3; i++) {
  breaker(throwError(() => new Error('down'))).subscribe({ error: (error) => seen.push(error.name) });
}
const traced = circuitBreaker({ name: 'own-tracer', tracer });
traced.open().then(() => console.log(JSON.stringify({ seen, state: breaker.state, spans })));
`;

beforeAll(async () => {
  for (const build of ['dist/esm/index.js', 'dist/cjs/index.js']) {
    if (!existsSync(path.join(root, build)))
      throw new Error(`${build} is missing: run npm run build`);
  }
  work = mkdtempSync(path.join(tmpdir(), 'rxjs-circuit-breaker-no-otel-'));
  app = path.join(work, 'app');
  const pack = ['pack', '--silent', '--ignore-scripts', '--pack-destination', work];
  const packages = [root, 'node_modules/rxjs', 'node_modules/tslib'].map((dir) =>
    path.resolve(root, dir),
  );
  await run('npm', [...pack, ...packages], { cwd: root });
  await run('mkdir', [app]);
  writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  const install = ['install', '--offline', '--cache', path.join(work, 'npm-cache')];
  const quiet = [
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--loglevel=error',
  ];
  const tarballs = ['rxjs-circuit-breaker-*.tgz', 'rxjs-7*.tgz', 'tslib-*.tgz'];
  await inApp('sh', [
    '-c',
    `npm ${[...install, ...quiet].join(' ')} ${tarballs.map((t) => `../${t}`).join(' ')}`,
  ]);
  writeFileSync(
    path.join(app, 'esm.mjs'),
    script(
      `import { throwError } from 'rxjs';\nimport { circuitBreaker } from 'rxjs-circuit-breaker';`,
    ),
  );
  writeFileSync(
    path.join(app, 'cjs.cjs'),
    script(
      `const { throwError } = require('rxjs');\nconst { circuitBreaker } = require('rxjs-circuit-breaker');`,
    ),
  );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const expected = {
  seen: ['closed', 'Error', 'open', 'CircuitBreakerError', 'CircuitBreakerError'],
  state: 'open',
  spans: ['circuit_breaker.state_change manual'],
};

describe('without @opentelemetry/api installed', () => {
  it('the temporary project really lacks it', async () => {
    await expect(inApp('node', ['-e', "require.resolve('@opentelemetry/api')"])).rejects.toThrow(
      /Cannot find module '@opentelemetry\/api'/,
    );
  });

  it('the ESM build loads, trips and rejects, and a tracer of your own still gets spans', async () => {
    expect(JSON.parse(await inApp('node', ['esm.mjs']))).toEqual(expected);
  });

  it('the CommonJS build does the same', async () => {
    expect(JSON.parse(await inApp('node', ['cjs.cjs']))).toEqual(expected);
  });

  it('the type declarations compile without it (skipLibCheck off)', async () => {
    const source = `import { circuitBreaker } from 'rxjs-circuit-breaker';
import type { MeterLike, TracerLike } from 'rxjs-circuit-breaker';
const tracer: TracerLike | false = false;
const meter: MeterLike | false = false;
export const breaker = circuitBreaker({ name: 'typed', tracer, meter });
`;
    writeFileSync(path.join(app, 'consumer.mts'), source);
    writeFileSync(path.join(app, 'consumer.cts'), source);
    const compilerOptions = {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: [],
    };
    const files = ['consumer.mts', 'consumer.cts'];
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
    await expect(inApp('node', [tsc, '-p', 'tsconfig.json'])).resolves.toBe('');
  });
});
