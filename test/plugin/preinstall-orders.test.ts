import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatePlugin, rest, runCron, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * Orders paid before Stockline was there: WooCommerce already took their units off its stock, and
 * the import sends that stock as the ledger's onHand, so those units are already counted.
 */
describe('orders paid before Stockline counted the stock', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await activatePlugin(f.admin).catch(() => undefined);
    await f?.close();
  });

  const backOfficeOrder = async (productId: number, qty: number) =>
    (await testApi<{ id: number }>('POST', 'orders', { lines: [{ productId, qty }] })).id;
  const eventsOf = async (orderId: number) =>
    (await f.outbox()).map((r) => r.payload).filter((e) => e.id.split(':')[1] === String(orderId));
  const runImport = async () => {
    let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart: true } })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron();
      p = (await rest('GET', 'stockline/v1/admin/import', { session: f.admin })).body;
    }
    expect(p.state).toBe('done');
  };

  it('are not counted again when completed, give their units back when cancelled, and later orders count as usual', async () => {
    const sku = f.sku('OLD');
    const product = await f.product({ sku, stock: 10, name: 'Old stock' });

    // Before Stockline: two paid orders (WooCommerce takes 2 and 3 off) and one awaiting payment.
    await testApi('POST', 'deactivate');
    let completedLater: number, cancelledLater: number, paidLater: number;
    try {
      completedLater = await backOfficeOrder(product, 2);
      await f.setStatus(completedLater, 'processing');
      cancelledLater = await backOfficeOrder(product, 3);
      await f.setStatus(cancelledLater, 'on-hold');
      paidLater = await backOfficeOrder(product, 1);
    } finally {
      // A first install: no deactivation recorded, so no gap whose orders activation would catch up.
      await testApi('POST', 'options', { delete: ['stockline_deactivated_at'] });
      await activatePlugin(f.admin);
    }
    expect(await f.productStock(product)).toBe(5);
    await runImport();
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 5, committed: 0, available: 5 });

    // Shipping a pre-install order: its units left WooCommerce's count (and so the imported one) long ago.
    await f.setStatus(completedLater, 'completed');
    expect(await eventsOf(completedLater)).toEqual([]);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 5, committed: 0, available: 5 });
    expect((await testApi('GET', `orders/${completedLater}`)).stocklineState).toBe('counted:1');

    // Cancelling one: WooCommerce puts its 3 units back, and so must the ledger, once.
    await f.setStatus(cancelledLater, 'cancelled');
    expect(await f.productStock(product)).toBe(8);
    const restocked = await eventsOf(cancelledLater);
    expect(restocked).toEqual([expect.objectContaining({ type: 'stock.adjusted', sku, delta: 3 })]);
    expect(restocked[0].id).toMatch(new RegExp(`^wc[0-9a-f]{8}:${cancelledLater}:restocked:1$`));
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 8, committed: 0, available: 8 });
    await testApi('POST', 'drain', { force: true });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 8 });

    // Reopened and paid again: a new sale like any other.
    await f.setStatus(cancelledLater, 'processing');
    expect((await eventsOf(cancelledLater)).map((e) => e.type)).toEqual(['stock.adjusted', 'order.confirmed']);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 8, committed: 3, available: 5 });
    await f.setStatus(cancelledLater, 'cancelled');
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 8, committed: 0, available: 8 });

    // Made before Stockline but paid after: WooCommerce takes its unit now, so it is a sale to count.
    await f.setStatus(paidLater, 'processing');
    await f.setStatus(paidLater, 'completed');
    expect((await eventsOf(paidLater)).map((e) => e.type)).toEqual(['order.confirmed', 'stock.shipped']);
    expect(await f.productStock(product)).toBe(7);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 7, committed: 0, available: 7 });

    // An order made after the import counts as usual.
    const fresh = await backOfficeOrder(product, 2);
    await f.setStatus(fresh, 'processing');
    await f.setStatus(fresh, 'completed');
    expect((await eventsOf(fresh)).map((e) => e.type)).toEqual(['order.confirmed', 'stock.shipped']);
    expect(await f.productStock(product)).toBe(5);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 5, committed: 0, available: 5 });
  });

  it('give back on a cancel only what a refund has not already restocked', async () => {
    const sku = f.sku('OLDREF');
    const product = await f.product({ sku, stock: 10, name: 'Old refunded' });
    await testApi('POST', 'deactivate');
    let order: number;
    try {
      order = await backOfficeOrder(product, 3);
      await f.setStatus(order, 'processing');
    } finally {
      await testApi('POST', 'options', { delete: ['stockline_deactivated_at'] }); // a first install, as above
      await activatePlugin(f.admin);
    }
    await runImport();
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 7, available: 7 });

    await testApi('POST', `orders/${order}/refund`, { qty: { [product]: 1 }, restock: true, full: false });
    expect(await f.productStock(product)).toBe(8);
    await f.setStatus(order, 'cancelled');
    expect(await f.productStock(product)).toBe(10); // WooCommerce restores the 2 it still had taken
    await testApi('POST', 'drain', { force: true });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 10, committed: 0, available: 10 });
  });
});
