import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts', 'src/**/*.spec.ts'],
    environment: 'node',
    // Redis- and child-process-backed specs can be slow on a loaded CI machine, and so can their hooks (starting a
    // Redis cluster took up to 6 s here, against the default hook timeout of 10 s).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Specs import describe/it/expect from 'vitest' explicitly.
    globals: false,
    pool: 'forks',
  },
});
