import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../companion/src/http/signature';
import { rest, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('the stock endpoint the companion writes to', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const post = (body: unknown, secret = f.companion.secret, t?: number) => {
    const raw = JSON.stringify(body);
    return rest('POST', 'stockline/v1/stock', { rawBody: raw, headers: { 'x-stockline-signature': sign(secret, raw, t) } });
  };

  it('sets stock when it is what the companion expected, answers the current value when it is not, and says which SKUs it does not know', async () => {
    const a = f.sku('CAS');
    const b = f.sku('CAS');
    const aId = await f.product({ sku: a, stock: 10 });
    const bId = await f.product({ sku: b, stock: 4 });
    const before = (await f.outbox()).length;

    const r = await post({ items: [
      { sku: a, quantity: 7, expected: 10 },
      { sku: b, quantity: 9, expected: 5 },
      { sku: 'NO-SUCH-SKU', quantity: 1, expected: 0 },
    ] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ results: [
      { sku: a, status: 'ok', quantity: 7 },
      { sku: b, status: 'stale', quantity: 4 },
      { sku: 'NO-SUCH-SKU', status: 'not_found', quantity: null },
    ] });
    expect(await f.productStock(aId)).toBe(7);
    expect(await f.productStock(bId)).toBe(4);
    // Stockline's own write is not sent back to the companion as an adjustment.
    expect((await f.outbox()).slice(before)).toEqual([]);
  });

  it('says a product in the store that does not manage its stock is not counted there, rather than missing', async () => {
    const sku = f.sku('UNM');
    const id = await f.product({ sku, stock: 5 });
    await testApi('POST', `products/${id}/edit`, { manageStock: false });
    const r = await post({ items: [{ sku, quantity: 3, expected: 5 }] });
    expect(r.body).toEqual({ results: [{ sku, status: 'not_found', quantity: null, message: expect.stringContaining(`(SKU ${sku}) does not manage its stock in WooCommerce`) }] });
  });

  it('takes a negative expected count (a product sold on backorder) and sets the restock over it', async () => {
    const sku = f.sku('BO');
    const id = await f.product({ sku, stock: -2 });
    const r = await post({ items: [{ sku, quantity: 3, expected: -2 }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ results: [{ sku, status: 'ok', quantity: 3 }] });
    expect(await f.productStock(id)).toBe(3);
    // A negative quantity is still refused: no channel is told to sell fewer than none.
    const bad = await post({ items: [{ sku, quantity: -1, expected: 3 }] });
    expect(bad.status).toBe(400);
    expect(await f.productStock(id)).toBe(3);
  });

  it('does not take a quantity for a variation whose stock the parent manages: not_found naming the parent SKU, the parent untouched', async () => {
    // The trial: parent V19B (stock 8) with size M (own SKU, "Manage stock" at the parent level).
    // A Flipkart sale of M made the ledger create M at -1 and the companion pushed 0 for M; an
    // admin "Adjust +1" on M made it push 1. Both were written into the parent's stock.
    const parentSku = f.sku('V19B');
    const mSku = f.sku('V19B-M');
    const parent = await f.product({ sku: parentSku, stock: 8, name: 'V19B' });
    const m = await f.product({ sku: mSku, stock: null, manageStock: false, parentId: parent, name: 'V19B, M' });
    expect(await f.productStock(m)).toBe(8); // WooCommerce shows the parent's stock on it.
    const before = (await f.outbox()).length;

    const notFound = {
      sku: mSku,
      status: 'not_found',
      quantity: null,
      message: expect.stringMatching(new RegExp(`SKU ${mSku}.*counted under its parent's SKU ${parentSku}`)),
    };
    const pushed0 = await post({ items: [{ sku: mSku, quantity: 0 }] });
    expect(pushed0.status).toBe(200);
    expect(pushed0.body).toEqual({ results: [notFound] });
    const adjusted = await post({ items: [{ sku: mSku, quantity: 12, expected: 8 }] });
    expect(adjusted.body).toEqual({ results: [notFound] });
    expect(await f.productStock(parent)).toBe(8);
    expect((await testApi('GET', `products/${parent}`)).stock).toBe(8);
    expect((await f.outbox()).slice(before)).toEqual([]);

    // The parent's own SKU is the one the companion writes the shared stock through.
    const own = await post({ items: [{ sku: parentSku, quantity: 7, expected: 8 }] });
    expect(own.body).toEqual({ results: [{ sku: parentSku, status: 'ok', quantity: 7 }] });
    expect(await f.productStock(parent)).toBe(7);
    expect(await f.productStock(m)).toBe(7);

    // A variation with stock of its own is still written under its own SKU, its parent untouched.
    const sSku = f.sku('V19B-S');
    const s = await f.product({ sku: sSku, stock: 5, parentId: parent, name: 'V19B, S' });
    const ownVariation = await post({ items: [{ sku: sSku, quantity: 3, expected: 5 }] });
    expect(ownVariation.body).toEqual({ results: [{ sku: sSku, status: 'ok', quantity: 3 }] });
    expect(await f.productStock(s)).toBe(3);
    expect(await f.productStock(parent)).toBe(7);
  });

  it('refuses a forged call and a replayed call with 401 and changes nothing', async () => {
    const sku = f.sku('SIG');
    const id = await f.product({ sku, stock: 10 });

    const forged = await post({ items: [{ sku, quantity: 1, expected: 10 }] }, 'not-the-secret');
    expect(forged.status).toBe(401);
    const expired = await post({ items: [{ sku, quantity: 1, expected: 10 }] }, f.companion.secret, Math.floor(Date.now() / 1000) - 600);
    expect(expired.status).toBe(401);
    const unsigned = await rest('POST', 'stockline/v1/stock', { body: { items: [{ sku, quantity: 1, expected: 10 }] } });
    expect(unsigned.status).toBe(401);
    expect(await f.productStock(id)).toBe(10);

    const raw = JSON.stringify({ items: [{ sku, quantity: 3, expected: 10 }] });
    const headers = { 'x-stockline-signature': sign(f.companion.secret, raw) };
    expect((await rest('POST', 'stockline/v1/stock', { rawBody: raw, headers })).status).toBe(200);
    expect(await f.productStock(id)).toBe(3);
    // The shop manager puts it back to 10; a replay of the captured call would set 3 again.
    await testApi('POST', `products/${id}/edit`, { stock: 10 });
    const replay = await rest('POST', 'stockline/v1/stock', { rawBody: raw, headers });
    expect(replay.status).toBe(401);
    expect(await f.productStock(id)).toBe(10);
  });

  it('sends one stock.adjusted for a stock edit in the admin, and none for order-driven stock changes', async () => {
    const sku = f.sku('EDIT');
    const id = await f.product({ sku, stock: 20 });
    const before = (await f.outbox()).length;

    await testApi('POST', `products/${id}/edit`, { stock: 17 });
    const afterEdit = (await f.outbox()).slice(before);
    expect(afterEdit).toHaveLength(1);
    expect(afterEdit[0]).toMatchObject({ event_type: 'stock.adjusted', status: 'delivered' });
    expect(afterEdit[0]!.payload).toMatchObject({ type: 'stock.adjusted', source: 'woocommerce', sku, set: 17 });
    expect(afterEdit[0]!.payload.id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 17 });

    // A sale: WooCommerce reduces the stock itself; that is the order's event, not an adjustment.
    const c = await f.checkout([{ productId: id, qty: 2 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    expect(await f.productStock(id)).toBe(15);
    const types = (await f.outbox()).slice(before + 1).map((r) => r.event_type);
    expect(types).toEqual(['stock.reserved', 'order.confirmed']);
  });

  it('takes a stock edit as what is free to sell: with a paid order open, the ledger keeps its units on top', async () => {
    const sku = f.sku('OPEN');
    const id = await f.product({ sku, stock: 10 });
    const c = await f.checkout([{ productId: id, qty: 2 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    await testApi('POST', 'drain', { force: true });
    expect(await f.productStock(id)).toBe(8);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 10, committed: 2, available: 8 });

    // The owner received 12 and types 20 over WooCommerce's 8.
    await testApi('POST', `products/${id}/edit`, { stock: 20 });
    await testApi('POST', 'drain', { force: true });
    expect((await f.outbox()).at(-1)!.payload).toMatchObject({ type: 'stock.adjusted', set: 20, basis: 'available' });
    // Every channel is told 20, as WooCommerce shows; counted as onHand it would be 18 and
    // WooCommerce would be pushed 18 under the owner's hands.
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 22, committed: 2, available: 20 });
    await f.setStatus(c.orderId!, 'completed');
    await testApi('POST', 'drain', { force: true });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 20, committed: 0, available: 20 });
    expect(await f.productStock(id)).toBe(20);
  });
});
