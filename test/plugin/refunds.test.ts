import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginFixture, type PluginFixture } from './support/fixture';
import { ledgerAfterDelivery, paidOrder, refund } from './support/orders';

/**
 * Refunds from the order screen, restocked or not, in part or whole: after each, the ledger's
 * available equals WooCommerce's own stock, and no restock comes back as a person's stock count.
 */
describe('refunds', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  /** What the plugin sent for the order and its SKU, besides the product's creation, in order. */
  const sentFor = (sku: string, orderId: number) =>
    f.companion
      .received()
      .filter((e) => String(e.id).includes(`:${orderId}:`) || (e.sku === sku && e.reason !== 'woocommerce stock edit'))
      .map((e) => `${e.type}${e.delta ? ` ${e.delta}` : ''}${e.set !== undefined ? ` set ${e.set}` : ''}${e.lines && e.type === 'stock.shipped' ? ` ${e.lines[0].qty}` : ''}`);

  it('a partial refund with restock of an unshipped order: the units are sellable again and the rest still ships', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'REF', 10, 3);
    await refund(orderId, productId, 1, { restock: true, full: false });
    expect(await f.productStock(productId)).toBe(8);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 10, committed: 2, available: 8 });

    await f.setStatus(orderId, 'completed');
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 8, committed: 0, available: 8 });
    expect(await f.productStock(productId)).toBe(8);
    expect(sentFor(sku, orderId)).toEqual(['stock.reserved', 'order.confirmed', 'stock.shipped 1', 'stock.adjusted 1', 'stock.shipped']);
  });

  it('a partial refund with restock, then a cancel: WooCommerce restores the rest, and so does the ledger (not the refunded unit twice)', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'REF', 10, 3);
    await refund(orderId, productId, 1, { restock: true, full: false });
    await f.setStatus(orderId, 'cancelled');
    expect(await f.productStock(productId)).toBe(10);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 10, committed: 0, available: 10 });
  });

  it('a full refund with restock gives every unit back; without restock the units are gone, as in WooCommerce', async () => {
    const back = await paidOrder(f, 'REF', 10, 2);
    await refund(back.orderId, back.productId, 2, { restock: true, full: true });
    expect(await f.productStock(back.productId)).toBe(10);
    expect(await ledgerAfterDelivery(f, back.sku)).toMatchObject({ onHand: 10, committed: 0, available: 10 });

    const gone = await paidOrder(f, 'REF', 10, 2);
    await refund(gone.orderId, gone.productId, 2, { restock: false, full: true });
    expect(await f.productStock(gone.productId)).toBe(8);
    // Before: sent as a cancellation, the ledger gave the units back (available 10).
    expect(await ledgerAfterDelivery(f, gone.sku)).toMatchObject({ onHand: 8, committed: 0, available: 8 });
    expect(sentFor(gone.sku, gone.orderId)).toEqual(['stock.reserved', 'order.confirmed', 'stock.shipped']);
  });

  it('a refund with restock of a shipped order puts the returned units back, once', async () => {
    const { sku, productId, orderId } = await paidOrder(f, 'REF', 10, 2);
    await f.setStatus(orderId, 'completed');
    await refund(orderId, productId, 2, { restock: true, full: true });
    expect(await f.productStock(productId)).toBe(10);
    expect(await ledgerAfterDelivery(f, sku)).toMatchObject({ onHand: 10, committed: 0, available: 10 });
    expect(sentFor(sku, orderId)).toEqual(['stock.reserved', 'order.confirmed', 'stock.shipped', 'stock.adjusted 2']);
    const rows = (await f.outbox()).filter((r) => r.payload.sku === sku);
    expect(rows.map((r) => r.event_id)).toEqual([expect.stringMatching(/:stock:/), expect.stringMatching(new RegExp(`:${orderId}:refund-restock:\\d+-2$`))]);
  });
});
