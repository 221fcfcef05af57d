import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../companion/src/http/signature';
import { adminPage, rest, testApi, wp } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * Quick Edit on the Products list saved the stock number its form was filled with over a sale
 * that landed while it was open (found on WooCommerce 9.2.5): the form showed 8, a Shopify sale
 * of 2 made the companion push 6 into WooCommerce, the merchant changed only the price and
 * clicked Update, WooCommerce wrote 8 back and Stockline sent it as a person's count, so every
 * channel sold 2 units that were gone. The save here is WordPress's real admin-ajax.php
 * inline-save, with WooCommerce's Quick Edit stock save stood in on save_post at priority 10
 * (mu-plugins/stockline-test/woocommerce-quick-edit.php).
 */
describe('Quick Edit does not save a stale stock over a sale', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const received = (sku: string) => f.companion.received().filter((e) => e.sku === sku);

  /** Opening Quick Edit on the product's row: the nonces of the page, the form's extra fields, the stock it shows. */
  const openQuickEdit = async (id: number) => {
    const r = await rest<{ inlineEditNonce: string; quickEditNonce: string; formEnd: string; inlineStock: string }>('GET', `stockline-test/v1/quick-edit/${id}`, {
      session: f.admin,
      headers: { 'x-stockline-test': wp().testToken },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  /** Clicking Update: the fields the Quick Edit form posts (WordPress's and WooCommerce's), as inline-edit-post.js sends them. */
  const update = async (id: number, form: Awaited<ReturnType<typeof openQuickEdit>>, fields: Record<string, string>) => {
    const res = await fetch(`${wp().url}/wp-admin/admin-ajax.php`, {
      method: 'POST',
      headers: { cookie: f.admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        action: 'inline-save',
        post_type: 'product',
        post_ID: String(id),
        _inline_edit: form.inlineEditNonce,
        screen: 'edit-product',
        post_view: 'list',
        _status: 'publish',
        woocommerce_quick_edit: '1',
        woocommerce_quick_edit_nonce: form.quickEditNonce,
        _manage_stock: 'yes',
        _regular_price: '12',
        ...fields,
      }),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 2000)).toBe(200);
  };

  const push = (sku: string, quantity: number, expected: number) => {
    const raw = JSON.stringify({ items: [{ sku, quantity, expected }] });
    return rest('POST', 'stockline/v1/stock', { rawBody: raw, headers: { 'x-stockline-signature': sign(f.companion.secret, raw) } });
  };

  const notices = async () => {
    const html = (await adminPage('index.php', f.admin)).html;
    return [...html.matchAll(/<div class="notice notice-warning is-dismissible stockline-quick-edit-stock"><p>([^<]*)<\/p><\/div>/g)].map((m) => m[1]);
  };

  it('a price-only save after a sale keeps the sale: WooCommerce stays at 6, nothing is sent, the merchant is told once', async () => {
    const sku = f.sku('QE');
    const id = await f.product({ sku, stock: 8, name: 'Quick Mug' });
    await f.drain();
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ available: 8 });

    // The merchant opens Quick Edit: the form shows 8, and carries it as the number it showed
    // (the hidden field the guard adds, filled by its script from the same inline data).
    const form = await openQuickEdit(id);
    expect(form.inlineStock).toBe('8');

    // Meanwhile Shopify sells 2: the ledger takes them, the companion pushes 6 into WooCommerce.
    await f.companion.apply({ id: `shopify:${sku}:sold`, type: 'order.confirmed', source: 'shopify', occurredAt: new Date().toISOString(), orderId: `shopify-${sku}`, lines: [{ sku, qty: 2 }] });
    expect((await push(sku, 6, 8)).body).toEqual({ results: [{ sku, status: 'ok', quantity: 6 }] });
    const before = received(sku).length;

    // Only the price changed; the form still posts its 8.
    await update(id, form, { post_title: 'Quick Mug', _stock: '8', _stockline_original_stock: form.inlineStock });

    expect(await f.productStock(id)).toBe(6);
    await f.drain();
    expect(received(sku).slice(before)).toEqual([]);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ available: 6 });

    const shown = await notices();
    expect(shown).toHaveLength(1);
    expect(shown[0]).toContain('Quick Mug');
    expect(shown[0]).toContain('changed from 8 to 6 while Quick Edit was open');
    expect(await notices()).toEqual([]); // Once.
    expect(form.formEnd).toBe('<input type="hidden" name="_stockline_original_stock" value="" />');
  });

  it('a stock typed over a changed stock is refused the same way (as the product screen refuses it)', async () => {
    const sku = f.sku('QE');
    const id = await f.product({ sku, stock: 8, name: 'Quick Jug' });
    await f.drain();
    const form = await openQuickEdit(id);
    await f.companion.apply({ id: `shopify:${sku}:sold`, type: 'order.confirmed', source: 'shopify', occurredAt: new Date().toISOString(), orderId: `shopify-${sku}`, lines: [{ sku, qty: 2 }] });
    await push(sku, 6, 8);
    const before = received(sku).length;

    await update(id, form, { post_title: 'Quick Jug', _stock: '12', _stockline_original_stock: form.inlineStock });

    expect(await f.productStock(id)).toBe(6);
    await f.drain();
    expect(received(sku).slice(before)).toEqual([]);
    expect((await notices())[0]).toContain('the form&#039;s 12 was not saved');
  });

  it('a deliberate stock edit with no sale in between goes through and reaches the ledger, with no notice', async () => {
    const sku = f.sku('QE');
    const id = await f.product({ sku, stock: 8, name: 'Quick Bowl' });
    await f.drain();
    const form = await openQuickEdit(id);

    await update(id, form, { post_title: 'Quick Bowl', _stock: '12', _stockline_original_stock: form.inlineStock });

    expect(await f.productStock(id)).toBe(12);
    await f.drain();
    expect(received(sku).at(-1)).toMatchObject({ type: 'stock.adjusted', set: 12, basis: 'available', reason: 'woocommerce stock edit' });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ available: 12 });
    expect(await notices()).toEqual([]);
  });
});
