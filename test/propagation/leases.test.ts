import { describe, expect, it } from 'vitest';
import { deadLetterId, deadLettersKey } from '../../companion/src/propagation/dead-letters';
import { UNLIMITED, useSyncScripts } from './sync-scripts';

describe('SKU leases (claim-10 / settle-6 / release-4 / reap-3 / record-1)', () => {
  const open = useSyncScripts();

  const setup = async () => {
    const fx = await open();
    const { k, claimAs } = fx;
    const lease = (token: string): [string, string, string, string] => [k.dirty, k.leases, k.owners, k.claims(token)];
    /** Leases only (no rate limit to speak of); throws if the bucket said wait. */
    const claim = async (token: string, now: number, leaseMs: number, limit: number, preferred: string, rate = UNLIMITED) => {
      const r = await claimAs(token, { now, leaseMs, limit, preferred, rate });
      if (!('claimed' in r)) throw new Error(`bucket empty for ${r.waitMs} ms`);
      return { claimed: r.claimed.map(({ sku, since }) => ({ sku, since })), more: r.more, prepaid: r.prepaid, rows: r.claimed };
    };
    return { ...fx, lease, claim };
  };

  it('claims SKUs queued behind many that another job is pushing, instead of starving them', async () => {
    const { k, claim, redis } = await setup();
    const now = Date.now();
    const skus = Array.from({ length: 40 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    await redis.zadd(k.dirty, ...skus.flatMap((sku, i) => [i, sku]));
    // Job 1 takes the 30 oldest; they all change again while it pushes.
    const first = await claim('1', now, 60_000, 30, '');
    expect(first.claimed).toHaveLength(30);
    await redis.zadd(k.dirty, ...skus.slice(0, 30).flatMap((sku, i) => [1000 + i, sku]));
    // Job 2 (batch of 2) must reach past the 30 leased ones.
    const second = await claim('2', now, 60_000, 2, '');
    expect(second.claimed.map((c) => c.sku)).toEqual(['S30', 'S31']);
    expect(second.more).toBe(true);
  });

  it('hands a released SKU that changed meanwhile back as dirty with its first change time, and reaps expired leases', async () => {
    const { k, s, lease, claim, redis } = await setup();
    await redis.zadd(k.dirty, 5, 'A', 6, 'B');
    const now = Date.now();
    const { claimed } = await claim('1', now, 1000, 10, 'A');
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

  it('reads, with the lease, the ledger state, the acknowledged value, own sales, rules and pace of each claimed SKU', async () => {
    const { k, claim, keys, redis } = await setup();
    await redis.hset(keys.sku('default', 'A'), 'onHand', 9, 'committed', 2, 'reserved', 1, 'version', 4, 'updatedAt', '2026-11-23T00:00:00.000Z');
    await redis.hset(k.acked, 'A', JSON.stringify({ q: 7, v: 3, at: 1 }));
    await redis.hset(k.own, 'A', 2);
    await redis.hset(keys.propagation('default', 'rules'), 'channel:ch', '{"buffer":1}', 'sku:ch:A', '{"maxShown":5}');
    await redis.hset(keys.propagation('default', 'pace'), 'A', '2.5000 1000', 'A\nch', '0.5000 1000', 'A\nother', '9.0000 1000');
    await redis.zadd(k.dirty, 1, 'A', 2, 'NEW');
    const { rows } = await claim('1', Date.now(), 1000, 10, '');
    expect(rows.map((r) => r.sku)).toEqual(['A', 'NEW']);
    expect(rows[0]!.row).toEqual(['9', '2', '1', '4', '2026-11-23T00:00:00.000Z', null, '{"q":7,"v":3,"at":1}', '2', null, '{"maxShown":5}', '2.5000 1000', '0.5000 1000', null]);
    expect(rows[1]!.row).toEqual(Array(13).fill(null));
  });

  it("reads each claimed SKU's dead letter on this channel, found by the id dead-letters.ts gives it", async () => {
    const { k, claim, keys, redis } = await setup();
    // base64url groups of 3 bytes: SKUs whose 'ch\n' + sku is 1, 2 and 0 bytes past a group, and multi-byte UTF-8.
    const skus = ['A', 'AB', 'ABC', 'shirt/red L', 'ü-tee', '雪-42', 'a:b?c=d&e'];
    const letter = (sku: string) => JSON.stringify({ id: deadLetterId('ch', sku), channel: 'ch', sku, code: 'not_found' });
    await redis.hset(deadLettersKey(keys, 'default'), ...skus.flatMap((sku) => [deadLetterId('ch', sku), letter(sku)]), deadLetterId('other', 'NONE'), '{}');
    await redis.zadd(k.dirty, ...skus.flatMap((sku, i) => [i, sku]), 99, 'NONE');
    const { rows } = await claim('1', Date.now(), 1000, 20, '');
    expect(Object.fromEntries(rows.map((r) => [r.sku, r.row[12]]))).toEqual({ ...Object.fromEntries(skus.map((sku) => [sku, letter(sku)])), NONE: null });
  });

  it('leases nothing while our rate limit is spent, and takes no token itself', async () => {
    const { k, s, claim, claimAs, redis } = await setup();
    const slow = { requestsPerSecond: 1, burst: 1 };
    await redis.zadd(k.dirty, 1, 'A');
    // The claim takes the one token for its push (the bucket's last: prepaid and tight).
    const first = await claim('1', Date.now(), 1000, 10, '', slow);
    expect(first.claimed).toEqual([{ sku: 'A', since: 1 }]);
    expect([first.prepaid, first.rows.length]).toEqual([true, 1]);
    await redis.zadd(k.dirty, 2, 'B');
    const tokensBefore = Number(await redis.hget(k.bucket, 'tokens'));
    const r = await claimAs('2', { now: Date.now(), leaseMs: 1000, limit: 10, preferred: 'B', rate: slow });
    expect(r.waitMs).toBeGreaterThan(500);
    expect('claimed' in r).toBe(false);
    // B is still dirty and unleased: the next push takes it with whatever else is dirty by then.
    expect(await redis.zscore(k.dirty, 'B')).toBe('2');
    expect(await redis.zscore(k.leases, 'B')).toBeNull();
    expect(Number(await redis.hget(k.bucket, 'tokens'))).toBeLessThanOrEqual(tokensBefore + 0.01);
  });

  it('takes the push token with the lease, and says when it was the last one', async () => {
    const { k, s, claim, claimAs, redis } = await setup();
    const tokens = async () => Number(await redis.hget(k.bucket, 'tokens'));
    const rate = { requestsPerSecond: 0.001, burst: 3 };
    const tight = async (token: string) => {
      const r = await claimAs(token, { now: Date.now(), leaseMs: 60_000, limit: 1, preferred: '', rate });
      return 'claimed' in r ? { prepaid: r.prepaid, tight: r.tight, skus: r.claimed.map((c) => c.sku) } : { waitMs: r.waitMs };
    };
    await redis.zadd(k.dirty, 1, 'A', 2, 'B', 3, 'C', 4, 'D');
    // 3 tokens: each claim takes one for its push; the third is the last (tight: fill, no drain).
    expect(await tight('1')).toEqual({ prepaid: true, tight: false, skus: ['A'] });
    expect(await tokens()).toBeCloseTo(2, 2);
    expect(await tight('2')).toEqual({ prepaid: true, tight: false, skus: ['B'] });
    expect(await tight('3')).toEqual({ prepaid: true, tight: true, skus: ['C'] });
    expect(await tokens()).toBeCloseTo(0, 2);
    // Jobs woken together now wait instead of leasing a batch only one of them could send.
    expect((await tight('4')).waitMs).toBeGreaterThan(0);
    expect(await redis.zscore(k.leases, 'D')).toBeNull();
    // A push that proved in sync gives its token back (cost -1), never above the burst.
    expect(await s.take(k.bucket, rate.requestsPerSecond, rate.burst, -1)).toBe(0);
    expect(await tokens()).toBeCloseTo(1, 2);
    // Nothing dirty: nothing leased, nothing taken.
    await redis.zrem(k.dirty, 'D');
    expect((await claim('5', Date.now(), 60_000, 1, '', rate)).prepaid).toBe(false);
    expect(await tokens()).toBeCloseTo(1, 2);
  });

  it('settles an answered push in one step: records, spends own sales, releases, and hands back what changed meanwhile', async () => {
    const { k, s, lease, claim, redis } = await setup();
    await redis.zadd(k.dirty, 1, 'A', 2, 'B', 3, 'C');
    await redis.hset(k.own, 'A', 3, 'B', 5);
    await claim('1', Date.now(), 60_000, 10, '');
    // A changes again while it is being pushed (the change-feed consumer marks it).
    await redis.zadd(k.dirty, 'NX', 40, 'A');
    const dirty = await s.settle([...lease('1'), k.acked, k.own], '1', 99, [
      { sku: 'A', action: 'done', record: { mode: 'ack', quantity: 6, version: 7 }, own: { op: 'incr', value: -2 } },
      { sku: 'B', action: 'retry', record: { mode: 'stale', quantity: 4, version: 8 }, own: { op: 'set', value: -1 } },
      { sku: 'C', action: 'done' },
    ]);
    expect(dirty.sort()).toEqual(['A', 'B']);
    expect(JSON.parse((await redis.hget(k.acked, 'A'))!)).toEqual({ q: 6, v: 7, at: 99, l: 1 });
    expect(JSON.parse((await redis.hget(k.acked, 'B'))!)).toEqual({ q: 4, v: -1, at: 99, sv: 8 });
    expect(await redis.hget(k.acked, 'C')).toBeNull();
    expect(await redis.hgetall(k.own)).toEqual({ A: '1', B: '-1' });
    // B goes back with its first change time; no lease is left.
    expect(await redis.zscore(k.dirty, 'B')).toBe('2');
    expect(await redis.zscore(k.dirty, 'C')).toBeNull();
    expect(await redis.zcard(k.leases)).toBe(0);
    // A job that no longer owns a lease releases nothing.
    await claim('2', Date.now(), 60_000, 10, 'A');
    expect(await s.settle([...lease('1'), k.acked, k.own], '1', 100, [{ sku: 'A', action: 'done' }])).toEqual([]);
    expect(await redis.zscore(k.leases, 'A')).not.toBeNull();
  });

  it('never records an older version over a newer acknowledgement', async () => {
    const { k, s, redis } = await setup();
    expect(await s.record(k.acked, 1, [{ sku: 'X', quantity: 7, version: 9, mode: 'ack' }])).toEqual([true]);
    expect(await s.record(k.acked, 2, [{ sku: 'X', quantity: 9, version: 8, mode: 'ack' }])).toEqual([false]);
    expect(await s.record(k.acked, 3, [{ sku: 'X', quantity: 4, version: 9, mode: 'stale' }])).toEqual([true]);
    // A conflict keeps the acknowledged version and remembers the ledger version it was pushing.
    expect(JSON.parse((await redis.hget(k.acked, 'X'))!)).toEqual({ q: 4, v: 9, at: 3, sv: 9 });
  });
});
