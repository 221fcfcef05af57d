import { defineConfig } from 'vitest/config';

/**
 * A project that gets a real WordPress of its own (global-wordpress.ts picks the runtime by the
 * project's name); its files run one at a time, as they share that site.
 */
function wordpressProject(name: string, include: string[]) {
  return {
    test: {
      name,
      environment: 'node',
      include,
      globalSetup: ['test/support/global-redis.ts', 'test/support/global-wordpress.ts'],
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 240_000,
    },
  };
}

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
      // The plugin in a real WordPress on native PHP + MariaDB (test/support/global-wordpress.ts).
      wordpressProject('wordpress', ['test/plugin/**/*.test.ts', 'test/e2e/**/*.test.ts']),
      // The same plugin tests, a few of them, on wp-env's Playground runtime (WebAssembly PHP +
      // SQLite): activation the way an admin does it, and a checkout's events reaching the
      // companion. The Playground is ten times slower, so it runs a smoke set, not the suite.
      wordpressProject('wordpress-playground', ['test/plugin/activation.test.ts', 'test/plugin/order-events.test.ts']),
    ],
  },
});
