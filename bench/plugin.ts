/**
 * `npm run bench -- plugin`: what the plugin costs a store, measured in a real WordPress
 * (wp-env Playground runtime) with the real companion.
 *
 * 1. Order status change (pending → processing: WooCommerce reduces stock, Stockline writes
 *    order.confirmed to the outbox), timed inside PHP with hrtime around WC_Order::update_status,
 *    alternately with Stockline's hooks attached and detached. Delivery is excluded.
 * 2. Outbox drain rate: events pile up while the companion is down; when it is back, one drain
 *    sends them all (batches of 100) — events per second, timed inside PHP.
 *
 * Runtimes: `--runtime=php` (default: native PHP 8.2 + MariaDB from Debian, `php -S`, what a
 * store runs) or `--runtime=playground` (wp-env's WebAssembly PHP + SQLite, what the tests use;
 * several times slower per SQL statement). Prints a table and writes the runtime's figures into
 * bench/results/plugin.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { buildApp } from '../companion/src/app';
import { loadConfig } from '../companion/src/config';
import { createKeys } from '../companion/src/ledger/keys';
import { createLedger } from '../companion/src/ledger/ledger';
import { createLogger } from '../companion/src/logger';
import { startNativeWordPress, startWordPress } from '../scripts/lib/wordpress.mjs';
import { activatePlugin, login, rest, testApi, useWordPress } from '../test/support/wordpress';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const N = Number(process.env.BENCH_PLUGIN_ORDERS ?? 200);
const runtime = (process.argv.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length) ?? 'php') as 'php' | 'playground';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

async function main() {
  // What this benchmark needs beyond `npm run bench`'s own set-up (idempotent; apt-get only when missing).
  const system = (await import('../scripts/lib/system.mjs' as string)) as { ensureDebianPackages(checks: Record<string, string>): void };
  system.ensureDebianPackages({
    wordpress: '/usr/share/wordpress/wp-settings.php',
    ...(runtime === 'php'
      ? { 'php-cli': 'php', 'php-mysql': '/etc/php/8.2/mods-available/mysqli.ini', 'php-curl': '/etc/php/8.2/mods-available/curl.ini', 'mariadb-server': '/usr/sbin/mariadbd' }
      : {}),
  });
  const redisDir = mkdtempSync(join(tmpdir(), 'stockline-bench-redis-'));
  const redisPort = await freePort();
  const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  for (let i = 0; i < 200 && spawnSync('redis-cli', ['-p', String(redisPort), 'ping']).stdout?.toString().trim() !== 'PONG'; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await redis.ping();
  const secret = 'bench-secret-0123456789';
  const adminToken = 'bench-admin-0123456789';
  const config = loadConfig({ STOCKLINE_REDIS_URL: redisUrl, STOCKLINE_KEY_PREFIX: 'bench:', STOCKLINE_SECRET: secret, STOCKLINE_ADMIN_TOKEN: adminToken, STOCKLINE_LOG_LEVEL: 'warn' });
  const ledger = createLedger({ redis, keys: createKeys({ prefix: config.keyPrefix }), idempotencyTtlSeconds: config.idempotencyTtlSeconds });
  const companionPort = await freePort();
  const startCompanion = async () => {
    const app = await buildApp({ config, redis, ledger, logger: createLogger({ level: 'warn' }) });
    await app.listen({ port: companionPort, host: '127.0.0.1' });
    return app;
  };

  const testToken = 'bench-token';
  const wpPort = await freePort();
  const paths = { 'wp-content/plugins/stockline': join(root, 'plugin'), 'wp-content/mu-plugins': join(root, 'test', 'plugin', 'mu-plugins') };
  const wpConfig = { STOCKLINE_TEST_TOKEN: testToken, DISABLE_WP_CRON: true, WP_ACCESSIBLE_HOSTS: '127.0.0.1', WP_DEBUG: false, WP_DEBUG_DISPLAY: false };
  console.log(`[bench] starting WordPress (${runtime === 'php' ? 'native PHP + MariaDB' : 'wp-env, Playground runtime'})…`);
  const wp =
    runtime === 'php'
      ? await startNativeWordPress({ dir: join(root, '.data', 'wordpress', 'bench-php'), port: wpPort, links: paths, config: wpConfig })
      : await startWordPress({ dir: join(root, '.data', 'wordpress', 'bench'), port: wpPort, mappings: paths, config: wpConfig });
  useWordPress({ url: wp.url, user: 'admin', password: 'password', testToken, pluginFile: 'stockline/stockline.php' });
  let app = await startCompanion();
  try {
    const admin = await login();
    await activatePlugin(admin);
    await testApi('POST', 'reset');
    const saved = await rest('POST', 'stockline/v1/admin/settings', {
      session: admin,
      body: { companionUrl: `http://127.0.0.1:${companionPort}`, secret, adminToken, checkoutGuard: true },
    });
    if (saved.status !== 200) throw new Error(`settings: ${saved.status}`);
    const { id: productId } = await testApi<{ id: number }>('POST', 'products', { name: 'Bench mug', sku: 'BENCH-MUG', stock: 1_000_000 });

    // 1. Status changes while the companion is down (the outage for part 2).
    await app.close();
    const with_: number[] = [];
    const without: number[] = [];
    const queriesWith: number[] = [];
    const queriesWithout: number[] = [];
    for (let done = 0; done < N; ) {
      const n = Math.min(20, N - done); // small requests: a busy machine must not hit fetch's 5-minute header timeout
      const r = await testApi<{ with: number[]; without: number[]; queries: { with: number[]; without: number[] } }>('POST', 'bench/status-changes', { n, productId });
      with_.push(...r.with);
      without.push(...r.without);
      queriesWith.push(...r.queries.with);
      queriesWithout.push(...r.queries.without);
      done += n;
      process.stdout.write(`\r[bench] status changes: ${done}/${N}`);
    }
    process.stdout.write('\n');
    const pending = (await testApi('GET', 'state')).counts.pending as number;

    // 2. The companion returns: drain everything.
    app = await startCompanion();
    const drained = await testApi<{ delivered: number; ms: number; error: string | null }>('POST', 'drain', { force: true });
    const after = (await testApi('GET', 'state')).counts.pending as number;

    const stats = (v: number[]) => ({ median: round(percentile(v, 50)), p99: round(percentile(v, 99)), n: v.length });
    const w = stats(with_);
    const wo = stats(without);
    const result = {
      runtime: runtime === 'php' ? 'native PHP 8.2 (php -S) + MariaDB 10.11' : 'wp-env playground (PHP 8.2 WebAssembly, SQLite)',
      command: `npm run bench -- plugin --runtime=${runtime}`,
      statusChange: {
        withPluginMs: w,
        withoutPluginMs: wo,
        addedMedianMs: round(w.median - wo.median),
        addedP99Ms: round(w.p99 - wo.p99),
        // Consecutive changes alternate with and without the hooks: the difference per pair.
        addedPairedMs: stats(with_.map((v, i) => v - (without[i] ?? v))),
        // SQL statements per status change: a load-independent view of the same cost.
        addedQueriesMedian: percentile(queriesWith, 50) - percentile(queriesWithout, 50),
        targetMedianMs: 2,
      },
      drain: { events: drained.delivered, pendingBefore: pending, pendingAfter: after, ms: round(drained.ms, 1), eventsPerSecond: round((drained.delivered / drained.ms) * 1000, 1) },
      at: new Date().toISOString(),
    };
    console.table({
      'status change, with Stockline (ms)': { median: w.median, p99: w.p99, n: w.n },
      'status change, without (ms)': { median: wo.median, p99: wo.p99, n: wo.n },
      'added by Stockline (ms)': { median: result.statusChange.addedMedianMs, p99: result.statusChange.addedP99Ms, n: w.n },
      'added, per consecutive pair (ms)': result.statusChange.addedPairedMs,
      'SQL statements added': { median: result.statusChange.addedQueriesMedian, p99: percentile(queriesWith, 99) - percentile(queriesWithout, 99), n: w.n },
    });
    console.table({ 'outbox drain after outage': { events: drained.delivered, seconds: round(drained.ms / 1000, 2), 'events/s': result.drain.eventsPerSecond } });
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    const file = join(root, 'bench', 'results', 'plugin.json');
    const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    all[runtime] = result;
    writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
    console.log('[bench] wrote bench/results/plugin.json');
  } finally {
    await app.close().catch(() => undefined);
    await wp.stop();
    redis.disconnect();
    redisServer.kill('SIGTERM');
    rmSync(redisDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
