import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';
import { ledgerAfterDelivery, paidOrder, refund } from './support/orders';

/**
 * An order's items edited in wp-admin after payment (quantity changed, item removed or added):
 * WooCommerce moves the stock itself (wc_maybe_adjust_line_item_product_stock). After each edit,
 * and after the order then ships or is cancelled, the ledger's available equals WooCommerce's stock.
 */
describe('order item edits', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const edit = (orderId: number, body: { qty?: Record<number, number>; add?: Record<number, number>; set?: Record<number, number> }) =>
    testApi('POST', `orders/${orderId}/items`, { qty: body.qty ?? {}, add: body.add ?? {}, set: body.set ?? {} });

  it('more units on a paid order come off the ledger too, and a cancel gives every unit back', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'EDIT', 10, 2);
    await edit(orderId, { qty: { [productId]: 3 } });
    expect(await f.productStock(productId)).toBe(7);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ available: 7 });
    // What Stockline keeps on the item is not listed (editable) on the order screen.
    expect((await testApi<{ shownItemMeta: string[] }>('GET', `orders/${orderId}`)).shownItemMeta.filter((k) => k.startsWith('_stockline'))).toEqual([]);

    await f.setStatus(orderId, 'cancelled');
    expect(await f.productStock(productId)).toBe(10);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 10, committed: 0, reserved: 0, available: 10 });
    // No edit came back as a person's stock count.
    expect(f.companion.received().filter((e) => e.sku === sku && e.reason === 'woocommerce stock edit')).toHaveLength(1); // the product's creation
  });

  it('fewer units: the difference is on sale again at once, and the rest ships', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'EDIT', 10, 3);
    await edit(orderId, { qty: { [productId]: 1 } });
    expect(await f.productStock(productId)).toBe(9);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 10, committed: 1, available: 9 });

    await f.setStatus(orderId, 'completed');
    expect(await f.productStock(productId)).toBe(9);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 9, committed: 0, available: 9 });
  });

  it('up, a refund that restocks more than the order first had, up again, then a cancel', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'EDIT', 10, 2);
    await edit(orderId, { qty: { [productId]: 4 } });
    expect(await f.productStock(productId)).toBe(6);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ available: 6 });
    await refund(orderId, productId, 3, { restock: true, full: false });
    expect(await f.productStock(productId)).toBe(9);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ available: 9 });
    await edit(orderId, { qty: { [productId]: 5 } }); // 5 − 3 refunded − 1 still reduced: one more
    expect(await f.productStock(productId)).toBe(8);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ available: 8 });

    await f.setStatus(orderId, 'cancelled');
    expect(await f.productStock(productId)).toBe(10);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 10, committed: 0, available: 10 });
  });

  it('an item removed and a product added: each SKU follows WooCommerce through shipping', async () => {
    const a = await paidOrder(f, 'EDIT', 10, 2);
    const skuB = f.sku('EDIT');
    const productB = await f.product({ sku: skuB, stock: 5 });
    await edit(a.orderId, { qty: { [a.productId]: 0 }, add: { [productB]: 1 } });
    expect(await f.productStock(a.productId)).toBe(10);
    expect(await f.productStock(productB)).toBe(4);
    expect(await ledgerAfterDelivery(f, a.sku)).toMatchObject({ available: 10 });
    expect(await ledgerAfterDelivery(f, skuB)).toMatchObject({ available: 4 });

    await f.setStatus(a.orderId, 'completed');
    expect(await ledgerAfterDelivery(f, a.sku)).toMatchObject({ onHand: 10, committed: 0, available: 10 });
    expect(await ledgerAfterDelivery(f, skuB)).toMatchObject({ onHand: 4, committed: 0, available: 4 });
  });

  it('a shipped order edited: the units WooCommerce gives back or takes are a change of what is on hand', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'EDIT', 10, 3);
    await f.setStatus(orderId, 'completed');
    await edit(orderId, { qty: { [productId]: 1 } });
    expect(await f.productStock(productId)).toBe(9);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 9, committed: 0, available: 9 });
    await edit(orderId, { qty: { [productId]: 2 } });
    expect(await f.productStock(productId)).toBe(8);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 8, committed: 0, available: 8 });
  });

  it('an edit WooCommerce decided not to write claims nothing: a stock count set later in the same request is sent as a count', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'EDIT', 10, 2);
    await testApi('POST', 'options', { set: { stand_in_adjust_declines: 1 } });
    try {
      await edit(orderId, { qty: { [productId]: 3 }, set: { [productId]: 6 } });
    } finally {
      await testApi('POST', 'options', { delete: ['stand_in_adjust_declines'] });
    }
    expect(await f.productStock(productId)).toBe(6);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 8, committed: 2, available: 6 });
    const sent = f.companion.received().filter((e) => e.sku === sku && e.type === 'stock.adjusted');
    expect(sent.map((e) => [e.reason, e.set ?? e.delta])).toEqual([
      ['woocommerce stock edit', 10],
      ['woocommerce stock edit', 6],
    ]);
  });
});
