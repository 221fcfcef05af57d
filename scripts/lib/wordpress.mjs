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
 * @param {boolean} [opts.fresh]   start from a new install (the tests), not the site a previous run left
 * @returns {Promise<{ url: string, stop: () => Promise<void>, workDir: string }>}
 */
export async function startWordPress({ dir, port, mappings = {}, plugins = [], config = {}, quiet = true, fresh = false }) {
  const { core, version } = ensureWordPressCore();
  if (fresh) {
    // Playground keeps the site's SQLite database inside the core copy, so a site outlives its run:
    // hours later its overdue hourly cron events (WordPress' own) run first and can stop wp-cron.php
    // before anything else is due. `fresh` starts from a new install instead.
    rmSync(join(core, 'wp-content', 'database'), { recursive: true, force: true });
  }
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
 * The same WordPress on native PHP (php -S) and MariaDB from Debian — the fallback runtime of
 * shared/environment.md, used by the benchmark to measure what production-like PHP costs
 * (Playground's WebAssembly PHP and SQLite translation are several times slower).
 * Needs `php-cli php-mysql php-curl mariadb-server`. Everything lives in `dir`; nothing is
 * installed system-wide beyond those packages.
 * @param {{ dir: string, port: number, links?: Record<string, string>, config?: Record<string, unknown> }} opts
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startNativeWordPress({ dir, port, links = {}, config = {} }) {
  const { core } = ensureWordPressCore();
  rmSync(dir, { recursive: true, force: true });
  const site = join(dir, 'site');
  const data = join(dir, 'mysql');
  const sock = join(dir, 'mysql.sock');
  mkdirSync(data, { recursive: true });
  cpSync(core, site, { recursive: true });
  for (const [wpPath, target] of Object.entries(links)) {
    const at = join(site, wpPath);
    rmSync(at, { recursive: true, force: true });
    mkdirSync(dirname(at), { recursive: true });
    spawnSync('ln', ['-s', target, at]);
  }
  const must = (r, what) => {
    if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr?.toString() ?? ''}`);
  };
  // As root, MariaDB must be told to stay root (it refuses to run as root otherwise); as anyone
  // else, --user asks it to chown the data folder to that user, which only root may (a non-root
  // `npm test` failed: "Cannot change ownership of the database directories to the 'root' user").
  const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];
  must(spawnSync('mariadb-install-db', [`--datadir=${data}`, ...asUser, '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'pipe' }), 'mariadb-install-db');
  const db = spawn(existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd', [`--datadir=${data}`, `--socket=${sock}`, '--skip-networking', ...asUser, `--pid-file=${join(dir, 'mysql.pid')}`, '--innodb-flush-log-at-trx-commit=2'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 200 && spawnSync('mariadb', ['-S', sock, '-u', 'root', '-e', 'SELECT 1']).status !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  must(spawnSync('mariadb', ['-S', sock, '-u', 'root', '-e', 'CREATE DATABASE IF NOT EXISTS wordpress'], { stdio: 'pipe' }), 'CREATE DATABASE');
  const url = `http://127.0.0.1:${port}`;
  const consts = { DB_NAME: 'wordpress', DB_USER: 'root', DB_PASSWORD: '', DB_HOST: `localhost:${sock}`, WP_HOME: url, WP_SITEURL: url, WP_HTTP_BLOCK_EXTERNAL: true, AUTOMATIC_UPDATER_DISABLED: true, ...config };
  writeFileSync(
    join(site, 'wp-config.php'),
    `<?php\n${Object.entries(consts).map(([k, v]) => `define( '${k}', ${typeof v === 'string' ? `'${v.replace(/'/g, "\\'")}'` : JSON.stringify(v)} );`).join('\n')}\n` +
      `$table_prefix = 'wp_';\nforeach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as $k ) { define( $k, '${createHash('md5').update(dir).digest('hex')}' . $k ); }\n` +
      `if ( ! defined( 'ABSPATH' ) ) { define( 'ABSPATH', __DIR__ . '/' ); }\nrequire_once ABSPATH . 'wp-settings.php';\n`,
  );
  writeFileSync(
    join(dir, 'install.php'),
    `<?php\ndefine( 'WP_INSTALLING', true );\n$_SERVER['HTTP_HOST'] = '127.0.0.1:${port}';\nrequire '${site}/wp-load.php';\nrequire_once ABSPATH . 'wp-admin/includes/upgrade.php';\n` +
      `wp_install( 'Stockline', 'admin', 'admin@example.test', true, '', 'password' );\nupdate_option( 'permalink_structure', '/%postname%/' );\n`,
  );
  must(spawnSync('php', [join(dir, 'install.php')], { stdio: 'pipe' }), 'wp_install');
  writeFileSync(join(dir, 'router.php'), `<?php\n$f = __DIR__ . '/site' . parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );\nif ( is_file( $f ) ) { return false; }\n$_SERVER['SCRIPT_NAME'] = '/index.php';\nrequire __DIR__ . '/site/index.php';\n`);
  const server = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', site, join(dir, 'router.php')], {
    stdio: 'ignore',
    detached: true,
    env: { ...process.env, PHP_CLI_SERVER_WORKERS: '2' },
  });
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/wp-login.php`);
      if (r.status === 200) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      for (const p of [server, db]) {
        try {
          process.kill(-p.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}

/**
 * For people: the committed .wp-env.json (plugin + WooCommerce from wordpress.org) needs the
 * internet. Offline, this writes .wp-env.override.json pointing at the local core and leaving
 * WooCommerce out (the plugin then shows its "needs WooCommerce" notice), then runs
 * `wp-env start --runtime=playground` in the repository.
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
        JSON.stringify({ core, plugins: ['./plugin'] }, null, 2),
      );
      seedVersionCache(wpEnvHome, configFile, version);
    }
    await runWpEnv(['start', '--runtime=playground'], { cwd: root, wpEnvHome, quiet: false });
    // wp-env takes its port from WP_ENV_PORT over .wp-env.json (8888 by default).
    say(`WordPress is up with Stockline active: http://localhost:${process.env.WP_ENV_PORT ?? 8888}/wp-admin/ (admin / password)` +
      (offline ? '; offline, so without WooCommerce (STOCKLINE_WP_ONLINE=1 uses .wp-env.json as it is)' : '') + '.');
  } else if (cmd === 'stop') {
    await runWpEnv(['stop'], { cwd: root, wpEnvHome, quiet: false });
    // The override only exists for the offline start; left behind, it would change what a later
    // plain `npx wp-env start` mounts.
    rmSync(join(root, '.wp-env.override.json'), { force: true });
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
