// Turns the documentation's examples into modules of their own, as spec/docExamples.spec.ts type-checks them and
// spec/readmeExamples.spec.ts runs them: imports of the package rewritten to the sources they document.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownExamples } from './docExamples.js';
import type { DocExample, FoundExamples } from './docExamples.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package's entry points, as the examples import them, and the sources they are checked against. */
const entryPoints: ReadonlyMap<string, string> = new Map([
  ['rxjs-circuit-breaker', 'src/index.ts'],
  ['rxjs-circuit-breaker/redis', 'src/redis/index.ts'],
  ['rxjs-circuit-breaker/angular', 'src/angular/index.ts'],
  ['rxjs-circuit-breaker/nestjs', 'src/nestjs/index.ts'],
  ['rxjs-circuit-breaker/admin', 'src/admin/index.ts'],
]);

export function read(file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

/** The examples of README.md and of every Markdown file in docs/. */
export function markdownDocuments(): (FoundExamples & { readonly file: string })[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/${file}`);
  return ['README.md', ...docs].map((file) => ({ file, ...markdownExamples(file, read(file)) }));
}

/** Where an example is written under `outDir`: one directory per document, one module per block. */
export function outFile(example: DocExample, outDir: string): string {
  const document = example.file.replace(/\.\w+$/, '').replaceAll('/', '-');
  return path.join(outDir, document, example.name ?? `L${example.line}.ts`);
}

/** The example as a module of its own, its imports of the package and of src rewritten to paths from `file`. */
export function moduleSource(
  example: DocExample,
  file: string,
  siblings: ReadonlySet<string>,
): string {
  const target = (specifier: string): string => {
    const entryPoint = entryPoints.get(specifier);
    if (entryPoint !== undefined) return importPath(file, path.join(root, entryPoint));
    if (!specifier.startsWith('.') || siblings.has(specifier.replace(/\.js$/, '.ts'))) {
      return specifier;
    }
    return importPath(file, path.resolve(root, path.dirname(example.file), specifier));
  };
  const code = example.lines.map((line) =>
    line.replace(
      /(\bfrom\s+|\bimport\s*\(?\s*)(['"])([^'"]+)\2/g,
      (_match, lead: string, quote: string, specifier: string) =>
        `${lead}${quote}${target(specifier)}${quote}`,
    ),
  );
  // `export {}` makes the block a module even without imports, so top-level names don't clash across blocks.
  return [...code, 'export {};', ''].join('\n');
}

function importPath(from: string, to: string): string {
  const relative = path.relative(path.dirname(from), to).split(path.sep).join('/');
  return (relative.startsWith('.') ? relative : `./${relative}`).replace(/\.ts$/, '.js');
}
