/**
 * `npm start` (scripts/start.mjs) around the companion: a relative STOCKLINE_DATA_DIR (the
 * README's own `.data`) starts its local Redis, and when whatever started the script goes away
 * without passing a signal on (a supervisor signalling npm's pid: npm does not forward it), the
 * companion stops instead of running on with nobody to stop it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/throwaway-redis.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

const answers = async (url: string) => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
};

async function until(pred: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    if (await pred()) return true;
  }
  return pred();
}

describe('npm start around the companion', () => {
  let wrapper: ChildProcess | undefined;
  let redisPort = 0;
  const relative = join('.data', `start-lifecycle-${process.pid}-${Date.now()}`);
  afterAll(() => {
    if (wrapper?.exitCode === null) wrapper.kill('SIGKILL');
    if (redisPort) spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']);
    rmSync(join(ROOT, relative), { recursive: true, force: true });
  });

  it('starts its Redis in a relative data folder, and stops the companion when its parent dies without a signal', async () => {
    redisPort = await freePort();
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      STOCKLINE_DATA_DIR: relative,
      STOCKLINE_LOCAL_REDIS_PORT: String(redisPort),
      STOCKLINE_PORT: String(port),
      STOCKLINE_SANDBOX: 'off',
      STOCKLINE_SECRET: 'lifecycle-secret-0123456789abcdef0123',
      STOCKLINE_ADMIN_TOKEN: 'lifecycle-token-0123456789abcdef0123',
      STOCKLINE_LOG_LEVEL: 'warn',
    };
    // A parent that is not the script itself (`; true` keeps bash from exec'ing node), as npm is.
    wrapper = spawn('bash', ['-c', 'node scripts/start.mjs; true'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    wrapper.stdout!.on('data', (c) => (out += String(c)));
    wrapper.stderr!.on('data', (c) => (out += String(c)));

    const healthz = `http://127.0.0.1:${port}/healthz`;
    expect(await until(() => answers(healthz), 60_000), out).toBe(true);
    // The data folder is the one under the checkout, made absolute for Redis.
    expect(existsSync(join(ROOT, relative, 'redis', 'redis.log'))).toBe(true);
    expect(out).toContain(`Redis started on redis://127.0.0.1:${redisPort} with AOF persistence in ${join(ROOT, relative, 'redis')}`);
    expect(out).toContain(`redis-cli -p ${redisPort} shutdown`);
    expect(out).toMatch(/to connect a WooCommerce store: .*wp-content\/plugins\/stockline.*STOCKLINE_COMPANION_URL/);

    wrapper.kill('SIGKILL'); // npm gone; the script is orphaned
    expect(await until(async () => !(await answers(healthz)), 15_000), 'the companion still answers after its parent died').toBe(true);
  }, 90_000);
});
