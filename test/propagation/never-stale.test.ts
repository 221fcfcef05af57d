import { describe, expect, it } from 'vitest';
import { syncKeys } from '../../companion/src/propagation/sync-keys';
import { ev, TENANT, until, useFixtures, versionsInOrder } from './helpers';

describe('never stale', () => {
  const openFixture = useFixtures();

  it('never lets a push computed from an older version land after a newer one when one of two workers is slow', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'S', quantity: 0 }, { sku: 'T', quantity: 0 }]);
    await fx.ledger.applyBatch([ev.received('S', 10), ev.received('T', 10)]);
    await fx.start();
    await fx.start();
    await fx.settled();
    expect(fake.quantities()).toEqual({ S: 10, T: 10 });

    // The next write call to the channel hangs 400 ms: whichever worker sends it is "the slow one".
    fake.setFaults({ slowWrites: { calls: 1, ms: 400 } });
    await fx.ledger.apply(ev.sale('S', 1));
    await until(() => fake.stats().writesInFlight === 1, 5000, 'the slow push to be in flight');
    // While it hangs, newer versions arrive, for S and for another SKU (whose job may batch S).
    await fx.ledger.apply(ev.sale('S', 1));
    await fx.ledger.apply(ev.sale('T', 1));
    await fx.ledger.apply(ev.sale('S', 1));
    await fx.settled();

    expect(fake.quantities()).toEqual({ S: 7, T: 9 });
    const s = fake.writes().filter((w) => w.sku === 'S');
    expect(versionsInOrder(s)).toBe(true);
    expect(s.at(-1)).toMatchObject({ quantity: 7 });
    const state = await fx.ledger.getStock(TENANT, 'S');
    expect(s.at(-1)!.version).toBe(state!.version);
  });

  it('refuses the slow worker’s late push by compare-and-set after its lease expired and another worker pushed a newer value', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'S', quantity: 0 }, { sku: 'T', quantity: 0 }]);
    await fx.ledger.applyBatch([ev.received('S', 10), ev.received('T', 10)]);
    // A lease far shorter than the slow call: only the channel's compare-and-set stands between
    // the late value and the newer one.
    const settings = { leaseMs: 100, reapEveryMs: 50 };
    await fx.start({ settings });
    await fx.start({ settings });
    await fx.settled();

    fake.setFaults({ slowWrites: { calls: 1, ms: 600 } });
    await fx.ledger.apply(ev.sale('S', 1));
    await until(() => fake.stats().writesInFlight === 1, 5000, 'the slow push to be in flight');
    const k = syncKeys(fx.keys, TENANT, 'fake-a');
    await until(async () => Number((await fx.t.redis.zscore(k.leases, 'S')) ?? 0) < Date.now(), 5000, 'the lease to expire');
    await fx.ledger.apply(ev.sale('S', 2));
    await fx.ledger.apply(ev.sale('T', 1));
    await until(() => fake.quantities().S === 7, 5000, 'the newer value to land first');
    await fx.settled();

    expect(fake.quantities()).toEqual({ S: 7, T: 9 });
    expect(fake.stats().staleRows).toBeGreaterThanOrEqual(1);
    expect(versionsInOrder(fake.writes())).toBe(true);
  });
  it('keeps a running push fenced with a lease shorter than the push: the job renews it while it runs', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'H', quantity: 0 }]);
    await fx.ledger.apply(ev.received('H', 10));
    const settings = { leaseMs: 600, leaseRenewMs: 150, reapEveryMs: 50 };
    await fx.start({ settings });
    await fx.start({ settings });
    await fx.settled();

    fake.setFaults({ slowWrites: { calls: 1, ms: 2000 } });
    await fx.ledger.apply(ev.sale('H', 1));
    await until(() => fake.stats().writesInFlight === 1, 5000, 'the slow push to be in flight');
    const k = syncKeys(fx.keys, TENANT, 'fake-a');
    // Three leases' time into the push, the lease is still ahead: renewed, not expired and reaped.
    let expired = false;
    for (let t0 = Date.now(); Date.now() - t0 < 1600 && fake.stats().writesInFlight === 1; ) {
      const lease = Number((await fx.t.redis.zscore(k.leases, 'H')) ?? 0);
      if (lease < Date.now()) expired = true;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(expired).toBe(false);
    await fx.ledger.apply(ev.sale('H', 2));
    await fx.settled();
    expect(fake.quantities().H).toBe(7);
    // Nothing else pushed H while the slow push held it: no compare-and-set had to refuse a late value.
    expect(fake.stats().staleRows).toBe(0);
    expect(versionsInOrder(fake.writes())).toBe(true);
  });
});
