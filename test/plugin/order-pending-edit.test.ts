import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * Two ways a paid order's units came loose (acceptance pass 24, WooCommerce 9.2.5): set back to
 * Pending payment to edit its items (WooCommerce's own route), the units went on sale on every
 * channel and were sold twice; cancelled after its product was deleted for good, the units stayed
 * committed for ever while a "moved" change took them off the SKU (available −2).
 */
describe('a paid order set back to Pending to edit it, and one whose product was deleted', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });


  it('Pending to edit: the units stay held for the order, not sold elsewhere, and paying again converts the hold', async () => {
    const sku = f.sku('PEN');
    const id = await f.product({ sku, stock: 10 });
    const c = await f.checkout([{ productId: id, qty: 2 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ onHand: 10, committed: 2, reserved: 0, available: 8 });

    await f.setStatus(c.orderId!, 'pending'); // WooCommerce restores its stock: 10
    await f.drain();
    expect(await f.productStock(id)).toBe(10);
    // Held for the order: other channels still may sell only 8.
    expect(await f.stock(sku)).toMatchObject({ onHand: 10, committed: 0, reserved: 2, available: 8 });
    const held = (await f.eventsOf(c.orderId!)).find((r) => r.payload.type === 'stock.reserved' && r.event_id.endsWith(':reserved.2'));
    expect(held?.payload).toMatchObject({ reservationId: expect.stringMatching(/:hold\.2$/), lines: [{ sku, qty: 2 }], ttlSeconds: 86400 });

    // Another channel sells what is free meanwhile; the order's 2 are not among it.
    const sale = await f.companion.ledger.apply({ id: `pen-${sku}`, type: 'order.confirmed', source: 'shopify', occurredAt: new Date().toISOString(), orderId: `shopify-${sku}`, lines: [{ sku, qty: 8 }] });
    expect(sale.status).toBe('applied');

    await f.setStatus(c.orderId!, 'processing'); // paid again: WooCommerce reduces, the hold converts
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ onHand: 10, committed: 10, reserved: 0, available: 0 });
    const rows = await f.eventsOf(c.orderId!);
    expect(rows.filter((r) => r.status !== 'delivered' || String(r.result).startsWith('refused'))).toEqual([]);
    expect(rows.find((r) => r.event_id.endsWith(':confirmed.2'))?.payload).toMatchObject({ reservationId: expect.stringMatching(/:hold\.2$/) });

    // Cancelled from Pending instead, another time: the hold is released, nothing stays held.
    const d = await f.checkout([{ productId: id, qty: 1 }]);
    await f.companion.ledger.apply({ id: `pen-in-${sku}`, type: 'stock.received', source: 'manual', occurredAt: new Date().toISOString(), sku, qty: 5 });
    await f.setStatus(d.orderId!, 'payment_complete');
    await f.setStatus(d.orderId!, 'pending');
    await f.setStatus(d.orderId!, 'cancelled');
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ onHand: 15, committed: 10, reserved: 0, available: 5 });
  });

  it('Pending to edit, a line added that the stock cannot cover, paid again: every line is recorded (the short one as an oversell), none left held or on sale', async () => {
    const a = f.sku('PENA');
    const b = f.sku('PENB');
    const ida = await f.product({ sku: a, stock: 5 });
    const idb = await f.product({ sku: b, stock: 1 });
    const c = await f.checkout([{ productId: ida, qty: 2 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    await f.setStatus(c.orderId!, 'pending'); // to edit it: its 2 units of A stay held
    await f.drain();
    // Amazon sells B's last unit; the merchant adds one B to the order anyway and takes payment.
    await f.companion.ledger.apply({ id: `amz-${b}`, type: 'order.confirmed', source: 'amazon', occurredAt: new Date().toISOString(), orderId: `AMZ-${b}`, lines: [{ sku: b, qty: 1 }] });
    await testApi('POST', `orders/${c.orderId}/items`, { qty: {}, add: { [idb]: 1 }, set: {} });
    await f.setStatus(c.orderId!, 'processing');
    await f.drain();
    // Was: refused whole ("1 ordered, 0 available"); A's 2 stayed held for a day, then went on sale.
    const confirmed = (await f.eventsOf(c.orderId!)).find((r) => r.event_id.endsWith(':confirmed.2'));
    expect(confirmed).toMatchObject({ status: 'delivered', payload: { backorder: true, reservationId: expect.stringMatching(/:hold\.2$/) } });
    expect(await f.stock(a)).toMatchObject({ onHand: 5, committed: 2, reserved: 0, available: 3 });
    expect(await f.stock(b)).toMatchObject({ onHand: 1, committed: 2, available: -1, paused: 'oversell' });
  });

  it('set back to Pending and paid again after its product was deleted for good: its units stay held, then committed again', async () => {
    const sku = f.sku('DELPE');
    const id = await f.product({ sku, stock: 10 });
    const c = await f.checkout([{ productId: id, qty: 2 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    await testApi('POST', `products/${id}/delete`, { how: 'admin' });
    await f.drain();
    const before = await f.stock(sku);
    expect(before).toMatchObject({ committed: 2 });

    await f.setStatus(c.orderId!, 'pending');
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ committed: 0, reserved: 2, available: before!.available });
    await f.setStatus(c.orderId!, 'processing');
    await f.drain();
    // The order still ships its 2 units: committed again, none put on sale (the re-test sold them twice).
    expect(await f.stock(sku)).toMatchObject({ committed: 2, reserved: 0, available: before!.available });
    expect((await f.eventsOf(c.orderId!)).filter((r) => r.status !== 'delivered' || String(r.result).startsWith('refused'))).toEqual([]);
  });

  it('cancelled after its product was deleted for good: the order is cancelled in the ledger and its units stay off sale with the retired SKU', async () => {
    const sku = f.sku('DEL');
    const id = await f.product({ sku, stock: 5 });
    const c = await f.checkout([{ productId: id, qty: 2 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ committed: 2 });

    await testApi('POST', `products/${id}/delete`, { how: 'admin' });
    await f.setStatus(c.orderId!, 'cancelled');
    await f.drain();
    // Nothing left committed (it stayed 2 for ever), nothing below 0, and the deleted product's
    // SKU stays at the 0 its deletion counted (the re-test's marketplaces sold the 2 units again).
    expect(await f.stock(sku)).toMatchObject({ onHand: 0, committed: 0, available: 0 });
    const rows = await f.eventsOf(c.orderId!);
    expect(rows.map((r) => r.payload.type)).toContain('order.cancelled');
    expect(rows.filter((r) => r.event_id.includes(':cancel-moved')).map((r) => r.payload)).toEqual([expect.objectContaining({ sku, delta: -2 })]);
    expect(rows.filter((r) => r.status !== 'delivered' || String(r.result).startsWith('refused'))).toEqual([]);
  });
});
