// `npm start`: installs what is missing, starts a local Redis (AOF) unless STOCKLINE_REDIS_URL
// is set, then runs the companion (sandbox channels by default). Extra args go to the
// companion, e.g. `npm start -- --role worker`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDebianPackages, ensureNpmPackages, root, say } from './lib/system.mjs';
import { startLocalRedis } from './lib/redis.mjs';

ensureNpmPackages();
const env = { ...process.env };
if (!env.STOCKLINE_REDIS_URL) {
  ensureDebianPackages({ 'redis-server': 'redis-server' });
  const dataDir = env.STOCKLINE_DATA_DIR ?? join(root, '.data', 'redis');
  env.STOCKLINE_REDIS_URL = await startLocalRedis({ dataDir, port: Number(env.STOCKLINE_LOCAL_REDIS_PORT ?? 6390) });
}
say('starting the companion…');
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'companion/src/server.ts'), ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
