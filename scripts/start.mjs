// `npm start`: installs what is missing, builds the plugin's admin page when it is missing or
// stale, starts a local Redis (AOF) unless STOCKLINE_REDIS_URL is set, then runs the companion
// (sandbox channels by default). Extra args go to the
// companion, e.g. `npm start -- --role worker`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, ensureNpmPackages, root, say } from './lib/system.mjs';
import { startLocalRedis } from './lib/redis.mjs';
import { ensureAdminPageBuilt } from './lib/admin-build.mjs';

ensureNpmPackages();
ensureAdminPageBuilt();
const env = { ...process.env };
const dataDir = env.STOCKLINE_DATA_DIR ?? join(root, '.data');
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
say('starting the companion…');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'companion/src/server.ts'), ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
