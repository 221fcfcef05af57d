import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { claimSandboxes, SandboxesInUseError } from '../../companion/src/channels/sandbox-owner';
import { createTestRedis, type TestRedis } from '../support/redis';

/**
 * One process per Redis runs sandbox channels: two pushed half the changes each to their own
 * in-memory sandboxes and both showed ~half their SKUs wrong (acceptance: chaos pass 27).
 */
describe('the sandbox claim', () => {
  let t: TestRedis | undefined;
  afterEach(async () => {
    await t?.cleanup();
  });

  it('lets one process run sandboxes on a Redis; a second is refused with a sentence until the first lets go', async () => {
    t = await createTestRedis();
    const key = `${t.prefix}sandbox-owner`;
    const first = await claimSandboxes(t.redis, key);
    const second = claimSandboxes(t.redis, key);
    await expect(second).rejects.toBeInstanceOf(SandboxesInUseError);
    await expect(second).rejects.toThrow(`another Stockline process with sandbox channels (host ${hostname()}, pid ${process.pid}) uses this Redis`);
    await first.release();
    const third = await claimSandboxes(t.redis, key);
    await third.release();
  });

  it('takes over at once a claim left by a process that died on this host, and waits out one from another host', async () => {
    t = await createTestRedis();
    const key = `${t.prefix}sandbox-owner`;
    await t.redis.set(key, `${hostname()} 4194303 dead-token`, 'PX', 60_000); // no such pid
    const claim = await claimSandboxes(t.redis, key);
    await claim.release();
    await t.redis.set(key, 'another-host 1234 token', 'PX', 200);
    await expect(claimSandboxes(t.redis, key)).rejects.toThrow('(host another-host, pid 1234)');
    await new Promise((r) => setTimeout(r, 250));
    await (await claimSandboxes(t.redis, key)).release();
  });
});
