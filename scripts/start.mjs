// `npm start`: installs what is missing, builds the plugin's admin page when it is missing or
// stale, starts a local Redis (AOF) unless STOCKLINE_REDIS_URL is set, then runs the companion
// (sandbox channels by default). Extra args go to the
// companion, e.g. `npm start -- --role worker`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDebianPackages, ensureNpmPackages, root, say } from './lib/system.mjs';
import { startLocalRedis } from './lib/redis.mjs';
import { ensureAdminPageBuilt } from './lib/admin-build.mjs';

ensureNpmPackages();
ensureAdminPageBuilt();
const env = { ...process.env };
// Absolute: Redis opens its log file relative to its --dir, so a relative folder (".data") was
// looked for inside itself and Redis refused to start.
const dataDir = resolve(root, env.STOCKLINE_DATA_DIR ?? '.data');
if (!env.STOCKLINE_REDIS_URL) {
  ensureDebianPackages({ 'redis-server': 'redis-server' });
  try {
    env.STOCKLINE_REDIS_URL = await startLocalRedis({ dataDir: join(dataDir, 'redis'), port: Number(env.STOCKLINE_LOCAL_REDIS_PORT ?? 6390) });
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
// A first run on a laptop has no secrets yet: make a signing secret and an admin token once,
// keep them in the data folder (not in git), and say where, so the plugin can be given them.
if (!env.STOCKLINE_SECRET || !env.STOCKLINE_ADMIN_TOKEN) {
  const file = join(dataDir, 'secrets.json');
  mkdirSync(dataDir, { recursive: true });
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  saved.STOCKLINE_SECRET ??= randomBytes(32).toString('hex');
  saved.STOCKLINE_ADMIN_TOKEN ??= randomBytes(32).toString('hex');
  writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  env.STOCKLINE_SECRET ??= saved.STOCKLINE_SECRET;
  env.STOCKLINE_ADMIN_TOKEN ??= saved.STOCKLINE_ADMIN_TOKEN;
  say(`using the signing secret and admin token in ${file} (set STOCKLINE_SECRET / STOCKLINE_ADMIN_TOKEN to choose your own)`);
}
const redisPort = Number(env.STOCKLINE_LOCAL_REDIS_PORT ?? 6390);
if (!process.env.STOCKLINE_REDIS_URL) {
  say(`Redis stays up after the companion stops, so the next start is quick; stop it with: redis-cli -p ${redisPort} shutdown`);
}
const apiUrl = `http://${env.STOCKLINE_HOST ?? '127.0.0.1'}:${env.STOCKLINE_PORT ?? 7400}`;
say(
  `to connect a WooCommerce store: copy or link ${join(root, 'plugin')} to its wp-content/plugins/stockline, activate it, and in ` +
    `WooCommerce → Stockline → Settings give it ${apiUrl}, the signing secret and the admin token (the STOCKLINE_SECRET and ` +
    `STOCKLINE_ADMIN_TOKEN above, or in ${join(dataDir, 'secrets.json')}) — or define STOCKLINE_COMPANION_URL, STOCKLINE_SECRET ` +
    'and STOCKLINE_ADMIN_TOKEN in its wp-config.php',
);
say('starting the companion…');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'companion/src/server.ts'), ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
// A supervisor that signals only npm's pid stops npm, not this script: npm does not pass the
// signal on, and the companion ran on with nobody to stop it. Orphaned (the parent is gone, so
// the parent pid changes), stop the companion as if signalled.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    say('the process that started this one has gone; stopping the companion');
    child.kill('SIGTERM');
  }
}, 1000).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
