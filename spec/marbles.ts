// spec/marbles.ts — rxjs-marbles has no vitest entry point
import { configure } from 'rxjs-marbles';
import { expect } from 'vitest';
export const { marbles } = configure({
  assertDeepEqual: (a, e) => expect(a).toStrictEqual(e),
  frameworkMatcher: true,
});
