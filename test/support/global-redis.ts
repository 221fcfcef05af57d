/**
 * Starts one private, throw-away Redis for the whole run (or uses STOCKLINE_TEST_REDIS_URL) and
 * hands its URL to the tests through `inject('redisUrl')`. Tests isolate themselves with a
 * random key prefix (test/support/redis.ts), so suites run in parallel on one server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

let child: ChildProcess | undefined;
let dir: string | undefined;

export default async function setup(project: TestProject) {
  const given = process.env.STOCKLINE_TEST_REDIS_URL;
  if (given) {
    project.provide('redisUrl', given);
    return;
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'stockline-test-redis-'));
  child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (err) {
      if (i > 100) throw new Error(`test Redis did not start on ${url}: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 50));
      probe.disconnect();
    }
  }
  probe.disconnect();
  process.env.STOCKLINE_TEST_REDIS_URL = url;
  project.provide('redisUrl', url);
  return async () => {
    child?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
