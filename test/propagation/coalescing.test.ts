import { describe, expect, it } from 'vitest';
import { ev, lastAcks, startWithStock, useFixtures, versionsInOrder } from './helpers';

describe('coalescing', () => {
  const openFixture = useFixtures();

  it('delivers 1,000 sales of one SKU within ~100 ms to each channel in a handful of calls, ending at the right number', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    await startWithStock(fx, 'HOT', 5000);
    const before = fx.fakes.map((f) => f.stats().writeCalls);

    const sales = Array.from({ length: 1000 }, (_, i) => ev.sale('HOT', 1, ['woocommerce', 'shopify', 'amazon', 'flipkart'][i % 4]));
    const t0 = Date.now();
    // One pipelined batch: the whole burst lands as fast as the ledger applies it (~100 ms here).
    await fx.ledger.applyBatch(sales);
    const burstMs = Date.now() - t0;
    await fx.settled();

    for (const [i, f] of fx.fakes.entries()) {
      const calls = f.stats().writeCalls - before[i]!;
      console.log(`[coalescing] ${f.id}: 1000 sales in ${burstMs} ms → ${calls} push calls`);
      expect(f.quantities().HOT).toBe(4000);
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThanOrEqual(12);
      expect(versionsInOrder(f.writes())).toBe(true);
      expect((await lastAcks(fx, f.id)).get('HOT')?.quantity).toBe(4000);
    }
  });
});
