import { afterEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../companion/src/ledger/keys';
import { loadSyncScripts } from '../../companion/src/propagation/scripts';
import { syncKeys } from '../../companion/src/propagation/sync-keys';
import { createTestRedis, type TestRedis } from '../support/redis';

describe('SKU leases (claim-4 / release-4 / reap-3 / record-1)', () => {
  let t: TestRedis | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  const setup = async () => {
    t = await createTestRedis();
    const k = syncKeys(createKeys({ prefix: t.prefix }), 'default', 'ch');
    const s = loadSyncScripts(t.redis);
    const lease = (token: string): [string, string, string, string] => [k.dirty, k.leases, k.owners, k.claims(token)];
    return { k, s, lease, redis: t.redis };
  };

  it('claims SKUs queued behind many that another job is pushing, instead of starving them', async () => {
    const { k, s, lease, redis } = await setup();
    const now = Date.now();
    const skus = Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    await redis.zadd(k.dirty, ...skus.flatMap((sku, i) => [i, sku]));
    // Job 1 takes the 30 oldest; they all change again while it pushes.
    const first = await s.claim(lease('1'), '1', now, 60_000, 30, '');
    expect(first.claimed).toHaveLength(30);
    await redis.zadd(k.dirty, ...skus.slice(0, 30).flatMap((sku, i) => [1000 + i, sku]));
    // Job 2 (batch of 2) must reach past the 30 leased ones.
    const second = await s.claim(lease('2'), '2', now, 60_000, 2, '');
    expect(second.claimed.map((c) => c.sku)).toEqual(['S30', 'S31']);
    expect(second.more).toBe(true);
  });

  it('hands a released SKU that changed meanwhile back as dirty with its first change time, and reaps expired leases', async () => {
    const { k, s, lease, redis } = await setup();
    await redis.zadd(k.dirty, 5, 'A', 6, 'B');
    const now = Date.now();
    const { claimed } = await s.claim(lease('1'), '1', now, 1000, 10, 'A');
    expect(claimed).toEqual([{ sku: 'A', since: 5 }, { sku: 'B', since: 6 }]);
    await redis.zadd(k.dirty, 'NX', 50, 'A');
    // A goes back for a retry (stale compare-and-set): its lag still counts from 5.
    expect(await s.release(lease('1'), '1', [{ sku: 'A', action: 'retry' }])).toEqual(['A']);
    expect(Number(await redis.zscore(k.dirty, 'A'))).toBe(5);
    // B's job died: after the lease expires the reaper returns it with its time.
    expect(await s.reap([k.dirty, k.leases, k.owners], now + 500, 100)).toEqual([]);
    expect(await s.reap([k.dirty, k.leases, k.owners], now + 1001, 100)).toEqual(['B']);
    expect(Number(await redis.zscore(k.dirty, 'B'))).toBe(6);
  });

  it('never records an older version over a newer acknowledgement', async () => {
    const { k, s } = await setup();
    expect(await s.record(k.acked, 1, [{ sku: 'X', quantity: 7, version: 9, mode: 'ack' }])).toEqual([true]);
    expect(await s.record(k.acked, 2, [{ sku: 'X', quantity: 9, version: 8, mode: 'ack' }])).toEqual([false]);
    expect(await s.record(k.acked, 3, [{ sku: 'X', quantity: 4, version: 9, mode: 'stale' }])).toEqual([true]);
    // A conflict keeps the acknowledged version and remembers the ledger version it was pushing.
    expect(JSON.parse((await t!.redis.hget(k.acked, 'X'))!)).toEqual({ q: 4, v: 9, at: 3, sv: 9 });
  });
});
