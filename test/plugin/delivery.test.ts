import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../companion/src/http/signature';
import { rest, runCron, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('outbox delivery to the companion', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('keeps the store working while the companion is down, then delivers every event exactly once, in order per order', async () => {
    const sku = f.sku('MUG');
    // Creating the product sets its stock, which reaches the companion as stock.adjusted (set 100).
    const productId = await f.product({ sku, stock: 100, name: 'Blue mug' });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 100 });
    await f.companion.stop();
    const before = f.companion.received().length;

    const orders: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await f.checkout([{ productId, qty: 1 }]);
      expect(c.ok).toBe(true);
      orders.push(c.orderId!);
      await f.setStatus(c.orderId!, 'payment_complete');
    }
    await f.setStatus(orders[0]!, 'completed');
    await f.setStatus(orders[1]!, 'completed');
    await f.setStatus(orders[2]!, 'cancelled');
    // WooCommerce's own count moved with the orders: 100 − 5 sold + 1 cancelled.
    expect(await f.productStock(productId)).toBe(96);

    const waiting = await f.outbox();
    expect(waiting.filter((r) => r.status === 'pending')).toHaveLength(5 + 5 + 2 + 1);
    expect(waiting.every((r) => r.attempts >= 1)).toBe(true);
    expect(f.companion.received()).toHaveLength(before);

    await f.companion.start();
    await runCron();

    const received = f.companion.received().slice(before);
    const ids = received.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(13);
    expect(received.filter((e) => e.type === 'stock.adjusted')).toHaveLength(0);
    const byOrder = (orderId: number) => received.filter((e) => String(e.id).split(':')[1] === String(orderId)).map((e) => e.type);
    expect(byOrder(orders[0]!)).toEqual(['stock.reserved', 'order.confirmed', 'stock.shipped']);
    expect(byOrder(orders[1]!)).toEqual(['stock.reserved', 'order.confirmed', 'stock.shipped']);
    expect(byOrder(orders[2]!)).toEqual(['stock.reserved', 'order.confirmed', 'order.cancelled']);
    expect(byOrder(orders[3]!)).toEqual(['stock.reserved', 'order.confirmed']);
    expect(f.companion.deliveries.every((d) => d.status === 200)).toBe(true);

    const state = await f.companion.ledger.getStock('default', sku);
    expect(state).toMatchObject({ onHand: 98, committed: 2, reserved: 0, available: 96 });
    const after = await f.outbox();
    expect(after.filter((r) => r.status === 'pending')).toHaveLength(0);
    expect(after.map((r) => r.result)).not.toContain('refused');
  });

  it('counts the outbox for the admin page', async () => {
    const sku = f.sku('CNT');
    const productId = await f.product({ sku, stock: 5 });
    await f.companion.stop();
    await f.checkout([{ productId, qty: 1 }]);
    const state = await testApi('GET', 'state');
    expect(state.counts.pending).toBeGreaterThanOrEqual(1);
    expect(state.counts.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(state.delivery.failures).toBeGreaterThanOrEqual(1);
    expect(state.delivery.lastError).toMatch(/cURL|connect|refused|Socket/i);
    await f.companion.start();
    await runCron();
    expect((await testApi('GET', 'state')).counts.pending).toBe(0);
  });

  describe('after an outage, with a minute of back-off pending', () => {
    beforeAll(async () => {
      // A minute's back-off after a failure; new events may try again once the last attempt is 1 s old.
      await testApi('POST', 'options', { set: { stockline_test_filters: { stockline_retry_base_seconds: 60, stockline_probe_seconds: 1 } } });
    });
    afterAll(async () => {
      await testApi('POST', 'options', { set: { stockline_test_filters: { stockline_retry_base_seconds: 0 } } });
    });
    const eventsOf = (orderId: number | null) => f.companion.received().filter((e) => String(e.id).split(':')[1] === String(orderId)).map((e) => e.type);

    /** A checkout while the companion is down: its hold waits in the outbox, backing off a minute. */
    async function saleWhileDown(sku: string) {
      const productId = await f.product({ sku, stock: 10 });
      await f.companion.stop();
      const sale = await f.checkout([{ productId, qty: 1 }]);
      expect(sale.ok).toBe(true);
      const delivery = (await testApi('GET', 'state')).delivery;
      expect(delivery.failures).toBeGreaterThanOrEqual(1);
      expect(delivery.nextAttemptAt * 1000 - Date.now()).toBeGreaterThan(30_000);
      await f.companion.start();
      return { productId, orderId: sale.orderId };
    }

    it('a change made once the companion is back delivers everything waiting, without waiting out the back-off', async () => {
      const sku = f.sku('PROBE');
      const { orderId } = await saleWhileDown(sku);
      await new Promise((r) => setTimeout(r, 1_100));
      await f.setStatus(orderId!, 'payment_complete');
      // No cron run: the status change's own request delivered the waiting hold and the sale.
      expect(eventsOf(orderId)).toEqual(['stock.reserved', 'order.confirmed']);
      expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 10, committed: 1, reserved: 0 });
      expect((await testApi('GET', 'state')).counts.pending).toBe(0);
    });

    it('a push from the companion, or the admin page reaching it, delivers the sales that waited, at once', async () => {
      // The companion is back and writes a count to the store (as it does right after a restart).
      const first = await saleWhileDown(f.sku('PUSH'));
      const raw = JSON.stringify({ items: [{ sku: f.sku('NO-SUCH'), quantity: 1 }] });
      const push = await rest('POST', 'stockline/v1/stock', { rawBody: raw, headers: { 'x-stockline-signature': sign(f.companion.secret, raw) } });
      expect(push.status).toBe(200);
      // No cron run, no store traffic: the push's own request delivered the waiting hold.
      expect(eventsOf(first.orderId)).toEqual(['stock.reserved']);
      expect((await testApi('GET', 'state')).counts.pending).toBe(0);

      // The merchant's admin page polls the companion through the store.
      const second = await saleWhileDown(f.sku('PAGE'));
      expect((await testApi('GET', 'state')).counts.pending).toBeGreaterThan(0);
      const page = await rest('GET', 'stockline/v1/admin/proxy/v1/stock', { session: f.admin });
      expect(page.status).toBe(200);
      expect(eventsOf(second.orderId)).toEqual(['stock.reserved']);
      expect((await testApi('GET', 'state')).counts.pending).toBe(0);
    });

    it('the companion saying it is up (signed POST stockline/v1/hello, as it does when it starts) delivers what waited, at once', async () => {
      const { orderId } = await saleWhileDown(f.sku('HELLO'));
      const unsigned = await rest('POST', 'stockline/v1/hello', { rawBody: '{}' });
      expect(unsigned.status).toBe(401);
      expect(eventsOf(orderId)).toEqual([]);
      const hello = await rest('POST', 'stockline/v1/hello', { rawBody: '{}', headers: { 'x-stockline-signature': sign(f.companion.secret, '{}') } });
      expect(hello.status).toBe(200);
      // Was: waiting for the next cron run (62 s in a trial with no admin page open).
      expect(eventsOf(orderId)).toEqual(['stock.reserved']);
      expect((await testApi('GET', 'state')).counts.pending).toBe(0);
    });

    it('a checkout the companion answers delivers the holds that waited, at once', async () => {
      const sku = f.sku('GUARD');
      const { productId, orderId } = await saleWhileDown(sku);
      const next = await f.checkout([{ productId, qty: 2 }]);
      expect(next.guard?.outcome).toBe('held');
      expect(eventsOf(orderId)).toEqual(['stock.reserved']);
      expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 10, reserved: 3 });
      expect((await testApi('GET', 'state')).counts.pending).toBe(0);
    });
  });
});
