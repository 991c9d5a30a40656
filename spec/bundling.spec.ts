// The root entry point bundles for the browser with no polyfills and no unresolved import, whether or not the
// optional peer `@opentelemetry/api` can be resolved: with esbuild `--platform=browser` and with Rollup and
// @rollup/plugin-node-resolve at their defaults. Everything is bundled (rxjs too, nothing external), so a build
// that succeeds with no warning and an output that imports nothing proves every import resolved. "Without the
// API" is a resolver that refuses `@opentelemetry/*`, as if it were not installed. Run `npm run build` first.
import path from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';
import type { Plugin as RollupPlugin } from 'rollup';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const entry = path.join(root, 'dist/esm/index.js');
/** The optional peer's packages (`@opentelemetry/api` and any other of its scope). */
const isOptionalPeer = (specifier: string) => specifier.startsWith('@opentelemetry/');

/** What a bundle asked for and what it contains. */
interface Bundled {
  readonly requested: string[];
  readonly warnings: string[];
  readonly imports: string[];
  readonly code: string;
}

async function withEsbuild(apiResolvable: boolean): Promise<Bundled> {
  const requested: string[] = [];
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-requests',
        setup(build) {
          build.onResolve({ filter: /./ }, ({ path: specifier }) => {
            requested.push(specifier);
            if (!apiResolvable && isOptionalPeer(specifier)) {
              return { errors: [{ text: `${specifier} is not installed` }] };
            }
            return undefined;
          });
        },
      },
    ],
  });
  return {
    requested,
    warnings: result.warnings.map((warning) => warning.text),
    imports: Object.values(result.metafile.outputs).flatMap((output) =>
      output.imports.map((imported) => imported.path),
    ),
    code: result.outputFiles.map((file) => file.text).join('\n'),
  };
}

async function withRollup(apiResolvable: boolean): Promise<Bundled> {
  const requested: string[] = [];
  const warnings: string[] = [];
  const recordRequests: RollupPlugin = {
    name: 'record-requests',
    resolveId(specifier) {
      requested.push(specifier);
      if (!apiResolvable && isOptionalPeer(specifier)) {
        this.error(`${specifier} is not installed`);
      }
      return null;
    },
  };
  const bundle = await rollup({
    input: entry,
    plugins: [recordRequests, nodeResolve()],
    onwarn: (warning) => warnings.push(`${warning.code}: ${warning.message}`),
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  return {
    requested,
    warnings,
    imports: output.flatMap((chunk) =>
      chunk.type === 'chunk' ? [...chunk.imports, ...chunk.dynamicImports] : [],
    ),
    code: output.map((chunk) => (chunk.type === 'chunk' ? chunk.code : '')).join('\n'),
  };
}

describe.each([
  ['esbuild --platform=browser', withEsbuild],
  ['Rollup with node-resolve defaults', withRollup],
])('the root entry point bundled by %s', (_bundler, bundleWith) => {
  it.each([
    ['resolvable', true],
    ['not installed', false],
  ])('with @opentelemetry/api %s: no warning, no import left, no Node built-in', async (_, api) => {
    const bundled = await bundleWith(api);
    expect(bundled.warnings).toEqual([]);
    expect(bundled.imports).toEqual([]);
    expect(bundled.requested.filter((specifier) => isOptionalPeer(specifier))).toEqual([]);
    expect(bundled.requested.filter((specifier) => specifier.startsWith('node:'))).toEqual([]);
    expect(bundled.requested.filter((specifier) => /^@(angular|nestjs)\//.test(specifier))).toEqual(
      [],
    );
    expect(bundled.requested).toContain('rxjs');
    expect(bundled.code).not.toMatch(/\b(from|import|require)\s*\(?\s*['"](node:|@opentelemetry)/);
    expect(bundled.code).not.toMatch(/\brequire\s*\(/);
    expect(bundled.code).toContain('circuit_breaker.state_change');
  });
});
