/**
 * Starts one real WordPress for the `wordpress` vitest project (wp-env's Playground runtime:
 * PHP as WebAssembly + SQLite, no Docker), with the plugin mapped to wp-content/plugins/stockline
 * (not activated: the tests activate it the way an admin does) and the test-only mu-plugins from
 * test/plugin/mu-plugins (WooCommerce stand-ins + test routes). Hands the URL, the admin login
 * and the test-route token to the tests through `inject('wordpress')`.
 *
 * STOCKLINE_TEST_WP_URL (+ STOCKLINE_TEST_WP_TOKEN) reuses a WordPress that is already running.
 * STOCKLINE_TEST_WP_RUNTIME=php runs the same tests on native PHP + MariaDB from Debian (the
 * fallback runtime; much faster on a busy machine, needs php-cli php-mysql php-curl mariadb-server).
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
  const wp =
    process.env.STOCKLINE_TEST_WP_RUNTIME === 'php'
      ? await startNativeWordPress({ dir: join(root, '.data', 'wordpress', 'test-run-php'), port, links: paths, config })
      : await startWordPress({ dir: join(root, '.data', 'wordpress', 'test-run'), port, mappings: paths, config, fresh: true });
  const context = { ...base, url: wp.url, testToken };
  useWordPress(context);
  project.provide('wordpress', { ...context, adminSession: await login() });
  return async () => {
    await wp.stop();
  };
}
