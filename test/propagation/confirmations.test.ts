/**
 * Near a channel's rate limit every call counts. Two things keep its calls on the SKUs it shows
 * wrong: a change that is only the channel's own sale, made after our last push to it landed,
 * waits behind the others (mark-2.lua, includes/deferred.lua); and a batch whose SKUs proved in
 * sync is filled from the dirty set before its token is spent (worker.ts, claim-10.lua `topUp`).
 */
import { describe, expect, it } from 'vitest';
import { syncKeys } from '../../companion/src/propagation/sync-keys';
import { ev, TENANT, until, useFixtures } from './helpers';
import { UNLIMITED, useSyncScripts } from './sync-scripts';

describe('likely confirmations leave last (mark-2 / claim-10)', () => {
  const open = useSyncScripts();

  const setup = async () => {
    const { k, s, claimAs, redis } = await open();
    const claim = (token: string, now: number, limit: number, preferred: string, topUp = false, rate = UNLIMITED) =>
      claimAs(token, { now, leaseMs: 60_000, limit, preferred, rate, topUp });
    return { k, s, claim, redis };
  };

  it("defers only the channel's own sales made after a push it applied when it answered", async () => {
    const { k, s, claim, redis } = await setup();
    // A and C: synchronous acknowledgements at 1000 (l = 1); B: accepted for later (Amazon).
    await redis.hset(k.acked, 'A', JSON.stringify({ q: 5, v: 1, at: 1000, l: 1 }), 'B', JSON.stringify({ q: 5, v: 1, at: 1000 }), 'C', JSON.stringify({ q: 5, v: 1, at: 1000, l: 1 }));
    const fresh = await s.mark(
      { dirty: k.dirty, acked: k.acked },
      new Map([['A', 2000], ['B', 2000], ['C', 2000], ['D', 2100]]),
      // A sold after its push landed; B after an accepted (unapplied) push; C before its push answered.
      new Map([['A', 1500], ['B', 1500], ['C', 900]]),
    );
    expect(fresh.sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(await redis.zscore(k.dirty, 'A')).toBe('32000.5');
    expect(await redis.zscore(k.dirty, 'B')).toBe('2000');
    expect(await redis.zscore(k.dirty, 'C')).toBe('2000');
    expect(await redis.zscore(k.dirty, 'D')).toBe('2100');

    // A batch of 3 takes the others first, even with A as the job's own SKU; the lag of A
    // still counts from its change (2000), not from its deferred place.
    const first = await claim('1', 10_000, 3, 'A');
    expect('claimed' in first && first.claimed.map((c) => c.sku)).toEqual(['B', 'C', 'D']);
    const second = await claim('2', 10_000, 3, '');
    expect('claimed' in second && second.claimed.map((c) => [c.sku, c.since])).toEqual([['A', 2000]]);
  });

  it('moves a deferred SKU back in line when anything else changes it', async () => {
    const { k, s, claim, redis } = await setup();
    await redis.hset(k.acked, 'A', JSON.stringify({ q: 5, v: 1, at: 1000, l: 1 }));
    await s.mark({ dirty: k.dirty, acked: k.acked }, new Map([['A', 2000]]), new Map([['A', 1500]]));
    await s.mark({ dirty: k.dirty, acked: k.acked }, new Map([['B', 2400]]));
    // A sale elsewhere at 2500: the channel now shows A wrong; it goes by that change's time.
    expect(await s.mark({ dirty: k.dirty, acked: k.acked }, new Map([['A', 2500]]))).toEqual([]);
    expect(await redis.zscore(k.dirty, 'A')).toBe('2500');
    // A later own sale does not push it back again.
    await s.mark({ dirty: k.dirty, acked: k.acked }, new Map([['A', 2600]]), new Map([['A', 2550]]));
    expect(await redis.zscore(k.dirty, 'A')).toBe('2500');
    const r = await claim('1', 10_000, 2, '');
    expect('claimed' in r && r.claimed.map((c) => c.sku)).toEqual(['B', 'A']);
  });

  it('fills a claimed batch without looking at the bucket or taking a token', async () => {
    const { k, claim, redis } = await setup();
    const slow = { requestsPerSecond: 0.001, burst: 1 };
    await redis.zadd(k.dirty, 1, 'A', 2, 'B', 3, 'C');
    // The claim takes the bucket's one token for its push: the last one (tight).
    const first = await claim('1', Date.now(), 1, '', false, slow);
    expect('claimed' in first && [first.claimed.map((c) => c.sku), first.prepaid, first.tight]).toEqual([['A'], true, true]);
    // The bucket is empty now: a new claim waits, a fill of the same job's batch does not.
    const refused = await claim('2', Date.now(), 2, '', false, slow);
    expect(refused.waitMs).toBeGreaterThan(0);
    const fill = await claim('1', Date.now(), 2, '', true, slow);
    expect('claimed' in fill && fill.claimed.map((c) => c.sku)).toEqual(['B', 'C']);
    expect('claimed' in fill && fill.prepaid).toBe(false);
    expect(Number(await redis.hget(k.bucket, 'tokens'))).toBeLessThan(0.01);
  });
});

describe('a batch with SKUs in sync is filled before its call (worker)', () => {
  const openFixture = useFixtures();

  it('sends one full call where the in-sync SKUs would have left two half-empty ones', async () => {
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 10 } });
    const [fake] = fx.fakes;
    const skus = Array.from({ length: 15 }, (_, i) => `F-${String(i).padStart(2, '0')}`);
    fake!.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(skus.map((sku) => ev.received(sku, 10)));
    // Our limit at one call a second with a bucket of one: every claim takes the last token.
    let openAt = 0;
    const adapter = { ...fx.adapters[0]!, readyInMs: () => Math.max(0, openAt - Date.now()) };
    const rt = await fx.start({ adapters: [adapter], rateOverrides: { 'fake-a': { requestsPerSecond: 1, burst: 1 } } });
    await fx.settled();
    expect(Object.values(fake!.quantities())).toEqual(skus.map(() => 10));

    // While the channel waits: five SKUs dirty but in sync (a resync), then ten sales.
    openAt = Date.now() + 1500;
    await rt.core.resync(TENANT, { skus: skus.slice(0, 5) });
    await new Promise((r) => setTimeout(r, 20));
    for (const sku of skus.slice(5)) await fx.ledger.apply(ev.sale(sku, 1, 'woocommerce'));
    const before = fake!.stats().writeCalls;
    await fx.settled();

    const calls = fake!.stats().writeCalls - before;
    console.log(`[fill] 5 in-sync + 10 changed SKUs, batch of 10 → ${calls} call(s)`);
    expect(calls).toBe(1);
    for (const sku of skus.slice(5)) expect(fake!.quantities()[sku]).toBe(9);
    for (const sku of skus.slice(0, 5)) expect(fake!.quantities()[sku]).toBe(10);
  });
});

