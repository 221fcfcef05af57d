import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * A product that does not manage its stock, set to "Out of stock" by hand (acceptance pass 24:
 * WooCommerce said out of stock, every marketplace kept selling 6): its SKU is counted 0.
 */
describe('stock status set by hand', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });


  it('counts 0 for a product without managed stock marked out of stock; back in stock sends no number', async () => {
    const sku = f.sku('SS');
    const id = await f.product({ sku, stock: 6 });
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ available: 6 });

    await testApi('POST', `products/${id}/edit`, { manageStock: false });
    await testApi('POST', `products/${id}/edit`, { stockStatus: 'outofstock' });
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ onHand: 0, available: 0 });
    const rows = (await f.outbox()).filter((r) => r.payload.sku === sku && String(r.event_id).includes(':stockstatus:'));
    expect(rows.map((r) => r.payload)).toEqual([expect.objectContaining({ type: 'stock.adjusted', set: 0, basis: 'available', reason: 'marked out of stock in WooCommerce' })]);

    await testApi('POST', `products/${id}/edit`, { stockStatus: 'instock' });
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ available: 0 });
    expect((await f.outbox()).filter((r) => r.payload.sku === sku && String(r.event_id).includes(':stockstatus:'))).toHaveLength(1);
  });

  it('leaves a product that manages its stock to its quantity', async () => {
    const sku = f.sku('SM');
    const id = await f.product({ sku, stock: 4 });
    await testApi('POST', `products/${id}/edit`, { stockStatus: 'outofstock' });
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ available: 4 });
  });
});
