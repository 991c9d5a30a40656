import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** The library's public API, as `import ... from 'rxjs-circuit-breaker'` gives it. */
export type Library = typeof import('../src/index.js');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'temp', 'bench', 'lib');

/**
 * Compiles `src/` to plain ES2022 JavaScript, file by file as `tsc` does for `dist/esm`, and imports it.
 *
 * @remarks
 * The benchmark runs under tsx, and tsx compiles TypeScript with esbuild's `keepNames`, which wraps every
 * function a closure creates in a `__name()` call (an `Object.defineProperty`): the breaker creates several
 * closures per call, so measuring `src/` through tsx would add about a microsecond per call that no user
 * pays. Compiling here measures the code as it ships, always from the current sources, without touching
 * `dist/` (which `npm run build` owns).
 */
export function loadCompiledLibrary(): Promise<Library> {
  // Once per process: the Redis benchmark loads it too, and both must share one copy of the library.
  loading ??= compileAndImport();
  return loading;
}

let loading: Promise<Library> | undefined;

async function compileAndImport(): Promise<Library> {
  rmSync(outDir, { recursive: true, force: true });
  const srcDir = path.join(root, 'src');
  const entryPoints = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.includes('.spec.'))
    .map((file) => path.join(srcDir, file));
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    outbase: srcDir,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    tsconfig: path.join(root, 'tsconfig.build.json'),
    logLevel: 'error',
  });
  return (await import(pathToFileURL(path.join(outDir, 'index.js')).href)) as Library;
}
