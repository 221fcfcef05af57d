import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('events from WooCommerce orders', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const eventsOf = async (orderId: number) =>
    (await f.outbox()).filter((r) => r.event_id.split(':')[1] === String(orderId)).map((r) => r.payload);

  it('sends lines by SKU, variations by their own SKU, and skips (and logs) items without one', async () => {
    const parentSku = f.sku('TEE');
    const parent = await f.product({ sku: parentSku, stock: 0, manageStock: false, name: 'T-shirt' });
    const largeSku = f.sku('TEE-L');
    const large = await f.product({ sku: largeSku, stock: 9, parentId: parent, name: 'T-shirt, large' });
    const plain = await f.product({ sku: '', stock: 9, name: 'Unlabelled jar' });

    const c = await f.checkout([{ productId: large, qty: 2 }, { productId: plain, qty: 1 }]);
    expect(c.ok).toBe(true);
    await f.setStatus(c.orderId!, 'payment_complete');
    const events = await eventsOf(c.orderId!);
    expect(events.map((e) => e.type)).toEqual(['stock.reserved', 'order.confirmed']);
    expect(events[1]).toMatchObject({
      source: 'woocommerce',
      orderId: expect.stringMatching(new RegExp(`:${c.orderId}$`)),
      reservationId: events[0].reservationId,
      lines: [{ sku: largeSku, qty: 2 }],
    });
    expect(events[1].occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const log = (await testApi('GET', 'state')).log as Array<{ message: string; source: string }>;
    expect(log).toContainEqual(expect.objectContaining({ source: 'stockline', message: expect.stringContaining('Unlabelled jar') }));
    expect(await f.companion.ledger.getStock('default', largeSku)).toMatchObject({ onHand: 9, committed: 2, reserved: 0 });
  });

  it('releases the hold of an order that fails, and treats a reopened order as a new sale', async () => {
    const sku = f.sku('HOLD');
    const id = await f.product({ sku, stock: 5 });
    const c = await f.checkout([{ productId: id, qty: 1 }]);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ reserved: 1 });
    await f.setStatus(c.orderId!, 'failed');
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ reserved: 0, committed: 0 });

    await f.setStatus(c.orderId!, 'processing');
    await f.setStatus(c.orderId!, 'cancelled');
    await f.setStatus(c.orderId!, 'pending');
    await f.setStatus(c.orderId!, 'processing');
    const ids = (await eventsOf(c.orderId!)).map((e) => `${e.type} ${e.id.split(':').slice(2).join(':')}`);
    // Every life of the order after one ended gets new ids, so the companion never mistakes it for a resend.
    expect(ids).toEqual([
      'stock.reserved reserved',
      'stock.released released',
      'order.confirmed confirmed.2',
      'order.cancelled cancelled.2',
      'order.confirmed confirmed.3',
    ]);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 5, committed: 1, reserved: 0 });
  });
});
