import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * WooCommerce's "Duplicate" (acceptance pass 24): the draft copy's stock, the original's shelf
 * again, was counted under the copy's SKU: 15 more units, shown as sellable everywhere.
 */
describe('a duplicated product', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });


  it('is not counted as a draft, is counted when published, and a stock typed on it first is counted then', async () => {
    const sku = f.sku('DUP');
    const id = await f.product({ sku, stock: 15 });
    const copy = await testApi<{ id: number; sku: string }>('POST', `products/${id}/duplicate`);
    expect(copy.sku).toBe(`${sku}-1`);
    expect(await f.productStock(copy.id)).toBe(15);
    await f.drain();
    expect(await f.stock(sku)).toMatchObject({ available: 15 });
    expect(await f.stock(copy.sku)).toBeNull();

    await testApi('POST', `products/${copy.id}/publish`);
    await f.drain();
    expect(await f.stock(copy.sku)).toMatchObject({ available: 15 });

    // A copy whose SKU the owner renames while a draft (the usual next step): still not counted,
    // under either SKU; published, it is counted under the new one (the re-test counted the draft).
    const renamed = await testApi<{ id: number; sku: string }>('POST', `products/${id}/duplicate`);
    const newSku = f.sku('DUPNEW');
    await testApi('POST', `products/${renamed.id}/edit`, { sku: newSku });
    await f.drain();
    expect(await f.stock(newSku)).toBeNull();
    await testApi('POST', `products/${renamed.id}/publish`);
    await f.drain();
    expect(await f.stock(newSku)).toMatchObject({ available: 15 });

    // A copy published with a stock typed in the same save: that count alone, no 15 first (the re-test saw +15 then −11).
    const typed = await testApi<{ id: number; sku: string }>('POST', `products/${id}/duplicate`);
    const typedSku = f.sku('DUPTYPED');
    await testApi('POST', `products/${typed.id}/edit`, { sku: typedSku });
    await testApi('POST', `products/${typed.id}/publish`, { stock: 6 });
    await f.drain();
    expect(await f.stock(typedSku)).toMatchObject({ available: 6, version: 1 });

    // Another copy whose stock the owner sets before publishing: that count, once; publishing adds nothing.
    const second = await testApi<{ id: number; sku: string }>('POST', `products/${copy.id}/duplicate`);
    await f.drain();
    expect(await f.stock(second.sku)).toBeNull();
    await testApi('POST', `products/${second.id}/edit`, { stock: 4 });
    await testApi('POST', `products/${second.id}/publish`);
    await f.drain();
    expect(await f.stock(second.sku)).toMatchObject({ available: 4, version: 1 });
  });
});
