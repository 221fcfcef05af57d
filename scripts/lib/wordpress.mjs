// Starts and stops a real WordPress with the Stockline plugin, through wp-env's Playground
// runtime (WordPress on PHP compiled to WebAssembly, SQLite; no Docker). Used by the vitest
// global setup, the plugin benchmark and by people trying the plugin offline:
//
//   node scripts/lib/wordpress.mjs start     # http://localhost:8888, admin / password
//   node scripts/lib/wordpress.mjs stop
//
// Offline, wp-env needs two things it would otherwise fetch from wordpress.org: a WordPress
// core (we copy Debian's `wordpress` package, links followed) and the "latest version" answer
// (we seed wp-env's per-project cache file). Both steps are idempotent.
import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { root, say } from './system.mjs';

const DEBIAN_CORE = '/usr/share/wordpress';
const wpEnvBin = join(root, 'node_modules', '.bin', 'wp-env');

/** Version of Debian's WordPress, read from its version.php. */
export function debianWordPressVersion() {
  const src = readFileSync(join(DEBIAN_CORE, 'wp-includes', 'version.php'), 'utf8');
  const m = /\$wp_version\s*=\s*'([^']+)'/.exec(src);
  if (!m) throw new Error(`cannot read the WordPress version from ${DEBIAN_CORE}`);
  return m[1];
}

/**
 * A private copy of Debian's WordPress core (symlinks followed, Debian's wp-config.php
 * dropped so Playground writes its own). Reused when already there.
 */
export function ensureWordPressCore(dataDir = join(root, '.data', 'wordpress')) {
  if (!existsSync(join(DEBIAN_CORE, 'wp-settings.php'))) {
    throw new Error(`WordPress core not found in ${DEBIAN_CORE}; install it with: apt-get install -y wordpress`);
  }
  const version = debianWordPressVersion();
  const core = join(dataDir, `core-${version}`);
  if (existsSync(join(core, 'wp-settings.php'))) return { core, version };
  say(`copying WordPress ${version} core from ${DEBIAN_CORE}…`);
  const tmp = `${core}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(core), { recursive: true });
  cpSync(DEBIAN_CORE, tmp, { recursive: true, dereference: true });
  rmSync(join(tmp, 'wp-config.php'), { force: true });
  rmSync(join(tmp, '.htaccess'), { force: true });
  // Rename last, so a copy cut short is never mistaken for a complete one.
  rmSync(core, { recursive: true, force: true });
  spawnSync('mv', [tmp, core]);
  return { core, version };
}

/** wp-env's per-project work folder for a config file (see @wordpress/env lib/config/load-config.js). */
function wpEnvWorkDir(wpEnvHome, configFile) {
  const abs = resolve(configFile);
  const hash = createHash('md5').update(abs).digest('hex');
  const legacy = join(wpEnvHome, hash);
  if (existsSync(legacy)) return legacy;
  const base = basename(abs, '.json');
  const variant = (base === '.wp-env' ? '' : base.startsWith('.wp-env.') ? base.slice(8) : base)
    .replace(/[^a-zA-Z0-9._]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return join(wpEnvHome, ['wp-env', basename(dirname(abs)), ...(variant ? [variant] : []), hash.slice(0, 8)].join('-'));
}

/** Tells wp-env the "latest" WordPress is the local one, so it never asks wordpress.org. */
function seedVersionCache(wpEnvHome, configFile, version) {
  const dir = wpEnvWorkDir(wpEnvHome, configFile);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'wp-env-cache.json');
  const cache = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (cache.latestWordPressVersion !== version) {
    cache.latestWordPressVersion = version;
    writeFileSync(file, JSON.stringify(cache));
  }
  return dir;
}

function runWpEnv(args, { cwd, wpEnvHome, quiet }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [wpEnvBin, ...args], {
      cwd,
      env: { ...process.env, WP_ENV_HOME: wpEnvHome, FORCE_COLOR: '0', CI: 'true' },
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`wp-env ${args[0]} failed (${code}):\n${out}`))));
  });
}

/**
 * Starts WordPress for a config written to `dir/.wp-env.json`.
 * @param {object} opts
 * @param {string} opts.dir          folder for the generated config (its name shows in wp-env's cache path)
 * @param {number} opts.port
 * @param {Record<string, string>} [opts.mappings]   WordPress path → absolute host path
 * @param {string[]} [opts.plugins]  absolute plugin folders to mount and activate
 * @param {Record<string, unknown>} [opts.config]    wp-config.php constants
 * @param {boolean} [opts.quiet]
 * @returns {Promise<{ url: string, stop: () => Promise<void>, workDir: string }>}
 */
export async function startWordPress({ dir, port, mappings = {}, plugins = [], config = {}, quiet = true }) {
  const { core, version } = ensureWordPressCore();
  const wpEnvHome = join(root, '.data', 'wordpress', 'wp-env-home');
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, '.wp-env.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        core,
        plugins,
        mappings,
        port,
        testsEnvironment: false,
        config: {
          // Offline machines: no calls to wordpress.org for updates or translations.
          WP_HTTP_BLOCK_EXTERNAL: true,
          AUTOMATIC_UPDATER_DISABLED: true,
          ...config,
        },
      },
      null,
      2,
    ),
  );
  const workDir = seedVersionCache(wpEnvHome, configFile, version);
  const args = ['--config', configFile];
  // A previous run killed mid-way may have left a server behind; stopping first is harmless.
  await runWpEnv(['stop', ...args], { cwd: dir, wpEnvHome, quiet: true }).catch(() => undefined);
  await runWpEnv(['start', '--runtime=playground', ...args], { cwd: dir, wpEnvHome, quiet });
  return {
    url: `http://127.0.0.1:${port}`,
    workDir,
    stop: () => runWpEnv(['stop', ...args], { cwd: dir, wpEnvHome, quiet: true }).then(() => undefined),
  };
}

/**
 * For people: the committed .wp-env.json (plugin + WooCommerce from wordpress.org) needs the
 * internet. Offline, this writes .wp-env.override.json pointing at the local core and leaving
 * WooCommerce out, then runs `wp-env start --runtime=playground` in the repository.
 */
async function cli(cmd) {
  const wpEnvHome = process.env.WP_ENV_HOME ?? join(process.env.HOME ?? root, '.wp-env');
  const configFile = join(root, '.wp-env.json');
  if (cmd === 'start') {
    const { core, version } = ensureWordPressCore();
    const offline = process.env.STOCKLINE_WP_ONLINE !== '1';
    if (offline) {
      writeFileSync(
        join(root, '.wp-env.override.json'),
        JSON.stringify({ core, plugins: [], mappings: { 'wp-content/plugins/stockline': './plugin' } }, null, 2),
      );
      seedVersionCache(wpEnvHome, configFile, version);
    }
    await runWpEnv(['start', '--runtime=playground'], { cwd: root, wpEnvHome, quiet: false });
    say('WordPress is up: http://localhost:8888/wp-admin/ (admin / password). Activate Stockline under Plugins.');
  } else if (cmd === 'stop') {
    await runWpEnv(['stop'], { cwd: root, wpEnvHome, quiet: false });
  } else {
    say('usage: node scripts/lib/wordpress.mjs start|stop');
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  cli(process.argv[2]).catch((err) => {
    say(String(err?.message ?? err));
    process.exit(1);
  });
}
