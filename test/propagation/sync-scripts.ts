/** Propagation's Lua scripts on a test Redis, for one channel ('ch') of the default tenant. */
import { createKeys } from '../../companion/src/ledger/keys';
import { loadSyncScripts } from '../../companion/src/propagation/scripts';
import { syncKeys } from '../../companion/src/propagation/sync-keys';
import { deadLettersKey } from '../../companion/src/propagation/dead-letters';
import { afterEach } from 'vitest';
import { createTestRedis, type TestRedis } from '../support/redis';

export const UNLIMITED = { requestsPerSecond: 1e6, burst: 1e6 };

export function syncScriptsOn(t: TestRedis) {
  const keys = createKeys({ prefix: t.prefix });
  const k = syncKeys(keys, 'default', 'ch');
  const s = loadSyncScripts(t.redis);
  const claimKeys = (token: string) => ({ dirty: k.dirty, leases: k.leases, owners: k.owners, claims: k.claims(token), acked: k.acked, own: k.own, rules: keys.propagation('default', 'rules'), bucket: k.bucket, pace: keys.propagation('default', 'pace'), dead: deadLettersKey(keys, 'default') });
  /** claim-10.lua as a job with this token calls it (the reply as the script layer returns it). */
  const claimAs = (token: string, o: { now: number; leaseMs: number; limit: number; preferred: string; rate?: { requestsPerSecond: number; burst: number }; topUp?: boolean }) =>
    s.claim(claimKeys(token), { token, now: o.now, leaseMs: o.leaseMs, limit: o.limit, preferred: o.preferred, channel: 'ch', skuPrefix: keys.sku('default', ''), rate: o.rate ?? UNLIMITED, topUp: o.topUp });
  return { keys, k, s, claimKeys, claimAs, redis: t.redis };
}

/**
 * For a describe block: `open()` gives a fresh test Redis with the scripts on it (syncScriptsOn);
 * it is removed after each test.
 */
export function useSyncScripts(): () => Promise<ReturnType<typeof syncScriptsOn>> {
  let t: TestRedis | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });
  return async () => syncScriptsOn((t = await createTestRedis()));
}
