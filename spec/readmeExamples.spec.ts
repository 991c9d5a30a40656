// The documentation's test examples run here, as written: every ```ts block of README.md and docs/*.md whose first
// line names it `*.test.ts` (`// timeouts.test.ts: ...`) is written out as a module (the package's imports pointing
// at src) and imported inside a suite, so the tests it declares run as tests of this file.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { markdownDocuments, moduleSource, outFile, root } from './support/exampleModules.js';

/** Inside the repository, so that the examples resolve rxjs and rxjs-marbles from its node_modules. */
const outDir = path.join(root, 'temp', 'readme-examples');

const runnable = markdownDocuments().flatMap(({ examples }) =>
  examples.filter(({ name }) => name?.endsWith('.test.ts')),
);

it("finds the README's timeout and marble tests", () => {
  expect(runnable.map(({ name }) => name)).toEqual(
    expect.arrayContaining(['timeouts.test.ts', 'breaker.test.ts', 'breaker.marbles.test.ts']),
  );
});

for (const example of runnable) {
  describe(`${example.file}:${example.line} (${example.name})`, async () => {
    const file = outFile(example, outDir);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, moduleSource(example, file, new Set()));
    await import(pathToFileURL(file).href);
  });
}
