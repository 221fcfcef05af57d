import { afterEach, describe, expect, it } from 'vitest';
import { ev, fixture, type Fixture } from './helpers';

describe('job deduplication modes', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  const run = async (slots: number) => {
    fx = await fixture({ channels: ['fake-a'], limits: { batchSize: 5 } });
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
