import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = join(root, 'src');

/** Every .ts file under `dir`, recursively. */
function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Finds reads of the wall clock and direct timers in code (not in comments or strings): `Date.now`,
 * `setTimeout`, `setInterval`, whether called directly, through `globalThis`, or passed around.
 */
function clockUses(fileName: string, text: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && (node.text === 'setTimeout' || node.text === 'setInterval')) {
      found.push(`${node.text} at line ${line(file, node)}`);
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === 'now' &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'Date'
    ) {
      found.push(`Date.now at line ${line(file, node)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function line(file: ts.SourceFile, node: ts.Node): number {
  return file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
}

describe('time in src/', () => {
  it('the checker finds clock reads and timers, and ignores comments, strings and lookalike names', () => {
    const sample = [
      '// Date.now() and setTimeout() in a comment are fine',
      "const text = 'setInterval(tick, 10)';",
      'const resetTimeout = 5;',
      'const started = Date.now();',
      'globalThis.setTimeout(() => undefined, resetTimeout);',
      'const later = setInterval;',
    ].join('\n');
    expect(clockUses('sample.ts', sample)).toEqual([
      'Date.now at line 4',
      'setTimeout at line 5',
      'setInterval at line 6',
    ]);
  });

  it('no file reads Date.now() or calls setTimeout/setInterval: time goes through the scheduler', () => {
    const files = typeScriptFiles(sourceDir);
    expect(files.map((file) => relative(sourceDir, file))).toEqual(
      expect.arrayContaining(['Breaker.ts', 'protect.ts', join('core', 'stateMachine.ts')]),
    );
    const offences = files.flatMap((file) =>
      clockUses(file, readFileSync(file, 'utf8')).map((use) => `${relative(root, file)}: ${use}`),
    );
    expect(offences).toEqual([]);
  });

  it('nor does any file contain the text Date.now(, setTimeout( or setInterval( at all', () => {
    const pattern = /\bDate\.now\(|\bsetTimeout\(|\bsetInterval\(/;
    const offending = typeScriptFiles(sourceDir).filter((file) =>
      pattern.test(readFileSync(file, 'utf8')),
    );
    expect(offending.map((file) => relative(root, file))).toEqual([]);
  });
});
