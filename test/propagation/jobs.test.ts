import { describe, expect, it } from 'vitest';
import type { ChannelAdapter, PushItem } from '../../companion/src/channels/port';
import { channelConcurrency, defaultSyncSettings } from '../../companion/src/propagation/settings';
import { ev, useFixtures } from './helpers';

describe('job deduplication modes', () => {
  const openFixture = useFixtures();

  const run = async (slots: number) => {
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 5 } });
    const fake = fx.fakes[0]!;
    const skus = Array.from({ length: 40 }, (_, i) => `J-${i}`);
    fake.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await fx.start({ settings: { slots } });
    await fx.ledger.applyBatch(skus.map((s, i) => ev.received(s, i + 1)));
    await fx.settled();
    expect(skus.map((s) => fake.quantities()[s])).toEqual(skus.map((_, i) => i + 1));
    // Batches stay within the channel's limit: 40 SKUs need at least 8 calls of 5.
    expect(fake.stats().writeCalls).toBeGreaterThanOrEqual(8);
    return fake.stats().writeCalls;
  };

  it('drains eight batches through a single job slot by chaining follow-up jobs', async () => {
    const calls = await run(1);
    expect(calls).toBeLessThanOrEqual(12);
  });

  it('also works with one job per SKU (slots = 0)', async () => {
    await run(0);
  });
});

describe('a job drains what changed during its push', () => {
  const openFixture = useFixtures();

  it('pushes the newer value in its next round, not through a new job', async () => {
    const fx = await openFixture({ channels: ['fake-a'], faults: { slowWrites: { calls: 1, ms: 400 } } });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'D-1', quantity: 0 }]);
    // The real adapter, watched: every item it is asked to push, with its idempotency key
    // (which ends in the id of the job that pushed it).
    const pushed: PushItem[] = [];
    const real = fx.adapters[0]!;
    const watched: ChannelAdapter = Object.assign(Object.create(real) as ChannelAdapter, {
      push: (items: PushItem[]) => {
        pushed.push(...items);
        return real.push(items);
      },
    });
    await fx.start({ adapters: [watched] });
    await fx.ledger.applyBatch([ev.received('D-1', 5)]);
    // The first push is slow (400 ms); the SKU changes while it is in flight.
    await expect.poll(() => pushed.length, { timeout: 5000, interval: 10 }).toBe(1);
    await fx.ledger.applyBatch([ev.received('D-1', 3)]);
    await fx.settled();
    expect(fake.quantities()['D-1']).toBe(8);
    expect(pushed.map((i) => i.quantity)).toEqual([5, 8]);
    const jobOf = (i: PushItem) => i.idempotencyKey.slice(i.idempotencyKey.lastIndexOf(':j') + 2);
    expect(jobOf(pushed[1]!)).toBe(jobOf(pushed[0]!));
  });
});

describe('job slots per channel (channelConcurrency)', () => {
  const s = defaultSyncSettings('q'); // 40 SKUs in flight, at most 4 slots

  it('gives a channel enough slots for 40 SKUs in flight at its batch size, at most 4', () => {
    expect(channelConcurrency(250, s)).toBe(1); // Shopify
    expect(channelConcurrency(50, s)).toBe(1); // Flipkart, limits off
    expect(channelConcurrency(20, s)).toBe(2); // Amazon, limits off
    expect(channelConcurrency(10, s)).toBe(4); // Flipkart at 8/s
    expect(channelConcurrency(2, s)).toBe(4); // Amazon at 5/s: capped
  });

  it('gives every tenant a slot, so a draining job of one never holds up another, still at most 4', () => {
    expect(channelConcurrency(250, s, 3)).toBe(3);
    expect(channelConcurrency(20, s, 1)).toBe(2);
    expect(channelConcurrency(250, s, 10)).toBe(4);
  });
});
