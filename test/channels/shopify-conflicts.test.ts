/**
 * Shopify applies an inventorySetQuantities batch all-or-nothing, so during a sale on Shopify
 * itself one stale row holds back the whole call. These tests pin what a conflict may cost.
 */
import { GraphQLError } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushOutcome } from '../../companion/src/channels/port';
import { CostBudget } from '../../companion/src/channels/shopify/cost-budget';
import { item, shopifyFixture, type ShopifyFixture } from './shopify-helpers';

let f: ShopifyFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const skus = (n: number) => Array.from({ length: n }, (_, i) => `S${String(i).padStart(3, '0')}`);
const summary = (out: PushOutcome[]) => out.map((o) => (o.status === 'failed' ? `failed:${o.error.kind}` : o.status));

describe('Shopify pushes under compare-and-set conflicts', () => {
  it('never fails the clean rows of a push while Shopify keeps selling other rows of it', async () => {
    const all = skus(20);
    const sales: string[] = [];
    // A shopper buys one unit of a row of each of our first eight mutations right before it
    // lands (a row not sold yet): every one of them meets a fresh conflict.
    f = await shopifyFixture({
      listings: all.map((sku) => ({ sku, quantity: 10 })),
      beforeSetQuantities: async (rows) => {
        const sku = rows.find((s) => s && !sales.includes(s));
        if (sales.length >= 8 || !sku) return;
        sales.push(sku);
        await f!.sandbox.placeOrder(sku, 1);
      },
    });
    await f.channel.adapter.resolve(all);
    const calls = f.sandbox.stats().calls;
    const out = await f.channel.adapter.push(all.map((sku) => item(sku, 8, 10)));
    // Sold rows show 9, above the target: lowered in the same push (compare-and-set on 9).
    expect(summary(out)).toEqual(all.map(() => 'ok'));
    expect(Object.values(f.sandbox.quantities())).toEqual(all.map(() => 8));
    expect(sales).toHaveLength(8);
    // Each refusal costs a retry and a read of its stale row: bounded, not a call per row.
    expect(f.sandbox.stats().calls - calls).toBeLessThanOrEqual(30);
  });

  it('settles one stale row among 250 with three calls: the refused batch, a read of that row, the clean rows again', async () => {
    const all = skus(250);
    f = await shopifyFixture({ listings: all.map((sku) => ({ sku, quantity: 10 })) });
    await f.channel.adapter.resolve(all);
    await f.sandbox.placeOrder('S007', 2); // Shopify shows 8 now; we believe 10
    const calls = f.sandbox.stats().calls;
    const out = await f.channel.adapter.push(all.map((sku) => item(sku, 9, 10)));
    expect(out[7]).toEqual({ sku: 'S007', status: 'stale', current: 8 });
    expect(out.filter((o) => o.status === 'ok')).toHaveLength(249);
    expect(f.sandbox.stats().calls - calls).toBe(3);
    expect(f.sandbox.quantities().S007).toBe(8);
    expect(f.sandbox.quantities().S008).toBe(9);
  });

  it('lowers a row Shopify shows above its target in the same push, comparing against the value it read', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    f.sandbox.seed([{ sku: 'A', quantity: 7 }]); // restocked on Shopify; we believe 5
    const out = await f.channel.adapter.push([item('A', 4, 5)]);
    expect(out).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
    expect(f.sandbox.quantities().A).toBe(4);
    const last = f.sandbox.adjustments().at(-1)!;
    expect(last.changes).toEqual([expect.objectContaining({ delta: -3, quantityAfterChange: 4 })]);
  });

  it('answers stale, and writes nothing, for a row Shopify shows below its target (a sale not heard of yet)', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }] });
    await f.sandbox.placeOrder('A', 3);
    const out = await f.channel.adapter.push([item('A', 4, 5), item('B', 4, 5)]);
    expect(out).toEqual([
      { sku: 'A', status: 'stale', current: 2 },
      { sku: 'B', status: 'ok', quantity: 4 },
    ]);
    expect(f.sandbox.quantities()).toEqual({ A: 2, B: 4 });
  });

  it('reports rows already applied as applied when a later call of the same push fails', async () => {
    let calls = 0;
    f = await shopifyFixture({
      listings: ['A', 'B', 'C', 'D'].map((sku) => ({ sku, quantity: 5 })),
      beforeSetQuantities: async (rows) => {
        calls++;
        // The retry (B, C, D, and A lowered) meets a sale of C; of the halves that follow, the one
        // carrying A meets an internal error at Shopify.
        if (calls === 2) await f!.sandbox.placeOrder('C', 1);
        if (calls > 2 && rows.includes('A')) throw new GraphQLError('Internal error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    });
    f.sandbox.seed([{ sku: 'A', quantity: 7 }]); // A was restocked on Shopify: refused, read, lowered
    const out = await f.channel.adapter.push(['A', 'B', 'C', 'D'].map((sku) => item(sku, 4, 5)));
    expect(summary(out)).toEqual(['failed:transient', 'ok', 'ok', 'failed:transient']);
    // B landed in the half that went through; C's sale left it at the target already.
    expect(f.sandbox.quantities()).toEqual({ A: 7, B: 4, C: 4, D: 5 });
  });
});

describe('Shopify cost budget', () => {
  it('makes concurrent pushes queue for points instead of drawing THROTTLED', async () => {
    // 60-point bucket restoring 50/s; twelve 10-point pushes at once need ~1.2 s of restore.
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }], costBucket: { max: 60, restoreRate: 50 } });
    await f.channel.adapter.resolve(['A']); // teaches the client the bucket
    const out = await Promise.all(Array.from({ length: 12 }, (_, i) => f!.channel.adapter.push([item('A', i)])));
    expect(out.map(([o]) => o!.status)).toEqual(Array(12).fill('ok'));
    expect(f.sandbox.stats().throttled).toBe(0);
  });

  it('keeps the lower of Shopify\'s figure and its own projection (calls still in flight are not in Shopify\'s answer)', () => {
    let now = 0;
    const b = new CostBudget(() => now);
    b.observe({ maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 100 }, 'push', 10);
    b.spend(300); // a read in flight
    b.spend(10); // a push in flight
    // The push's answer was priced before the read arrived: Shopify says 990.
    b.observe({ maximumAvailable: 1000, currentlyAvailable: 990, restoreRate: 100 }, 'push', 10);
    expect(b.available()).toBe(690);
    now += 1000;
    expect(b.available()).toBe(790);
    b.refund(300); // that read was throttled, not charged
    expect(b.available()).toBe(1000);
  });
});
