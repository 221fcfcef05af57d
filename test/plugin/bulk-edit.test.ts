import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * Products → Bulk actions → Edit sets the stock of every selected product that manages stock, to
 * its own number again when the stock column says "— No change —", and "Increase/Decrease existing
 * stock by" is a relative change. Sent as counts, a price-only bulk edit took a paused SKU's 15 units
 * to 0 (WooCommerce showed Stockline's 0), and a marketplace sale not yet pushed to the store was
 * counted back (acceptance pass 27).
 */
describe('bulk edit of products', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const bulk = (ids: number[], change: '' | 1 | 2 | 3, qty?: number) => testApi('POST', 'products/bulk-edit', { ids, change, qty });
  /** A marketplace sale the ledger has and WooCommerce does not show yet (its push is on the way). */
  const marketplaceSale = (sku: string, qty: number) =>
    f.companion.ledger.apply({ id: `amz-${sku}-${Date.now()}`, type: 'order.confirmed', source: 'amazon', occurredAt: new Date().toISOString(), orderId: `amz-${sku}`, lines: [{ sku, qty }] });

  it('sends nothing for a product whose stock it sets to the number it had ("No change")', async () => {
    const a = f.sku('BULK-A');
    const b = f.sku('BULK-B');
    const ida = await f.product({ sku: a, stock: 15 });
    const idb = await f.product({ sku: b, stock: 9 });
    await f.drain();
    await marketplaceSale(a, 1);
    const before = (await f.outbox()).length;
    await bulk([ida, idb], ''); // a price-only bulk edit: WooCommerce sets each stock again
    await f.drain();
    expect((await f.outbox()).length).toBe(before);
    expect(await f.stock(a)).toMatchObject({ onHand: 15, committed: 1, available: 14 });
    expect(await f.stock(b)).toMatchObject({ onHand: 9, available: 9 });
  });

  it('sends "Increase/Decrease existing stock by" as the delta it is, so a sale not yet shown in the store is not counted back', async () => {
    const c = f.sku('BULK-C');
    const id = await f.product({ sku: c, stock: 15 });
    await f.drain();
    await marketplaceSale(c, 1); // the ledger: 14 available; WooCommerce still shows 15
    await bulk([id], 2, 5);
    expect(await f.productStock(id)).toBe(20);
    await f.drain();
    expect(await f.stock(c)).toMatchObject({ onHand: 20, committed: 1, available: 19 });
    await bulk([id], 3, 2);
    await f.drain();
    expect(await f.stock(c)).toMatchObject({ onHand: 18, available: 17 });
    const sent = (await f.outbox()).map((r) => r.payload).filter((e) => e.sku === c && e.type === 'stock.adjusted');
    expect(sent.slice(-2).map((e) => [e.delta, e.set])).toEqual([
      [5, undefined],
      [-2, undefined],
    ]);
  });

  it('still sends a stock changed to a new number as the count it is', async () => {
    const d = f.sku('BULK-D');
    const id = await f.product({ sku: d, stock: 15 });
    await f.drain();
    await bulk([id], 1, 12);
    await f.drain();
    expect(await f.stock(d)).toMatchObject({ onHand: 12, available: 12 });
  });
});
