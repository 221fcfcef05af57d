/**
 * Shopify refuses a compare-and-set without saying what it shows; the adapter answers such a
 * first refusal unread (a read costs the points the pushes need). Propagation then waits for the
 * order that explains it, and looks again after recheckAfterMs when none comes. Real Shopify
 * sandbox over HTTP, real ledger and propagation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { shopifyFixture, type ShopifyFixture } from '../channels/shopify-helpers';
import { ev, fixture, until, type Fixture } from './helpers';

describe('a compare-and-set refusal the adapter did not read', () => {
  let fx: Fixture | undefined;
  let sh: ShopifyFixture | undefined;
  let mutations = 0;
  afterEach(async () => {
    await fx?.close();
    await sh?.close();
    fx = sh = undefined;
    mutations = 0;
  });

  /** Shopify with S at 0 and propagation pushing the ledger's 10 to it. */
  async function start(settings: { recheckAfterMs?: number } = {}) {
    sh = await shopifyFixture({ listings: [{ sku: 'S', quantity: 0 }], beforeSetQuantities: () => void mutations++ });
    fx = await fixture({ channels: [] });
    await fx.ledger.apply(ev.received('S', 10));
    await fx.start({ adapters: [sh.channel.adapter], settings });
    await until(() => sh!.sandbox.quantities().S === 10, 5000, 'Shopify to show 10');
    await fx.settled();
    return { shop: sh, callsBefore: sh.sandbox.stats().calls, mutationsBefore: mutations };
  }
  const reads = (shop: ShopifyFixture, callsBefore: number, mutationsBefore: number) => shop.sandbox.stats().calls - callsBefore - (mutations - mutationsBefore);

  it('waits for the order that explains it, then lands without reading Shopify', async () => {
    const { shop, callsBefore, mutationsBefore } = await start();
    await shop.sandbox.placeOrder('S', 1); // Shopify shows 9; the order has not reached the ledger
    await fx!.ledger.apply(ev.received('S', 5)); // the ledger says 15: pushed comparing against 10
    await until(() => mutations > mutationsBefore, 5000, 'the refused push');
    await fx!.settled();
    // Refused, and not pushed over: the sold unit stays sold.
    expect(shop.sandbox.quantities().S).toBe(9);
    expect(mutations - mutationsBefore).toBe(1);

    // The order arrives: the ledger says 14 and expects Shopify to show 9.
    await fx!.ledger.apply(ev.sale('S', 1, 'shopify'));
    await until(() => shop.sandbox.quantities().S === 14, 5000, 'Shopify to show 14');
    await fx!.settled();
    expect(reads(shop, callsBefore, mutationsBefore)).toBe(0);
    expect(mutations - mutationsBefore).toBe(2);
  });

  it('is pushed again after recheckAfterMs when no order comes (a manual edit), read on the second refusal, and converges', async () => {
    const { shop, callsBefore, mutationsBefore } = await start({ recheckAfterMs: 300 });
    shop.sandbox.seed([{ sku: 'S', quantity: 20 }]); // a restock typed into Shopify's admin; we believe 10
    const at = Date.now();
    await fx!.ledger.apply(ev.received('S', 5)); // the ledger says 15
    await until(() => shop.sandbox.quantities().S === 15, 5000, 'Shopify to show 15');
    // Not before the recheck: the first refusal waited for an order.
    expect(Date.now() - at).toBeGreaterThanOrEqual(300);
    await fx!.settled();
    expect(reads(shop, callsBefore, mutationsBefore)).toBe(1);
    const last = shop.sandbox.adjustments().at(-1)!;
    expect(last.changes).toEqual([expect.objectContaining({ delta: -5, quantityAfterChange: 15 })]);
  });

  it('pushes the rows a twice-refused call left unsent again with fresh values, and they land', async () => {
    const all = ['A', 'B', 'C', 'D', 'E'];
    let sell = 0;
    // Shopify sells a unit of A right before our next mutation, then of B before the one after.
    sh = await shopifyFixture({
      listings: all.map((sku) => ({ sku, quantity: 0 })),
      beforeSetQuantities: async () => {
        mutations++;
        if (sell > 0) await sh!.sandbox.placeOrder(['A', 'B'][2 - sell--]!, 1);
      },
    });
    fx = await fixture({ channels: [] });
    for (const sku of all) await fx.ledger.apply(ev.received(sku, 10));
    await fx.start({ adapters: [sh.channel.adapter] });
    await until(() => all.every((sku) => sh!.sandbox.quantities()[sku] === 10), 5000, 'Shopify to show 10 everywhere');
    await fx.settled();

    sell = 2;
    const before = mutations;
    for (const sku of all) await fx.ledger.apply(ev.received(sku, 1));
    // The first call and its resend are refused (A, then B sold); C, D, E go again in a new push.
    await until(() => ['C', 'D', 'E'].every((sku) => sh!.sandbox.quantities()[sku] === 11), 5000, 'C, D, E to show 11');
    await fx.settled();
    expect(mutations - before).toBeGreaterThanOrEqual(3);
    // A and B wait for their orders: their sold units were not pushed over.
    expect(sh.sandbox.quantities()).toMatchObject({ A: 9, B: 9 });
    await fx.ledger.apply(ev.sale('A', 1, 'shopify'));
    await fx.ledger.apply(ev.sale('B', 1, 'shopify'));
    await until(() => sh!.sandbox.quantities().A === 10 && sh!.sandbox.quantities().B === 10, 5000, 'A and B to show 10');
  });
});
