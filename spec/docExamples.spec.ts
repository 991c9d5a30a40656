// Docs that match the code: every ```ts block of README.md, of docs/*.md and of the `@example` tags in src must
// compile.
//
// Each block is written to its own module under temp/doc-examples/ (imports of the package rewritten to src), and
// all of them are type-checked in one TypeScript program with the project's compiler options.
//
// - A block that is deliberately not standalone code is marked right before its fence:
//   `<!-- doc-example: skip (reason) -->`. Prefer making the block compile (imports, `declare const`).
// - A block whose first line is a file name comment (`// telemetry.ts: ...`) is written under that name, so a
//   later block of the same document can import it (`import './telemetry.js'`).
// - Any other relative import resolves from the documented file, as for the code next to it.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsdocExamples } from './support/docExamples.js';
import type { DocExample, FoundExamples } from './support/docExamples.js';
import { markdownDocuments, moduleSource, outFile, read, root } from './support/exampleModules.js';

/** Inside the repository, so that the examples resolve rxjs, ioredis, ... from its node_modules. */
const outDir = path.join(root, 'temp', 'doc-examples');

const documents: readonly (FoundExamples & { readonly file: string })[] = [
  ...markdownDocuments(),
  ...readdirSync(path.join(root, 'src'), { encoding: 'utf8', recursive: true })
    .map((entry) => path.posix.join('src', entry.split(path.sep).join('/')))
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => ({ file, ...tsdocExamples(file, read(file)) })),
].filter(({ examples, skipped }) => examples.length + skipped.length > 0);

/** The project's compiler options, without the unused-name checks: a snippet may declare what it doesn't use. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (error) throw new Error(format([error]));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath);
  if (parsed.errors.length > 0) throw new Error(format(parsed.errors));
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true };
}

function format(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (file) => file,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
}

/** A diagnostic of an example's module, located in the documented file. */
function located(example: DocExample, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) {
    return `${example.file}:${example.line}: TS${diagnostic.code}: ${message}`;
  }
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const code = example.lines[line]?.trim() ?? '';
  return `${example.file}:${example.line + line}: TS${diagnostic.code}: ${message}\n  > ${code}`;
}

describe('documentation examples compile', () => {
  const diagnostics = new Map<DocExample, string[]>();
  let programDiagnostics: string[] = [];

  beforeAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    const files = new Map<DocExample, string>();
    for (const document of documents) {
      const siblings = new Set(
        document.examples.flatMap((example) => (example.name ? [`./${example.name}`] : [])),
      );
      for (const example of document.examples) {
        const file = outFile(example, outDir);
        if ([...files.values()].includes(file)) {
          throw new Error(`${example.file}:${example.line}: another block is also ${example.name}`);
        }
        files.set(example, file);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, moduleSource(example, file, siblings));
      }
    }

    const program = ts.createProgram({
      rootNames: [...files.values()],
      options: compilerOptions(),
    });
    programDiagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
    ].map((diagnostic) => format([diagnostic]));
    for (const [example, file] of files) {
      const sourceFile = program.getSourceFile(file)!;
      diagnostics.set(
        example,
        [
          ...program.getSyntacticDiagnostics(sourceFile),
          ...program.getSemanticDiagnostics(sourceFile),
        ].map((diagnostic) => located(example, diagnostic)),
      );
    }
    // Type-checking every example (with Angular's, Nest's, Express's and Fastify's declarations) takes well over
    // the default 10 s on a loaded 2-core machine.
  }, 180_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('finds the examples, and every skip marker sits right before a ts block', () => {
    expect(documents.find(({ file }) => file === 'README.md')?.examples.length).toBeGreaterThan(0);
    expect(documents.some(({ file }) => file.startsWith('src/'))).toBe(true);
    for (const { file, skipped } of documents) {
      expect(read(file).split('doc-example:').length - 1, `skip markers in ${file}`).toBe(
        skipped.length,
      );
    }
  });

  it('type-checks them with the compiler options of tsconfig.json', () => {
    expect(programDiagnostics).toEqual([]);
  });

  for (const document of documents) {
    describe(document.file, () => {
      for (const example of document.examples) {
        it(`${example.file}:${example.line}${example.name ? ` (${example.name})` : ''}`, () => {
          expect(diagnostics.get(example)).toEqual([]);
        });
      }
      for (const { file, line, reason } of document.skipped) {
        it.skip(`${file}:${line}: ${reason}`, () => {});
      }
    });
  }
});
