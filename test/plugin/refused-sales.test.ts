import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../companion/src/ledger/keys';
import { adminPage, rest, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * A paid WooCommerce order the companion refuses: the companion was down at checkout (the
 * guard failed open) and another channel sold the last unit before the order arrived. The
 * ledger rightly does not count a store sale it has no stock for; the owner must hear of it.
 */
describe('sales the companion refuses', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const status = async () => (await rest('GET', 'stockline/v1/admin/status', { session: f.admin })).body;
  const rowsOf = async (orderId: number) =>
    (await f.outbox()).filter((r) => r.event_id.split(':')[1] === String(orderId)).map((r) => ({ id: r.event_id.split(':').slice(2).join(':'), status: r.status, result: r.result, error: r.last_error }));

  /** A paid order for the last unit, taken meanwhile by an Amazon sale while the companion was down. */
  async function refusedSale(label: string): Promise<{ sku: string; orderId: number }> {
    const sku = f.sku(label);
    const productId = await f.product({ sku, stock: 1, name: `Last ${label}` });
    await f.companion.stop();
    let orderId: number;
    try {
      const c = await f.checkout([{ productId, qty: 1 }]);
      expect(c.guard).toMatchObject({ outcome: 'failed_open' });
      orderId = c.orderId!;
      await f.setStatus(orderId, 'payment_complete');
      await f.companion.apply({
        id: `amazon:${sku}`,
        type: 'order.confirmed',
        source: 'amazon',
        occurredAt: new Date().toISOString(),
        orderId: `AMZ-${sku}`,
        lines: [{ sku, qty: 1 }],
      });
    } finally {
      await f.companion.start();
    }
    await testApi('POST', 'drain', { force: true });
    return { sku, orderId };
  }

  it('keeps a refused sale apart with the reason, tells the owner which order and SKU, and counts it once stock is back', async () => {
    const { sku, orderId } = await refusedSale('KETTLE');
    const rows = await rowsOf(orderId);
    // Before the fix both were marked delivered and nothing said so.
    expect(rows.map((r) => [r.id, r.status, r.result])).toEqual([
      ['reserved', 'refused', 'refused:insufficient_stock'],
      ['confirmed', 'refused', 'refused:insufficient_stock'],
    ]);
    expect(rows[1]!.error).toBe(`not enough stock to confirm every line (${sku}: 1 ordered, 0 available)`);

    const s = await status();
    expect(s.outbox.refused).toBe(2);
    expect(s.outbox.refusedLatest[0]).toMatchObject({ type: 'order.confirmed', order: orderId, skus: [sku], result: 'refused:insufficient_stock', error: rows[1]!.error });
    const page = await adminPage('index.php', f.admin);
    expect(page.html).toContain('id="stockline-refused-sales"');
    expect(page.html).toContain(`#${orderId}`);
    expect(page.html).toContain(sku);
    // Not twice on the Stockline page, whose own banner lists them with the buttons to act on them.
    expect((await adminPage('admin.php?page=stockline', f.admin)).html).not.toContain('id="stockline-refused-sales"');

    // The owner finds a unit and sends the refused events again (refusals are judged afresh).
    await f.companion.apply({ id: `recount:${sku}`, type: 'stock.received', source: 'manual', occurredAt: new Date().toISOString(), sku, qty: 1 });
    const retry = await rest('POST', 'stockline/v1/admin/outbox/retry', { session: f.admin, body: { status: 'refused' } });
    expect(retry.body).toMatchObject({ requeued: 2, delivered: 2, error: null });
    expect((await rowsOf(orderId)).map((r) => [r.id, r.status, r.result])).toEqual([
      ['reserved', 'delivered', 'applied'],
      ['confirmed', 'delivered', 'applied'],
    ]);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 2, committed: 2, reserved: 0 });
    expect((await status()).outbox).toMatchObject({ refused: 0, refusedLatest: [] });
    expect((await adminPage('index.php', f.admin)).html).not.toContain('id="stockline-refused-sales"');
  });

  it('lets a checkout of a product the ledger has never seen go ahead, and tells the owner to import it', async () => {
    const sku = f.sku('UNSEEN');
    const productId = await f.product({ sku, stock: 3, name: 'Unseen' });
    await testApi('POST', 'drain', { force: true });
    // The import has not reached the product: the ledger has no such SKU.
    const keys = createKeys({ prefix: f.companion.redis.prefix });
    await f.companion.redis.redis.del(keys.sku('default', sku));
    await f.companion.redis.redis.zrem(keys.skuIndex('default'), sku);
    expect(await f.companion.ledger.getStock('default', sku)).toBeNull();

    const c = await f.checkout([{ productId, qty: 1 }]);
    expect(c).toMatchObject({ ok: true, guard: { outcome: 'not_held' } });
    await f.setStatus(c.orderId!, 'payment_complete');
    await testApi('POST', 'drain', { force: true });
    const rows = await rowsOf(c.orderId!);
    expect(rows.map((r) => [r.id, r.status, r.result])).toEqual([
      ['reserved', 'delivered', 'refused:unknown_sku'],
      ['confirmed', 'refused', 'refused:unknown_sku'],
    ]);
    expect(rows[1]!.error).toBe(`Stockline does not know SKU ${sku} yet: import your stock (Stockline → Getting started) or save the product, then retry`);
    await rest('POST', 'stockline/v1/admin/outbox/dismiss', { session: f.admin });
  });

  it('lets go of a refused sale when the order is cancelled, and when the owner dismisses it', async () => {
    const cancelled = await refusedSale('CANCEL');
    await f.setStatus(cancelled.orderId, 'cancelled');
    // Nothing to give back for an order the ledger never counted: not a new problem, and the sale is off.
    expect((await rowsOf(cancelled.orderId)).map((r) => [r.id, r.status, r.result])).toEqual([
      ['reserved', 'delivered', 'refused:insufficient_stock'],
      ['confirmed', 'delivered', 'refused:insufficient_stock'],
      ['cancelled', 'delivered', 'refused:unknown_order'],
    ]);

    const kept = await refusedSale('KEPT');
    expect((await status()).outbox.refused).toBe(2);
    const dismissed = await rest('POST', 'stockline/v1/admin/outbox/dismiss', { session: f.admin });
    expect(dismissed.body).toMatchObject({ dismissed: 2 });
    expect((await rowsOf(kept.orderId)).map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect((await status()).outbox.refused).toBe(0);
  });
});
