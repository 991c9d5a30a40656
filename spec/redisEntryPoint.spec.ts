import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const sourceDir = fileURLToPath(new URL('../src/', import.meta.url));

/** Every module specifier a file imports or re-exports (types and dynamic imports included, comments not). */
function specifiers(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map((imported) => imported.fileName);
}

/** The files reachable from `entry` through relative imports, with every package they import. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of specifiers(file)) {
      if (specifier.startsWith('.'))
        visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(path.join(sourceDir, entry));
  return { files, packages };
}

describe('entry points', () => {
  it('keeps ioredis and the Redis store out of the root entry point', () => {
    const root = reachable('index.ts');

    expect(root.files.size).toBeGreaterThan(10);
    expect([...root.packages].filter((name) => name.includes('redis'))).toEqual([]);
    // Relative to src/, so that a checkout under a folder named "redis" does not match every file.
    const inRedis = (file: string) => path.relative(sourceDir, file).startsWith(`redis${path.sep}`);
    expect([...root.files].filter(inRedis)).toEqual([]);
  });

  it('lets the /redis entry point run without loading ioredis (the user passes the client)', () => {
    const redis = reachable('redis/index.ts');

    expect([...redis.files].some((file) => file.endsWith('RedisStateStore.ts'))).toBe(true);
    expect([...redis.packages].sort()).toEqual(['node:crypto', 'rxjs']);
  });
});
