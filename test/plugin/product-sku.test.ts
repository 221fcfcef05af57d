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
  const drain = () => f.drain();
  const stock = (sku: string) => f.stock(sku);
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

  it('a variation switched from its own stock to the parent\'s retires its own SKU, and is counted under it again when it takes its own stock back', async () => {
    // The trial: V19A-S had its own 12; "Manage stock?" unticked (the parent's stock used), and
    // every channel kept selling V19A-S = 12, a Flipkart sale of it recorded under V19A-S.
    const parentSku = f.sku('V19A');
    const parent = await f.product({ sku: parentSku, stock: 20, name: 'V19A' });
    const sSku = f.sku('V19A-S');
    const small = await f.product({ sku: sSku, stock: 12, parentId: parent, name: 'V19A, S' });
    await drain();
    expect(await stock(sSku)).toMatchObject({ available: 12 });
    expect(await stock(parentSku)).toMatchObject({ available: 20 });

    let before = (await f.outbox()).length;
    await edit(small, { manageStock: false });
    expect(await f.productStock(small)).toBe(20); // WooCommerce sells it from the parent's stock now.
    await drain();
    let rows = (await f.outbox()).slice(before);
    // Retired as a rename retires the old SKU: the same event shape and id scheme.
    expect(rows.map((r) => r.payload)).toEqual([
      expect.objectContaining({ type: 'stock.adjusted', sku: sSku, set: 0, basis: 'available', reason: `stock counted under parent SKU ${parentSku}` }),
    ]);
    expect(rows[0]!.event_id).toMatch(new RegExp(`:sku:${small}:\\d+:retire$`));
    expect(rows[0]).toMatchObject({ status: 'delivered', result: 'applied' });
    expect(await stock(sSku)).toMatchObject({ available: 0 });
    expect(await stock(parentSku)).toMatchObject({ onHand: 20, available: 20 });
    // Saved again unchanged: nothing more.
    before = (await f.outbox()).length;
    await edit(small, {});
    expect((await f.outbox()).slice(before)).toEqual([]);

    // A sale of it is the parent's now.
    const c = await f.checkout([{ productId: small, qty: 1 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    await drain();
    expect(await stock(parentSku)).toMatchObject({ onHand: 20, committed: 1, available: 19 });
    expect(await stock(sSku)).toMatchObject({ available: 0, committed: 0 });

    // Ticked again: its own stock (still 12 in WooCommerce) is counted under its own SKU again,
    // and a new number typed in the same save is sent once, as the stock edit it is.
    before = (await f.outbox()).length;
    await edit(small, { manageStock: true });
    await drain();
    expect((await f.outbox()).slice(before).map((r) => r.payload)).toEqual([
      expect.objectContaining({ type: 'stock.adjusted', sku: sSku, set: 12, basis: 'available', reason: 'own stock again' }),
    ]);
    expect(await stock(sSku)).toMatchObject({ available: 12 });
    await edit(small, { manageStock: false });
    before = (await f.outbox()).length;
    await edit(small, { manageStock: true, stock: 9 });
    await drain();
    expect((await f.outbox()).slice(before).map((r) => [r.payload.sku, r.payload.set, r.payload.reason])).toEqual([[sSku, 9, 'woocommerce stock edit']]);
    expect(await stock(sSku)).toMatchObject({ available: 9 });
    expect(await stock(parentSku)).toMatchObject({ available: 19 });
  });

  it('"Manage stock" unticked on a simple product, or on a variation whose parent manages no stock either, sends nothing (unchanged)', async () => {
    const plainSku = f.sku('BENCH');
    const plain = await f.product({ sku: plainSku, stock: 5, name: 'Bench' });
    const parent = await f.product({ sku: f.sku('RUG'), stock: null, manageStock: false, name: 'Rug' });
    const redSku = f.sku('RUG-RED');
    const red = await f.product({ sku: redSku, stock: 3, parentId: parent, name: 'Rug, red' });
    await drain();
    const before = (await f.outbox()).length;
    await edit(plain, { manageStock: false });
    await edit(red, { manageStock: false });
    expect((await f.outbox()).slice(before)).toEqual([]);
    expect(await stock(plainSku)).toMatchObject({ available: 5 });
    expect(await stock(redSku)).toMatchObject({ available: 3 });
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
