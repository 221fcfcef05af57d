// Starts (or reuses) a private Redis with AOF persistence in a data folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { say } from './system.mjs';

function ping(port) {
  const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'PONG';
}

export async function startLocalRedis({ dataDir, port, persistent = true }) {
  const url = `redis://127.0.0.1:${port}`;
  if (ping(port)) {
    say(`Redis already running on ${url} (data in ${dataDir})`);
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
