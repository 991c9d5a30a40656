import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts', 'src/**/*.spec.ts'],
    environment: 'node',
    // Redis- and child-process-backed specs can be slow on a loaded CI machine.
    testTimeout: 60_000,
    // Specs import describe/it/expect from 'vitest' explicitly.
    globals: false,
    pool: 'forks',
  },
});
