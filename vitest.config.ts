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
        // The plugin in a real WordPress on native PHP + MariaDB (test/support/global-wordpress.ts).
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
      {
        // The same plugin tests, a few of them, on wp-env's Playground runtime (WebAssembly PHP +
        // SQLite): activation the way an admin does it, and a checkout's events reaching the
        // companion. The Playground is ten times slower, so it runs a smoke set, not the suite.
        test: {
          name: 'wordpress-playground',
          environment: 'node',
          include: ['test/plugin/activation.test.ts', 'test/plugin/order-events.test.ts'],
          globalSetup: ['test/support/global-redis.ts', 'test/support/global-wordpress.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
