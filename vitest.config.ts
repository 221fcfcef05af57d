import { defineConfig } from 'vitest/config';

// One project per kind of real dependency, so each suite starts only what it needs.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'companion',
          environment: 'node',
          include: ['test/{ledger,api,propagation,channels,system}/**/*.test.ts'],
          globalSetup: ['test/support/global-redis.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'admin-ui',
          environment: 'jsdom',
          include: ['test/admin-ui/**/*.test.{ts,tsx}'],
          setupFiles: ['test/admin-ui/support/setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'wordpress',
          environment: 'node',
          include: ['test/plugin/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-redis.ts', 'test/support/global-wordpress.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
