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
  it('never fails the clean rows of a push while Shopify keeps selling other rows of it, and reads none of them', async () => {
    const all = skus(20);
    const sales: string[] = [];
    let mutations = 0;
    // A shopper buys one unit of a row of each of our mutations right before it lands (a row
    // not sold yet): every one of them meets a fresh conflict.
    f = await shopifyFixture({
      listings: all.map((sku) => ({ sku, quantity: 10 })),
      beforeSetQuantities: async (rows) => {
        mutations++;
        const sku = rows.find((s) => s && !sales.includes(s));
        if (!sku) return;
        sales.push(sku);
        await f!.sandbox.placeOrder(sku, 1);
      },
    });
    await f.channel.adapter.resolve(all);
    const before = f.sandbox.stats().calls;
    const out = await f.channel.adapter.push(all.map((sku) => item(sku, 8, 10)));
    // The first call was refused for one row of 20 (5%), so its 19 clean rows went again as four
    // parts of ≤ 5 (each ~25% likely to meet a new sale), and here each met one: the sold rows are
    // answered stale unread (their orders will reach the ledger), the rest unsent (pushed again
    // with fresh values). No part is resent again.
    expect(sales).toHaveLength(5);
    expect(summary(out)).toEqual(all.map((sku) => (sales.includes(sku) ? 'stale' : 'unsent')));
    expect(out.filter((o) => o.status === 'stale').map((o) => (o.status === 'stale' ? o.current : 0))).toEqual([null, null, null, null, null]);
    // Nothing written: no sale overwritten, and no row reported applied that was not.
    expect(f.sandbox.quantities()).toEqual(Object.fromEntries(all.map((sku) => [sku, sales.includes(sku) ? 9 : 10])));
    // Five calls, all mutations: no reads, and no chain of resends meeting sale after sale.
    expect(f.sandbox.stats().calls - before).toBe(5);
    expect(mutations).toBe(5);
  });

  it('settles one stale row among 250 with no read: the refused batch, then the clean rows again in parts of ~0.25 / 0.4% rows', async () => {
    const all = skus(250);
    f = await shopifyFixture({ listings: all.map((sku) => ({ sku, quantity: 10 })) });
    await f.channel.adapter.resolve(all);
    await f.sandbox.placeOrder('S007', 2); // Shopify shows 8 now; we believe 10
    const calls = f.sandbox.stats().calls;
    const out = await f.channel.adapter.push(all.map((sku) => item(sku, 9, 10)));
    expect(out[7]).toEqual({ sku: 'S007', status: 'stale', current: null });
    expect(out.filter((o) => o.status === 'ok')).toHaveLength(249);
    // 1 + ceil(249 / 63): the refused call and four resend parts.
    expect(f.sandbox.stats().calls - calls).toBe(5);
    expect(f.sandbox.quantities().S007).toBe(8);
    expect(f.sandbox.quantities().S008).toBe(9);
  });

  it('lowers a row Shopify shows above its target once the same compare is refused twice, comparing against the value it read', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    f.sandbox.seed([{ sku: 'A', quantity: 7 }]); // restocked on Shopify; we believe 5
    expect(await f.channel.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'stale', current: null }]);
    expect(f.sandbox.quantities().A).toBe(7);
    const out = await f.channel.adapter.push([item('A', 4, 5)]);
    expect(out).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
    expect(f.sandbox.quantities().A).toBe(4);
    const last = f.sandbox.adjustments().at(-1)!;
    expect(last.changes).toEqual([expect.objectContaining({ delta: -3, quantityAfterChange: 4 })]);
  });

  it('reads afresh after a compare went through: only a repeated refusal of the same compare is read', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    await f.sandbox.placeOrder('A', 1); // shows 4; we believe 5
    expect((await f.channel.adapter.push([item('A', 3, 5)]))[0]).toMatchObject({ status: 'stale', current: null });
    // The order reached the ledger: the next push compares against 4 and lands.
    expect((await f.channel.adapter.push([item('A', 3, 4)]))[0]).toMatchObject({ status: 'ok' });
    await f.sandbox.placeOrder('A', 1); // shows 2; we believe 3
    expect((await f.channel.adapter.push([item('A', 1, 3)]))[0]).toMatchObject({ status: 'stale', current: null });
    await f.sandbox.placeOrder('A', 1); // shows 1; the ledger heard of the first sale only: we believe 2
    expect((await f.channel.adapter.push([item('A', 1, 2)]))[0]).toMatchObject({ status: 'stale', current: null });
    expect(f.sandbox.quantities().A).toBe(1);
  });

  it('answers stale, and writes nothing, for a row Shopify shows below its target (a sale not heard of yet)', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }] });
    await f.sandbox.placeOrder('A', 3);
    const out = await f.channel.adapter.push([item('A', 4, 5), item('B', 4, 5)]);
    expect(out).toEqual([
      { sku: 'A', status: 'stale', current: null },
      { sku: 'B', status: 'ok', quantity: 4 },
    ]);
    expect(await f.channel.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'stale', current: 2 }]);
    expect(f.sandbox.quantities()).toEqual({ A: 2, B: 4 });
  });

  it('reports the rows of a resend that fails as failed, nothing else', async () => {
    let armed = false;
    let calls = 0;
    f = await shopifyFixture({
      listings: ['A', 'B', 'C'].map((sku) => ({ sku, quantity: 5 })),
      beforeSetQuantities: async () => {
        if (!armed) return;
        calls++;
        // The resend of the clean row (B) meets an internal error at Shopify; A, read and
        // lowered, goes in a call of its own after it.
        if (calls === 2) throw new GraphQLError('Internal error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    });
    f.sandbox.seed([{ sku: 'A', quantity: 7 }, { sku: 'C', quantity: 3 }]); // restocked (A) and sold (C) on Shopify
    expect((await f.channel.adapter.push([item('A', 4, 5)]))[0]).toMatchObject({ status: 'stale', current: null });
    armed = true;
    // A is refused again (read, to be lowered), C for the first time (unread).
    const out = await f.channel.adapter.push(['A', 'B', 'C'].map((sku) => item(sku, 4, 5)));
    expect(summary(out)).toEqual(['ok', 'failed:transient', 'stale']);
    expect(f.sandbox.quantities()).toEqual({ A: 4, B: 5, C: 3 });
  });

  it('hands rows back unsent instead of resending them after a long wait for the budget', { timeout: 15_000 }, async () => {
    // 15-point bucket restoring 5/s: after the refused call (10 points), the resend would wait ~1 s for points.
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }], costBucket: { max: 15, restoreRate: 5 } });
    await f.channel.adapter.resolve(['A', 'B']);
    await new Promise((r) => setTimeout(r, 3100)); // the bucket full again after the lookup
    await f.sandbox.placeOrder('A', 1);
    const started = Date.now();
    const out = await f.channel.adapter.push([item('A', 4, 5), item('B', 4, 5)]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(out[0]).toEqual({ sku: 'A', status: 'stale', current: null });
    expect(out[1]).toEqual({ sku: 'B', status: 'unsent' });
    expect(f.sandbox.quantities()).toEqual({ A: 4, B: 5 });
    expect(f.sandbox.stats().throttled).toBe(0);
  });
});

