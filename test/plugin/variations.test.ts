import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rest, runCron, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * WooCommerce shows a variation without its own SKU under its parent's (get_sku() in 'view'
 * context). Stockline must not count such a variation's stock or sales under the parent's SKU:
 * two variations would overwrite each other's count, and a sale of one would reduce the other.
 */
describe('variations without their own SKU', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const eventsFor = async (sku: string) =>
    (await f.outbox()).map((r) => r.payload).filter((e) => e.sku === sku || (e.lines ?? []).some((l: any) => l.sku === sku));

  it('are left out of stock edits, sales and the import (listed as needing a SKU), never counted as the parent', async () => {
    const parentSku = f.sku('SHIRT');
    const parent = await f.product({ sku: parentSku, stock: 0, manageStock: false, name: 'Shirt' });
    const small = await f.product({ sku: '', stock: 9, parentId: parent, name: 'Shirt, small' });
    const large = await f.product({ sku: '', stock: 4, parentId: parent, name: 'Shirt, large' });
    // WooCommerce itself shows them under the parent's SKU: that is what made them look counted.
    expect((await testApi('GET', `products/${small}`)).sku).toBe(parentSku);

    // Stock typed on the variations' screens.
    await testApi('POST', `products/${small}/edit`, { stock: 8 });
    // A sale of the small one.
    const c = await f.checkout([{ productId: small, qty: 1 }]);
    expect(c.ok).toBe(true);
    await f.setStatus(c.orderId!, 'payment_complete');
    await f.setStatus(c.orderId!, 'completed');

    expect(await eventsFor(parentSku)).toEqual([]);
    await testApi('POST', 'drain', { force: true });
    expect(f.companion.received().filter((e) => e.sku === parentSku || (e.lines ?? []).some((l: any) => l.sku === parentSku))).toEqual([]);
    expect(await f.companion.ledger.getStock('default', parentSku)).toBeNull();
    const log = (await testApi('GET', 'state')).log as Array<{ message: string }>;
    expect(log).toContainEqual(expect.objectContaining({ message: expect.stringContaining('Shirt, small') }));

    // The import lists them as needing a SKU instead of setting the parent's SKU twice.
    let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart: true } })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron();
      p = (await rest('GET', 'stockline/v1/admin/import', { session: f.admin })).body;
    }
    expect(p.state).toBe('done');
    expect(p.needsSku).toEqual(expect.arrayContaining([{ id: small, name: 'Shirt, small' }, { id: large, name: 'Shirt, large' }]));
    expect(await f.companion.ledger.getStock('default', parentSku)).toBeNull();
  });

  it('with their own SKU are counted under it', async () => {
    const parent = await f.product({ sku: f.sku('CAP'), stock: 0, manageStock: false, name: 'Cap' });
    const redSku = f.sku('CAP-RED');
    const red = await f.product({ sku: redSku, stock: 6, parentId: parent, name: 'Cap, red' });
    await testApi('POST', `products/${red}/edit`, { stock: 5 });
    const c = await f.checkout([{ productId: red, qty: 2 }]);
    await f.setStatus(c.orderId!, 'payment_complete');
    expect(await f.companion.ledger.getStock('default', redSku)).toMatchObject({ onHand: 5, committed: 2 });
  });

  it('whose stock the parent manages are still counted under the parent, where the stock is (unchanged)', async () => {
    const mugSku = f.sku('MUG');
    const mug = await f.product({ sku: mugSku, stock: 10, name: 'Mug' });
    // No stock of its own ('manage stock' off): WooCommerce takes the parent's (get_manage_stock() === 'parent').
    const blue = await f.product({ sku: '', stock: null, manageStock: false, parentId: mug, name: 'Mug, blue' });
    const c = await f.checkout([{ productId: blue, qty: 3 }]);
    expect(c.ok).toBe(true);
    await f.setStatus(c.orderId!, 'payment_complete');
    expect(await f.productStock(mug)).toBe(7);
    expect(await f.companion.ledger.getStock('default', mugSku)).toMatchObject({ onHand: 10, committed: 3 });
  });

  it('whose stock the parent manages but which have a SKU of their own are sold from the parent\'s count', async () => {
    const jarSku = f.sku('JAR');
    const jar = await f.product({ sku: jarSku, stock: 8, name: 'Jar' });
    // A SKU per size (a barcode), the stock kept on the product: sales take the parent's units.
    const smallSku = f.sku('JAR-S');
    const small = await f.product({ sku: smallSku, stock: null, manageStock: false, parentId: jar, name: 'Jar, small' });
    const c = await f.checkout([{ productId: small, qty: 2 }]);
    expect(c).toMatchObject({ ok: true, guard: { outcome: 'held' } });
    await f.setStatus(c.orderId!, 'payment_complete');
    expect(await f.productStock(jar)).toBe(6);
    expect(await f.companion.ledger.getStock('default', jarSku)).toMatchObject({ onHand: 8, committed: 2, available: 6 });
    expect(await f.companion.ledger.getStock('default', smallSku)).toBeNull();
    expect(await eventsFor(smallSku)).toEqual([]);
  });
});
