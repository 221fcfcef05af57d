import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * A product's SKU renamed or added on the product screen (stock unchanged), and a product deleted
 * for good: the companion must learn the new SKU's count and stop selling the old one, where
 * before nothing was sent because only stock changes were listened to.
 */
describe('SKU changes and deleted products', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const edit = (id: number, body: Record<string, unknown>) => testApi('POST', `products/${id}/edit`, body);
  const drain = () => testApi('POST', 'drain', { force: true });
  const stock = (sku: string) => f.companion.ledger.getStock('default', sku);
  const received = (sku: string) => f.companion.received().filter((e) => e.sku === sku);

  it('a renamed SKU: the new SKU is counted with WooCommerce stock as available, the old one retired to 0', async () => {
    const oldSku = f.sku('LAMP');
    const newSku = f.sku('LAMP-NEW');
    const id = await f.product({ sku: oldSku, stock: 12, name: 'Lamp' });
    await drain();
    expect(await stock(oldSku)).toMatchObject({ available: 12 });

    await edit(id, { sku: newSku });
    await drain();
    expect(received(newSku)).toEqual([
      expect.objectContaining({ type: 'stock.adjusted', set: 12, basis: 'available', reason: `SKU renamed from ${oldSku}` }),
    ]);
    expect(received(oldSku).at(-1)).toMatchObject({ type: 'stock.adjusted', set: 0, basis: 'available', reason: `SKU renamed to ${newSku}` });
    expect(await stock(newSku)).toMatchObject({ onHand: 12, available: 12 });
    expect(await stock(oldSku)).toMatchObject({ available: 0 });
    expect((await f.outbox()).filter((r) => r.status !== 'delivered')).toEqual([]);

    // Saving again without changing the SKU sends nothing new.
    const before = (await f.outbox()).length;
    await edit(id, {});
    await edit(id, { sku: newSku });
    expect((await f.outbox()).length).toBe(before);
  });

  it('a renamed SKU with an open order: the new SKU gets what WooCommerce shows as free to sell', async () => {
    const oldSku = f.sku('KETTLE');
    const newSku = f.sku('KETTLE-NEW');
    const id = await f.product({ sku: oldSku, stock: 10, name: 'Kettle' });
    const c = await f.checkout([{ productId: id, qty: 3 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    expect(await f.productStock(id)).toBe(7);

    await edit(id, { sku: newSku });
    await drain();
    expect(await stock(newSku)).toMatchObject({ available: 7 });
    // The order's units stay held under the old SKU; nothing is free to sell there any more.
    expect(await stock(oldSku)).toMatchObject({ available: 0, committed: 3 });
  });

  it('a SKU given to a product (and to a variation with its own stock) that had none is counted', async () => {
    const id = await f.product({ sku: '', stock: 5, name: 'Plain bowl' });
    const sku = f.sku('BOWL');
    await edit(id, { sku });
    await drain();
    expect(received(sku)).toEqual([expect.objectContaining({ type: 'stock.adjusted', set: 5, basis: 'available', reason: 'SKU added' })]);
    expect(await stock(sku)).toMatchObject({ onHand: 5, available: 5 });

    const parent = await f.product({ sku: f.sku('SOCK'), stock: 0, manageStock: false, name: 'Sock' });
    const red = await f.product({ sku: '', stock: 4, parentId: parent, name: 'Sock, red' });
    const redSku = f.sku('SOCK-RED');
    await edit(red, { sku: redSku });
    await drain();
    expect(await stock(redSku)).toMatchObject({ onHand: 4, available: 4 });
  });

  it('a SKU changed together with the stock is counted once, at the new stock', async () => {
    const oldSku = f.sku('JUG');
    const newSku = f.sku('JUG-NEW');
    const id = await f.product({ sku: oldSku, stock: 6, name: 'Jug' });
    await edit(id, { sku: newSku, stock: 9 });
    await drain();
    expect(received(newSku)).toEqual([expect.objectContaining({ set: 9, basis: 'available' })]);
    expect(await stock(newSku)).toMatchObject({ available: 9 });
    expect(await stock(oldSku)).toMatchObject({ available: 0 });
  });

  it('a second rename gets new event ids, and renaming back counts the first SKU again', async () => {
    const a = f.sku('VASE-A');
    const b = f.sku('VASE-B');
    const id = await f.product({ sku: a, stock: 8, name: 'Vase' });
    const before = (await f.outbox()).length;
    await edit(id, { sku: b });
    await edit(id, { sku: a });
    await edit(id, { sku: b });
    await drain();
    const rows = (await f.outbox()).slice(before);
    expect(rows.map((r) => [r.payload.sku, r.payload.set])).toEqual([
      [b, 8], [a, 0],
      [a, 8], [b, 0],
      [b, 8], [a, 0],
    ]);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(6);
    expect(rows.every((r) => r.status === 'delivered' && r.result === 'applied')).toBe(true);
    expect(await stock(b)).toMatchObject({ available: 8 });
    expect(await stock(a)).toMatchObject({ available: 0 });
  });

  it('a variation whose stock the parent manages sends no count of its own when it gets a SKU', async () => {
    const mugSku = f.sku('MUG');
    const mug = await f.product({ sku: mugSku, stock: 10, name: 'Mug' });
    const blue = await f.product({ sku: '', stock: null, manageStock: false, parentId: mug, name: 'Mug, blue' });
    const before = (await f.outbox()).length;
    await edit(blue, { sku: f.sku('MUG-BLUE') });
    expect((await f.outbox()).slice(before)).toEqual([]);
  });

  it('a product without stock management sends nothing when its SKU changes', async () => {
    const id = await f.product({ sku: f.sku('POSTER'), stock: null, manageStock: false, name: 'Poster' });
    const before = (await f.outbox()).length;
    await edit(id, { sku: f.sku('POSTER-NEW') });
    expect((await f.outbox()).slice(before)).toEqual([]);
  });

  it('a product trashed, restored and deleted for good (wp-admin, REST API force, a variable product with its variations) is retired and counted again', async () => {
    const sku = f.sku('CHAIR');
    const id = await f.product({ sku, stock: 4, name: 'Chair' });
    await drain();
    expect(await stock(sku)).toMatchObject({ available: 4 });
    // To the trash: the store no longer sells it, so no channel should; restored, it is counted again.
    await testApi('POST', `products/${id}/delete`, { how: 'trash' });
    await drain();
    expect(received(sku).at(-1)).toMatchObject({ type: 'stock.adjusted', set: 0, basis: 'available', reason: 'product trashed' });
    expect(await stock(sku)).toMatchObject({ available: 0 });
    await testApi('POST', `products/${id}/delete`, { how: 'untrash' });
    await drain();
    expect(received(sku).at(-1)).toMatchObject({ type: 'stock.adjusted', set: 4, basis: 'available', reason: 'product restored' });
    expect(await stock(sku)).toMatchObject({ available: 4 });
    // Trashed again (a new event, not the first one's duplicate), then emptied from the trash for good.
    await testApi('POST', `products/${id}/delete`, { how: 'trash' });
    await drain();
    expect(await stock(sku)).toMatchObject({ available: 0 });
    expect(await testApi('POST', `products/${id}/delete`, { how: 'admin' })).toEqual({ exists: false });
    await drain();
    expect(received(sku).at(-1)).toMatchObject({ type: 'stock.adjusted', set: 0, basis: 'available', reason: 'product deleted' });
    expect(await stock(sku)).toMatchObject({ available: 0 });

    const tableSku = f.sku('TABLE');
    const table = await f.product({ sku: tableSku, stock: 3, name: 'Table' });
    await testApi('POST', `products/${table}/delete`, { how: 'crud' });
    await drain();
    expect(await stock(tableSku)).toMatchObject({ available: 0 });

    const parent = await f.product({ sku: f.sku('COAT'), stock: 0, manageStock: false, name: 'Coat' });
    const smallSku = f.sku('COAT-S');
    const small = await f.product({ sku: smallSku, stock: 2, parentId: parent, name: 'Coat, small' });
    await drain();
    expect(await stock(smallSku)).toMatchObject({ available: 2 });
    await testApi('POST', `products/${parent}/delete`, { how: 'admin' });
    await drain();
    expect((await testApi<{ stock: number | null }>('GET', `products/${small}`).catch(() => null))).toBeNull();
    expect(await stock(smallSku)).toMatchObject({ available: 0 });
    expect((await f.outbox()).filter((r) => r.status !== 'delivered')).toEqual([]);
  });

  it('deleting a trashed product whose SKU another product has taken leaves that product\'s count', async () => {
    const sku = f.sku('STOOL');
    const old = await f.product({ sku, stock: 2, name: 'Stool (old)' });
    await testApi('POST', `products/${old}/delete`, { how: 'trash' });
    // WooCommerce lets a new product take the SKU of one in the trash.
    await f.product({ sku, stock: 7, name: 'Stool' });
    // Restored meanwhile, the old one does not overwrite the live one's count.
    await testApi('POST', `products/${old}/delete`, { how: 'untrash' });
    await drain();
    expect(await stock(sku)).toMatchObject({ available: 7 });
    await testApi('POST', `products/${old}/delete`, { how: 'trash' });
    await testApi('POST', `products/${old}/delete`, { how: 'admin' });
    await drain();
    expect(await stock(sku)).toMatchObject({ available: 7 });
  });
});
