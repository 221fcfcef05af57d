import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatePlugin, adminPage, rest, runCron, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * Stockline deactivated for a while, then activated again (acceptance pass 24): a stock edit and a
 * cancel made while it was off never reached the ledger, nothing said so, and "Check channels"
 * then wrote the ledger's old number over WooCommerce's. The owner is told, until an import
 * recounts the store.
 */
describe('activated again after a while off', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
    // Files before this one deactivate and activate the plugin too (same site).
    await testApi('POST', 'options', { delete: ['stockline_inactive_gap', 'stockline_deactivated_at'] });
  });
  afterAll(async () => {
    await activatePlugin(f.admin).catch(() => undefined);
    await f?.close();
  });

  it('sends what the hooks would have for orders the ledger holds as sales whose status changed while it was off', async () => {
    const sku = f.sku('OFF');
    const id = await f.product({ sku, stock: 10 });
    const cancelled = await f.checkout([{ productId: id, qty: 3 }]);
    const completed = await f.checkout([{ productId: id, qty: 2 }]);
    const untouched = await f.checkout([{ productId: id, qty: 1 }]);
    for (const c of [cancelled, completed, untouched]) await f.setStatus(c.orderId!, 'payment_complete');
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ onHand: 10, committed: 6, available: 4 });

    await testApi('POST', 'deactivate');
    await f.setStatus(cancelled.orderId!, 'cancelled'); // WooCommerce gives its 3 back; Stockline hears nothing
    await f.setStatus(completed.orderId!, 'completed');
    await activatePlugin(f.admin);
    // Delivered by the activation request itself, not left for the scheduled drain (re-test: ~1 min).
    expect((await f.eventsOf(cancelled.orderId!)).find((r) => r.payload.type === 'order.cancelled')).toMatchObject({ status: 'delivered' });
    await f.drain();
    // Cancelled: its units free again; completed: shipped off onHand; the untouched one still committed.
    expect(await f.stock(sku)).toMatchObject({ onHand: 8, committed: 1, available: 7 });
    expect(await f.productStock(id)).toBe(7);
    expect((await f.eventsOf(cancelled.orderId!)).map((r) => r.payload.type)).toContain('order.cancelled');
    expect((await f.eventsOf(completed.orderId!)).map((r) => r.payload.type)).toContain('stock.shipped');
    expect((await f.eventsOf(untouched.orderId!)).map((r) => r.payload.type)).not.toContain('order.cancelled');
  });

  it('catches up sales made while off (a new order, a checkout hold paid) under the hooks\' ids, so their later cancels reach the ledger', async () => {
    await testApi('POST', 'options', { delete: ['stockline_inactive_gap', 'stockline_deactivated_at'] });
    const sku = f.sku('GAP');
    const id = await f.product({ sku, stock: 10 });
    const held = await f.checkout([{ productId: id, qty: 2 }]);
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ reserved: 2, available: 8 });

    await testApi('POST', 'deactivate');
    const made = (await testApi<{ id: number }>('POST', 'orders', { lines: [{ productId: id, qty: 3 }] })).id;
    await f.setStatus(made, 'payment_complete'); // WooCommerce takes 3; Stockline hears nothing
    await f.setStatus(held.orderId!, 'payment_complete'); // the hold is paid while off
    const unpaid = (await testApi<{ id: number }>('POST', 'orders', { lines: [{ productId: id, qty: 4 }] })).id; // never paid
    expect(await f.productStock(id)).toBe(5);
    await activatePlugin(f.admin);
    await f.drain();
    // Both sales are in the ledger at once (before any import), the hold converted, not left to expire.
    expect(await f.stock(sku)).toMatchObject({ onHand: 10, committed: 5, reserved: 0, available: 5 });
    expect(await f.eventsOf(unpaid)).toEqual([]);

    // The ids the companion's order poll uses for this store once it has read the site id from
    // the plugin's REST index (channels/woocommerce/plugin-site.ts): a sale it recorded while the
    // plugin was off is the same event.
    const index = await rest<{ siteId?: string }>('GET', 'stockline/v1');
    expect(index.body.siteId).toMatch(/^wc[0-9a-f]{8}$/);
    expect((await f.eventsOf(made)).map((r) => [r.event_id, r.payload.type, r.payload.orderId])).toEqual([
      [`${index.body.siteId}:${made}:confirmed`, 'order.confirmed', `${index.body.siteId}:${made}`],
    ]);

    await f.setStatus(made, 'cancelled');
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ onHand: 10, committed: 2, available: 8 });
    expect(await f.productStock(id)).toBe(8);
  });

  it("counts an order made and cancelled while off as a new sale when it is reopened, though the companion's poll recorded it under the same ids", async () => {
    await testApi('POST', 'options', { delete: ['stockline_inactive_gap', 'stockline_deactivated_at'] });
    const sku = f.sku('REOPEN');
    const id = await f.product({ sku, stock: 10 });
    const site = (await rest<{ siteId: string }>('GET', 'stockline/v1')).body.siteId;
    await testApi('POST', 'deactivate');
    const made = (await testApi<{ id: number }>('POST', 'orders', { lines: [{ productId: id, qty: 3 }] })).id;
    await f.setStatus(made, 'payment_complete');
    await f.setStatus(made, 'cancelled'); // WooCommerce gives the 3 back
    // What the companion's order poll records meanwhile, under the plugin's ids (plugin-site.ts).
    const at = new Date().toISOString();
    const orderId = `${site}:${made}`;
    await f.companion.ledger.apply({ id: `${orderId}:confirmed`, type: 'order.confirmed', source: 'woocommerce', occurredAt: at, orderId, lines: [{ sku, qty: 3 }] });
    await f.companion.ledger.apply({ id: `${orderId}:cancelled`, type: 'order.cancelled', source: 'woocommerce', occurredAt: at, orderId, reason: 'cancelled' });
    await activatePlugin(f.admin);
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ committed: 0, available: 10 });

    await f.setStatus(made, 'processing'); // reopened: WooCommerce takes the 3 again
    await f.drain();
    expect(await f.productStock(id)).toBe(7);
    expect(await f.stock(sku)).toMatchObject({ committed: 3, available: 7 });
  });

  it('says when Stockline was off and asks for an import, and stops saying it once an import has run', async () => {
    await testApi('POST', 'options', { delete: ['stockline_inactive_gap', 'stockline_deactivated_at'] });
    const before = await adminPage('index.php', f.admin);
    expect(before.html).not.toContain('id="stockline-was-off"');

    await testApi('POST', 'deactivate');
    await activatePlugin(f.admin);
    const after = await adminPage('index.php', f.admin);
    expect(after.html).toContain('id="stockline-was-off"');
    expect(after.html).toMatch(/Stockline was off from .+ to .+\./);
    expect(after.html).toContain('Import again');

    let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart: true } })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron();
      p = (await rest('GET', 'stockline/v1/admin/import', { session: f.admin })).body;
    }
    expect(p.state).toBe('done');
    const imported = await adminPage('index.php', f.admin);
    expect(imported.html).not.toContain('id="stockline-was-off"');
  });
});