describe("a channel's own sale after our push landed (change feed → dirty set)", () => {
  const openFixture = useFixtures();

  it('is marked to leave last on that channel only, and is still pushed', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    fx.fakes.forEach((f) => f.seed([{ sku: 'X', quantity: 0 }, { sku: 'Y', quantity: 0 }]));
    await fx.ledger.applyBatch([ev.received('X', 10), ev.received('Y', 10)]);
    let openAt = 0;
    const adapters = fx.adapters.map((a) => ({ ...a, readyInMs: () => Math.max(0, openAt - Date.now()) }));
    await fx.start({ adapters });
    await fx.settled();

    openAt = Date.now() + 1500;
    await fx.ledger.apply(ev.sale('X', 1, 'fake-a'));
    await fx.ledger.apply(ev.sale('Y', 1, 'woocommerce'));
    const a = syncKeys(fx.keys, TENANT, 'fake-a');
    const b = syncKeys(fx.keys, TENANT, 'fake-b');
    await until(async () => (await fx.t.redis.zcard(a.dirty)) === 2 && (await fx.t.redis.zcard(b.dirty)) === 2, 1000, 'both sales marked');
    const score = async (key: string, sku: string) => Number(await fx.t.redis.zscore(key, sku));
    expect((await score(a.dirty, 'X')) % 1).toBe(0.5);
    expect(await score(a.dirty, 'X')).toBeGreaterThan((await score(a.dirty, 'Y')) + 29_000);
    expect((await score(b.dirty, 'X')) % 1).toBe(0);
    expect((await score(a.dirty, 'Y')) % 1).toBe(0);

    await fx.settled();
    for (const f of fx.fakes) expect(f.quantities()).toEqual({ X: 9, Y: 9 });
  });
});
