// Starts (or reuses) a private Redis with AOF persistence in a data folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import { say } from './system.mjs';

function ping(port) {
  const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'PONG';
}

/** The data folder of the Redis answering on `port`, or null when it will not say (CONFIG renamed). */
function servedDir(port) {
  const r = spawnSync('redis-cli', ['-p', String(port), 'config', 'get', 'dir'], { encoding: 'utf8' });
  const [key, dir] = r.stdout.trim().split('\n');
  return r.status === 0 && key === 'dir' && dir ? dir : null;
}

const sameDir = (a, b) => {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

export async function startLocalRedis({ dataDir, port, persistent = true }) {
  const url = `redis://127.0.0.1:${port}`;
  if (ping(port)) {
    // Reused only when it is this data folder's own Redis: another checkout's (or any other
    // program's) would silently share, or mix into, a different ledger.
    const dir = servedDir(port);
    if (dir === null) {
      say(`Redis already running on ${url}; it does not say where it keeps its data, so it is used as it is`);
    } else if (!sameDir(dir, dataDir)) {
      throw new Error(
        `port ${port} already has a Redis keeping its data in ${dir}, not in ${dataDir} (another Stockline checkout, or another program). ` +
          'Stop it, set STOCKLINE_LOCAL_REDIS_PORT to a free port, or set STOCKLINE_REDIS_URL to use that Redis on purpose.',
      );
    } else {
      say(`Redis already running on ${url} (data in ${dataDir})`);
    }
    return url;
  }
  mkdirSync(dataDir, { recursive: true });
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir,
    '--daemonize', 'yes', '--pidfile', `${dataDir}/redis.pid`, '--logfile', `${dataDir}/redis.log`,
    ...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no', '--save', '']),
  ];
  const r = spawnSync('redis-server', args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`redis-server failed to start on port ${port}`);
  for (let i = 0; i < 100 && !ping(port); i++) await new Promise((res) => setTimeout(res, 50));
  if (!ping(port)) throw new Error(`redis-server on port ${port} did not answer; see ${dataDir}/redis.log`);
  say(`Redis started on ${url} with AOF persistence in ${dataDir}`);
  return url;
}
