/**
 * Starts one real WordPress per vitest project that needs one, with the plugin linked to
 * wp-content/plugins/stockline (not activated: the tests activate it the way an admin does) and
 * the test-only mu-plugins from test/plugin/mu-plugins (WooCommerce stand-ins + test routes).
 * Hands the URL, the admin login and the test-route token to the tests through
 * `inject('wordpress')`.
 *
 * Two runtimes, both Debian's WordPress core (shared/environment.md):
 * - `php` (the `wordpress` project's default): native PHP 8.2 + MariaDB from Debian, served by
 *   `php -S`. Production-like (WooCommerce runs on PHP and MySQL), and the whole plugin suite
 *   takes about a minute here where it took ten on the Playground.
 * - `playground` (the `wordpress-playground` project, a smoke run of a few files): wp-env's
 *   Playground runtime, PHP as WebAssembly + SQLite, no Docker — what `npx wp-env start
 *   --runtime=playground` gives a developer, so CI keeps proving the plugin runs there.
 * STOCKLINE_TEST_WP_RUNTIME=playground runs the `wordpress` project on the Playground as well.
 * STOCKLINE_TEST_WP_URL (+ STOCKLINE_TEST_WP_TOKEN) reuses a WordPress that is already running.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../scripts/lib/throwaway-redis.mjs';
import { startNativeWordPress, startWordPress } from '../../scripts/lib/wordpress.mjs';
import { login, useWordPress } from './wordpress';

export interface WordPressContext {
  url: string;
  user: string;
  password: string;
  /** Value of the X-Stockline-Test header the test-only routes require. */
  testToken: string;
  /** Plugin file relative to wp-content/plugins. */
  pluginFile: string;
  /** The admin's login cookie and REST nonce, logged in once for the whole run. */
  adminSession?: { cookie: string; nonce: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    wordpress: WordPressContext;
  }
}

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export default async function setup(project: TestProject) {
  const base = { user: 'admin', password: 'password', pluginFile: 'stockline/stockline.php' };
  const given = process.env.STOCKLINE_TEST_WP_URL;
  if (given) {
    const context = { ...base, url: given, testToken: process.env.STOCKLINE_TEST_WP_TOKEN ?? '' };
    useWordPress(context);
    project.provide('wordpress', { ...context, adminSession: await login() });
    return;
  }
  const testToken = randomBytes(16).toString('hex');
  const port = await freePort();
  const paths = {
    'wp-content/plugins/stockline': join(root, 'plugin'),
    'wp-content/mu-plugins': join(root, 'test', 'plugin', 'mu-plugins'),
  };
  const config = {
    STOCKLINE_TEST_TOKEN: testToken,
    // Tests run WP-Cron explicitly (GET /wp-cron.php) instead of on random page loads.
    DISABLE_WP_CRON: true,
    // The companion listens on 127.0.0.1; WP_HTTP_BLOCK_EXTERNAL (set for offline machines) only lets 'localhost' through.
    WP_ACCESSIBLE_HOSTS: '127.0.0.1',
    WP_DEBUG_DISPLAY: false,
  };
  const playground = project.name === 'wordpress-playground' || process.env.STOCKLINE_TEST_WP_RUNTIME === 'playground';
  // One folder per project: both projects' WordPresses run at the same time.
  const dir = join(root, '.data', 'wordpress', `test-run-${project.name}`);
  const wp = playground
    ? await startWordPress({ dir, port, mappings: paths, config, fresh: true })
    : await startNativeWordPress({ dir, port, links: paths, config });
  const context = { ...base, url: wp.url, testToken };
  useWordPress(context);
  project.provide('wordpress', { ...context, adminSession: await login() });
  return async () => {
    await wp.stop();
  };
}
