/**
 * The Shopify and WooCommerce receivers mounted in the real companion app (buildApp plugins,
 * its own raw-JSON parser and error handler at the root): the webhooks land in the ledger, a bad
 * signature changes no key at all, and the app's own JSON routes keep working beside them.
 */
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { createShopifyChannel, shopifyWebhookEvents, signShopifyWebhook } from '../../companion/src/channels/shopify';
import { createWooCommerceChannel, signWooWebhook, wooOrderEvents } from '../../companion/src/channels/woocommerce';
import { StockEvent } from '../../companion/src/schemas/events';
import { apiFixture, type ApiFixture } from '../api/helpers';

let f: ApiFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const SHOPIFY_SECRET = 'shopify-webhook-secret';
const WOO_SECRET = 'woo-webhook-secret';

async function mount() {
  // The plugin runs inside buildApp, before the fixture exists: delivery dedup stays in memory here.
  const deps = { tenant: 'default' };
  f = await apiFixture({
    plugins: [
      (app) => {
        const sink = (events: StockEvent[]) => f!.ledger.applyBatch(events);
        const shopify = createShopifyChannel({ shop: 'x.myshopify.com', token: 't', locationId: 'gid://shopify/Location/1', webhookSecret: SHOPIFY_SECRET }, deps);
        const woo = createWooCommerceChannel({ url: 'http://woo.invalid', key: 'ck', secret: 'cs', webhookSecret: WOO_SECRET }, deps);
        shopify.ingestion.routes!(app, (e) => sink(e));
        woo.ingestion.routes!(app, (e) => sink(e));
      },
    ],
  });
  await f.ledger.apply({ id: 'seed', type: 'stock.adjusted', source: 'manual', occurredAt: new Date(Date.now() - 60_000).toISOString(), sku: 'A', set: 10, reason: 'count' });
  return f;
}

describe('channel webhooks inside the companion app', () => {
  it('records a Shopify order and a WooCommerce order, and refuses bad signatures without changing a key', async () => {
    const fx = await mount();
    const shopifyBody = JSON.stringify({ id: 1, created_at: new Date().toISOString(), line_items: [{ sku: 'A', quantity: 2 }] });
    const fingerprint = await fx.fingerprint();
    const bad = await fx.app.inject({
      method: 'POST',
      url: '/v1/webhooks/shopify',
      headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': signShopifyWebhook(shopifyBody, 'wrong'), 'x-shopify-webhook-id': 'w1' },
      payload: shopifyBody,
    });
    const badWoo = await fx.app.inject({
      method: 'POST',
      url: '/v1/webhooks/woocommerce',
      headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-signature': signWooWebhook('{}', WOO_SECRET) },
      payload: JSON.stringify({ id: 5, status: 'processing', line_items: [{ sku: 'A', quantity: 1 }] }),
    });
    expect([bad.statusCode, badWoo.statusCode]).toEqual([401, 401]);
    expect(await fx.fingerprint()).toBe(fingerprint);

    const ok = await fx.app.inject({
      method: 'POST',
      url: '/v1/webhooks/shopify',
      headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': signShopifyWebhook(shopifyBody, SHOPIFY_SECRET), 'x-shopify-webhook-id': 'w1' },
      payload: shopifyBody,
    });
    const wooBody = JSON.stringify({ id: 5, status: 'processing', date_created_gmt: '2026-01-01T00:00:00', line_items: [{ sku: 'A', quantity: 1 }] });
    const okWoo = await fx.app.inject({
      method: 'POST',
      url: '/v1/webhooks/woocommerce',
      headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-source': 'https://shop.example/', 'x-wc-webhook-delivery-id': 'd1', 'x-wc-webhook-signature': signWooWebhook(wooBody, WOO_SECRET) },
      payload: wooBody,
    });
    const ping = await fx.app.inject({ method: 'POST', url: '/v1/webhooks/woocommerce', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'webhook_id=3' });
    expect([ok.statusCode, okWoo.statusCode, ping.statusCode]).toEqual([200, 200, 200]);
    expect(await fx.ledger.getStock('default', 'A')).toMatchObject({ committed: 3, available: 7 });
    const audit = await fx.ledger.listAudit('default', { sku: 'A', type: 'order.confirmed' });
    expect(audit.items.map((e) => e.eventId).sort()).toEqual(['shopify:1:confirmed', 'woocommerce:woo.invalid:5:confirmed']);
    // The app's own JSON routes still parse bodies with its parser.
    const events = await fx.post({ id: 'manual-1', type: 'stock.received', source: 'manual', occurredAt: new Date().toISOString(), sku: 'A', qty: 1 });
    expect(events.statusCode).toBe(200);
  });
});

describe('webhook payloads become events the contract accepts', () => {
  const shopifyCases: [string, unknown][] = [
    ['orders/create', { id: 9, created_at: '2026-03-01T10:00:00-05:00', line_items: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }, { sku: null, quantity: 1 }, { sku: '  ', quantity: 1 }, { sku: 'B', quantity: 2_000_000 }] }],
    ['orders/cancelled', { id: 9, created_at: '2026-03-01T10:00:00Z', cancelled_at: '2026-03-01T11:00:00Z', cancel_reason: 'customer', line_items: [{ sku: 'A', quantity: 1 }] }],
    ['refunds/create', { id: 3, order_id: 9, created_at: '2026-03-02T10:00:00Z', refund_line_items: [{ id: 1, quantity: 1, restock_type: 'return', line_item: { sku: 'A' } }] }],
  ];
  it.each(shopifyCases)('Shopify %s', (topic, payload) => {
    const events = shopifyWebhookEvents(topic, payload, 'default');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(Value.Check(StockEvent, e)).toBe(true);
    if (topic === 'orders/create') expect(events[0]).toMatchObject({ id: 'shopify:9:confirmed', orderId: 'shopify:9', lines: [{ sku: 'A', qty: 3 }], occurredAt: '2026-03-01T15:00:00.000Z' });
  });

  it.each(['processing', 'completed', 'on-hold', 'cancelled', 'refunded'])('WooCommerce order %s', (status) => {
    const events = wooOrderEvents({ id: 12, status, date_created_gmt: '2026-03-01T10:00:00', date_modified_gmt: '2026-03-01T11:00:00', line_items: [{ sku: 'A', quantity: 2 }] }, '127.0.0.1:8080', 'default');
    const second = { cancelled: 'cancelled', refunded: 'shipped', completed: 'shipped' }[status];
    expect(events.map((e) => e.id)).toEqual([
      'woocommerce:127.0.0.1:8080:12:confirmed',
      ...(second ? [`woocommerce:127.0.0.1:8080:12:${second}`] : []),
    ]);
    for (const e of events) expect(Value.Check(StockEvent, e)).toBe(true);
  });
});
