// A private, throw-away redis-server on a free loopback port for one test or benchmark run, and
// the removal of one run's keys by prefix. Used by the vitest global setup and the benchmarks
// (typed in throwaway-redis.d.mts); needs ioredis, so only import it once node_modules exists.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A port nothing listens on right now (the OS picks it; closed again before it is returned). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Starts redis-server in a fresh temporary folder and waits until it answers PING.
 * `persistent`: AOF with fsync every second, as `npm start` runs it (benchmarks measure that cost);
 * otherwise no persistence at all (tests). stop() ends the server and removes the folder.
 */
export async function startThrowawayRedis({ name = 'stockline', persistent = false } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `stockline-${name}-redis-`));
  const persistence = persistent ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // refused until the server is up; the loop below retries
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (err) {
      if (i > 100) throw new Error(`${name} Redis did not start on ${url}: ${String(err)}`);
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return {
    url,
    port,
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Removes every key under `prefix` (one test's or one benchmark's), in SCAN batches so Redis never blocks. */
export async function unlinkPrefix(redis, prefix) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}
