import { describe, expect, it } from 'vitest';
import type { ChannelAdapter } from '../../companion/src/channels/port';
import { ev, until, useFixtures } from './helpers';

describe('accepted-for-later pushes', () => {
  const openFixture = useFixtures();

  it('reads back a push the channel accepted but never applied, and pushes it again', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'A1', quantity: 0 }, { sku: 'A2', quantity: 0 }]);
    // Every write is ACCEPTED and lands 50 ms later, except the first one, which never lands.
    fake.setFaults({ acceptLater: { applyAfterMs: 50, dropFirst: 1 } });
    await fx.start({ settings: { verifyAfterMs: 300 } });
    await fx.ledger.apply(ev.received('A1', 6));
    await until(() => fake.stats().writeCalls === 1, 5000, 'the first (lost) push');
    await fx.ledger.apply(ev.received('A2', 4));
    await until(() => fake.quantities().A1 === 6 && fake.quantities().A2 === 4, 10_000, 'the lost value to be pushed again');
    // The lost one cost exactly one extra push; the applied one was verified, not re-sent.
    const a1 = fake.writes().filter((w) => w.sku === 'A1');
    const a2 = fake.writes().filter((w) => w.sku === 'A2');
    expect(a1).toHaveLength(1);
    expect(a2).toHaveLength(1);
    expect(fake.stats().writeCalls).toBe(3);
  });

  it('reads back only the last accepted push of a SKU, not the ones a newer push superseded', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'B1', quantity: 0 }]);
    fake.setFaults({ acceptLater: { applyAfterMs: 20, dropFirst: 0 } });
    // The real adapter, watched: which SKUs each read-back asks the channel for.
    const reads: string[][] = [];
    const real = fx.adapters[0]!;
    const watched: ChannelAdapter = Object.assign(Object.create(real) as ChannelAdapter, {
      read: (skus: string[]) => {
        reads.push([...skus]);
        return real.read(skus);
      },
    });
    await fx.start({ adapters: [watched], settings: { verifyAfterMs: 300 } });
    await fx.ledger.apply(ev.received('B1', 5));
    // Landed (20 ms after it was accepted) before the next change: that push's compare-and-set
    // must find it there, or it would meet a conflict this test is not about.
    await until(() => fake.quantities().B1 === 5, 5000, 'the first push to land');
    await fx.ledger.apply(ev.received('B1', 2));
    await until(() => fake.stats().writeCalls >= 2, 5000, 'the second push');
    await until(() => fake.quantities().B1 === 7, 5000, 'the second push to land');
    // Both pushes were accepted for later; each has a read-back job 300 ms after it. The first
    // one's value was superseded: only the second reads. Wait past both.
    await until(() => reads.length > 0, 5000, 'a read-back');
    await new Promise((r) => setTimeout(r, 600));
    expect(reads).toEqual([['B1']]);
  });

  it('queues one read-back per draining job, for the last value of each SKU, not one per push', async () => {
    const fx = await openFixture({ channels: ['fake-a'], faults: { slowWrites: { calls: 2, ms: 300 } } });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'C1', quantity: 0 }]);
    // Accepted for later, applied 1 ms later (before the next push's compare-and-set).
    fake.setFaults({ acceptLater: { applyAfterMs: 1, dropFirst: 0 } });
    // Read-backs far off: they stay queued (delayed) for the test to count. The slow pushes take
    // longer than the default drainMs; a job may drain for 5 s here.
    const rt = await fx.start({ settings: { verifyAfterMs: 60_000, drainMs: 5_000 } });
    await fx.ledger.apply(ev.received('C1', 5));
    // Each change arrives while the previous (slow) push is in flight: one job pushes all three in rounds.
    await until(() => fake.stats().writesInFlight === 1, 5000, 'the first push in flight');
    await fx.ledger.apply(ev.received('C1', 3));
    await until(() => fake.stats().writeCalls === 1 && fake.stats().writesInFlight === 1, 5000, 'the second push in flight');
    await fx.ledger.apply(ev.received('C1', 1));
    await until(() => fake.quantities().C1 === 9, 5000, 'the third push to land');
    const queue = rt.core.deps.queues.get('fake-a')!;
    // Settled but for the read-backs: nothing waiting or running.
    await until(async () => (await queue.getActiveCount()) + (await queue.getWaitingCount()) === 0, 5000, 'the jobs to end');
    const delayed = await queue.getDelayed();
    const verifies = delayed.filter((j) => j.name === 'verify');
    expect(fake.stats().writeCalls).toBe(3);
    expect(verifies.map((j) => j.data.verify)).toEqual([{ C1: 9 }]);
  });
});
