// Builds the dual package:
//   dist/esm  ESM .js + .d.ts (+ .d.ts.map), emitted by tsc from tsconfig.build.json
//   dist/cjs  CommonJS .js transpiled file by file by esbuild (no bundling), the same
//             .d.ts files copied from dist/esm, and a package.json {"type":"commonjs"}
//             so that Node and TypeScript treat everything under dist/cjs as CommonJS.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = path.join(root, 'dist');
const esmDir = path.join(dist, 'esm');
const cjsDir = path.join(dist, 'cjs');
const srcDir = path.join(root, 'src');
const tsconfigBuild = path.join(root, 'tsconfig.build.json');

/** @param {string} message */
function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

// 1. Clean.
rmSync(dist, { recursive: true, force: true });

// 2. ESM + declarations with tsc.
console.log('build: tsc -p tsconfig.build.json -> dist/esm');
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfigBuild], {
    cwd: root,
    stdio: 'inherit',
  });
} catch {
  fail('tsc failed');
}

// 3. CommonJS with esbuild, one output per input: exactly the files tsc compiled.
const configFile = ts.readConfigFile(tsconfigBuild, (file) => ts.sys.readFile(file));
if (configFile.error) {
  fail(ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n'));
}
const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const entryPoints = parsed.fileNames.filter((file) => !file.endsWith('.d.ts'));
if (entryPoints.length === 0) {
  fail('no source files found under src/');
}

console.log(`build: esbuild (cjs, ${entryPoints.length} files) -> dist/cjs`);
const result = await esbuild.build({
  entryPoints,
  outdir: cjsDir,
  outbase: srcDir,
  bundle: false,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  tsconfig: tsconfigBuild,
  logLevel: 'warning',
});
// esbuild only warns when it meets `import.meta` in CJS output (it becomes `{}`); treat any
// warning as an error so a broken CJS build never ships.
if (result.errors.length > 0 || result.warnings.length > 0) {
  fail('esbuild reported warnings or errors (see above)');
}

// 4. Declarations for the CJS build: the same .d.ts (and .d.ts.map) files. The maps point at
//    ../../src/*.ts, which is the same relative path from dist/cjs as from dist/esm.
cpSync(esmDir, cjsDir, {
  recursive: true,
  filter: (source) => {
    return (
      statSync(source).isDirectory() || source.endsWith('.d.ts') || source.endsWith('.d.ts.map')
    );
  },
});
writeFileSync(path.join(cjsDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

// 5. Sanity check: each .js in dist/esm has a CJS twin.
/** @param {string} dir @returns {string[]} */
function jsFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .sort();
}
const esmFiles = jsFiles(esmDir);
const cjsFiles = jsFiles(cjsDir);
if (JSON.stringify(esmFiles) !== JSON.stringify(cjsFiles)) {
  fail(
    `dist/esm and dist/cjs differ:\n  esm: ${esmFiles.join(', ')}\n  cjs: ${cjsFiles.join(', ')}`,
  );
}
console.log(`build: done (${esmFiles.length} modules per format)`);
