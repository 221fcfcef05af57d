import { describe, expect, it } from 'vitest';
import type { StockEvent } from '../../companion/src/schemas/events';
import { ev, TENANT, useFixtures } from './helpers';

const counted = (sku: string, set: number, reason: string) =>
  ({ id: `cnt-${sku}-${Math.random()}`, type: 'stock.adjusted', source: 'woocommerce', occurredAt: new Date().toISOString(), sku, set, reason }) as StockEvent;

describe('a catalogue import', () => {
  const openFixture = useFixtures();

  it('is marked bulk in the change feed (a count with another reason is not) and pushed behind a sale made during it', async () => {
    // One SKU per call, 10 calls/s: 40 imported counts take 4 s to push.
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 1, requestsPerSecond: 10, burst: 2 } });
    const fake = fx.fakes[0]!;
    const imported = Array.from({ length: 40 }, (_, i) => `IMP-${i}`);
    fake.seed([...imported, 'HOT', 'FIX'].map((sku) => ({ sku, quantity: 0 })));
    await fx.start();
    await fx.ledger.apply(ev.received('HOT', 10));
    await fx.settled(10_000);

    await fx.ledger.applyBatch(imported.map((s) => counted(s, 5, 'import')));
    await fx.ledger.apply(counted('FIX', 4, 'cycle count'));
    const feed = (await fx.t.redis.xrange(fx.keys.changes(TENANT), '-', '+')) as [string, string[]][];
    const bulkOf = (sku: string) => {
      const entry = feed.map(([, f]) => Object.fromEntries(f.reduce<string[][]>((a, v, i) => (i % 2 ? a : [...a, [v, f[i + 1]!]]), []))).find((f) => f.skus === JSON.stringify([sku]));
      return entry?.bulk ?? null;
    };
    expect(bulkOf('IMP-0')).toBe('1');
    expect(bulkOf('IMP-39')).toBe('1');
    expect(bulkOf('FIX')).toBeNull();
    expect(bulkOf('HOT')).toBeNull();

    await new Promise((r) => setTimeout(r, 300));
    await fx.ledger.apply(ev.sale('HOT', 3, 'amazon')); // a sale elsewhere while the import is pushed
    const t0 = Date.now();
    while ((fake.quantities().HOT !== 7 || fake.quantities().FIX !== 4) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    const pushedBefore = imported.filter((s) => fake.quantities()[s] === 5).length;
    console.log('[import] imported counts pushed before the sale and the count landed:', pushedBefore, 'of 40, after', Date.now() - t0, 'ms');
    // The sale and the person's count reached the channel while most imported counts still waited
    // (before bulk marking: all 40 first, ~4 s).
    expect(fake.quantities().HOT).toBe(7);
    expect(fake.quantities().FIX).toBe(4);
    expect(pushedBefore).toBeLessThan(20);
    // Nothing imported is left behind.
    await fx.settled(30_000);
    expect(imported.every((s) => fake.quantities()[s] === 5)).toBe(true);
  });
});