describe('Shopify resends within the cost budget', () => {
  it('resends the clean rows in as many parts as the budget pays for now, however many the refusal rate asks for', { timeout: 15_000 }, async () => {
    // 70-point bucket restoring 35/s (a SKU search costs ~61): after the refused call (10 points) six more calls fit.
    const all = skus(40);
    f = await shopifyFixture({ listings: all.map((sku) => ({ sku, quantity: 10 })), costBucket: { max: 70, restoreRate: 35 } });
    // The lookup of 40 SKUs costs more than the bucket holds: resolve keeps what answered.
    for (let tries = 0; (await f.channel.adapter.resolve(all).then(() => false, () => true)) && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    await new Promise((r) => setTimeout(r, 2100)); // the bucket full again // the bucket full again after the lookup
    await f.sandbox.placeOrder('S000', 1);
    await f.sandbox.placeOrder('S001', 1); // 2 of 40 refused (5%): eight parts of 5 wanted
    const { calls, throttled } = f.sandbox.stats();
    const out = await f.channel.adapter.push(all.map((sku) => item(sku, 8, 10)));
    expect(summary(out)).toEqual(all.map((_, i) => (i < 2 ? 'stale' : 'ok')));
    // The refused call and six parts of ≤ 7 rows: what the budget held, not the eight wanted.
    expect(f.sandbox.stats().calls - calls).toBe(7);
    expect(f.sandbox.stats().throttled - throttled).toBe(0);
  });
});

describe('Shopify push size', () => {
  it('carries every row while the budget has points to spare, and fewer once it is tight and refusals are frequent', { timeout: 15_000 }, async () => {
    // 120-point bucket restoring 40/s: full, it holds more than PLENTY_POINTS; after two pushes it does not.
    const all = skus(20);
    f = await shopifyFixture({ listings: all.map((sku) => ({ sku, quantity: 10 })), costBucket: { max: 120, restoreRate: 40 } });
    await f.channel.adapter.resolve(all);
    await new Promise((r) => setTimeout(r, 3100)); // the bucket full again after the lookup
    const adapter = f.channel.adapter;
    expect(adapter.pushSize?.()).toBe(250); // no refusal seen yet
    // 5 of 20 rows sold on Shopify meanwhile: a quarter of the first call refused.
    for (const sku of all.slice(0, 5)) await f.sandbox.placeOrder(sku, 1);
    await adapter.push(all.map((sku) => item(sku, 8, 10)));
    await adapter.push([item('S019', 7, 8)]);
    // Two first calls, refused shares 0.25 and 0: recent share 0.2 · 0.25 · 0.8 = 0.04; the
    // bucket spent below 100 points: ceil(0.5 / 0.04) = 13 rows a push.
    expect(adapter.pushSize?.()).toBe(13);
    await new Promise((r) => setTimeout(r, 2000)); // the bucket full again
    expect(adapter.pushSize?.()).toBe(250);
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
