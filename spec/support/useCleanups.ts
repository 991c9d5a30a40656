import { afterEach } from 'vitest';

/**
 * A list the spec file pushes clean-ups onto (closing clients, disposing breakers); they all run after each test.
 * Call it at the top level of the file.
 */
export function useCleanups(): (() => void)[] {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    cleanups.splice(0).forEach((cleanup) => cleanup());
  });
  return cleanups;
}
