/**
 * WooCommerce order webhooks reach the real ledger: duplicated, reordered and late deliveries
 * change it exactly once; a bad signature is refused 401 and changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWooCommerceChannel, signWooWebhook, startWooCommerceSandbox, type WooCommerceSandboxHandle } from '../../companion/src/channels/woocommerce';
import { ChannelError, type EventSink } from '../../companion/src/channels/port';
import { WooClient } from '../../companion/src/channels/woocommerce/client';
import { WooOrderPoller } from '../../companion/src/channels/woocommerce/poller';
import { cursorStore } from '../../companion/src/channels/shopify/polling';
import { createTestLedger, serveWebhooks, type TestLedger } from './books';

let books: TestLedger;
let sandbox: WooCommerceSandboxHandle | undefined;
let hookUrl: string;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

let failSink = 0;
let channel: ReturnType<typeof createWooCommerceChannel>;
async function start(opts: Parameters<typeof startWooCommerceSandbox>[0] = {}, withWebhook = true) {
  books = await createTestLedger();
  sandbox = await startWooCommerceSandbox(opts);
  channel = createWooCommerceChannel(
    { url: sandbox.url, key: sandbox.credentials.key!, secret: sandbox.credentials.secret!, webhookSecret: sandbox.webhookSecret },
    { redis: books.redis, keys: books.keys, tenant: 'default' },
  );
  const sink: EventSink = async (events) => {
    if (failSink > 0) {
      failSink--;
      throw new Error('redis down');
    }
    return books.ledger.applyBatch(events);
  };
  hookUrl = await serveWebhooks(channel.ingestion, sink, 'woocommerce');
  if (withWebhook) expect(await sandbox.createWebhook(hookUrl)).toEqual({ ok: true, status: 200 }); // the creation ping is answered 200
  await books.seedListings(opts.listings);
}

function deliver(order: Record<string, unknown>, topic: string, o: { deliveryId?: string; secret?: string } = {}) {
  const body = JSON.stringify(order);
  return fetch(hookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-source': sandbox!.siteUrl,
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-resource': 'order',
      'x-wc-webhook-event': topic.split('.')[1]!,
      'x-wc-webhook-signature': signWooWebhook(body, o.secret ?? sandbox!.webhookSecret),
      'x-wc-webhook-id': '1',
      'x-wc-webhook-delivery-id': o.deliveryId ?? Math.random().toString(16).slice(2),
    },
    body,
  });
}
const gmt = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString().slice(0, 19);
const order = (id: number, status: string, qty = 2) => ({ id, status, date_created_gmt: gmt(1000), date_modified_gmt: gmt(), line_items: [{ id: id * 10, sku: 'A', quantity: qty, product_id: 5, variation_id: 0 }] });

describe('WooCommerce webhooks into the ledger', () => {
  it('applies duplicated and reordered deliveries exactly once', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }], faults: { duplicateRate: 1, reorder: true, deliveryDelayMs: 20 } });
    await sandbox!.placeOrder('A', 1);
    const o2 = await sandbox!.placeOrder('A', 2);
    await sandbox!.placeOrder('A', 3);
    await sandbox!.cancelOrder(o2.orderId!);
    await sandbox!.deliveriesIdle();
    expect(sandbox!.deliveries().filter((d) => d.status === 200)).toHaveLength(8);
    expect(await books.stock('A')).toMatchObject({ onHand: 10, committed: 4, available: 6 });
    const types = await books.auditTypes('A');
    expect(types.filter((x) => x === 'order.confirmed')).toHaveLength(3);
    expect(types.filter((x) => x === 'order.cancelled')).toHaveLength(1);
  });

  it('nets a cancellation delivered before its creation to zero, and ignores the late creation', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    expect((await deliver(order(71, 'cancelled'), 'order.updated')).status).toBe(200);
    expect((await deliver(order(71, 'processing'), 'order.created')).status).toBe(200);
    expect(await books.stock('A')).toMatchObject({ committed: 0, available: 10 });
    expect(await books.auditTypes('A')).toEqual(['stock.adjusted', 'order.confirmed', 'order.cancelled']);
  });

  it('tells apart two orders delivered under the same delivery id (core hashes webhook id + second)', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    await deliver(order(81, 'processing', 1), 'order.created', { deliveryId: 'same' });
    await deliver(order(82, 'processing', 2), 'order.created', { deliveryId: 'same' });
    await deliver(order(82, 'processing', 2), 'order.created', { deliveryId: 'same' });
    expect(await books.stock('A')).toMatchObject({ committed: 3, available: 7 });
    // A real change of order 82 within the same second still counts.
    await deliver(order(82, 'cancelled', 2), 'order.created', { deliveryId: 'same' });
    expect(await books.stock('A')).toMatchObject({ committed: 1, available: 9 });
  });

  it('records nothing for pending orders, ships completed ones, and ignores late earlier states', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    await deliver(order(91, 'pending'), 'order.created');
    expect(await books.auditTypes('A')).toEqual(['stock.adjusted']);
    await deliver(order(91, 'processing'), 'order.updated');
    await deliver(order(91, 'completed'), 'order.updated');
    await deliver(order(91, 'processing'), 'order.updated'); // late, out of order
    await deliver(order(91, 'cancelled'), 'order.updated'); // after shipping: nothing left to put back
    expect(await books.stock('A')).toMatchObject({ onHand: 8, committed: 0, available: 8 });
    expect(await books.auditTypes('A')).toEqual(['stock.adjusted', 'order.confirmed', 'stock.shipped']);
  });

  it('counts a refunded order as gone, not put back: core restores stock only when the refund says restock', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    await deliver(order(95, 'processing'), 'order.created');
    await deliver(order(95, 'refunded'), 'order.updated');
    expect(await books.stock('A')).toMatchObject({ onHand: 8, committed: 0, available: 8 });
    // A refund seen before its order's creation, and a refund after shipping, count the units once.
    await deliver(order(96, 'refunded', 3), 'order.updated');
    await deliver(order(96, 'processing', 3), 'order.created');
    await deliver(order(97, 'completed', 1), 'order.updated');
    await deliver(order(97, 'refunded', 1), 'order.updated');
    expect(await books.stock('A')).toMatchObject({ onHand: 4, committed: 0, available: 4 });
    expect((await books.auditTypes('A')).filter((x) => x === 'order.cancelled')).toHaveLength(0);
  });

  it('answers 500 when the ledger could not record the order, and records it on the next delivery', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    failSink = 1;
    expect((await deliver(order(61, 'processing'), 'order.created', { deliveryId: 'x' })).status).toBe(500);
    expect(await books.stock('A')).toMatchObject({ committed: 0 });
    expect((await deliver(order(61, 'processing'), 'order.created', { deliveryId: 'x' })).status).toBe(200);
    expect(await books.stock('A')).toMatchObject({ committed: 2 });
  });

  it('refuses a bad signature with 401 and changes nothing', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    const before = await books.stock('A');
    const res = await deliver(order(99, 'processing'), 'order.created', { secret: 'wrong' });
    expect(res.status).toBe(401);
    const unsigned = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created' }, body: JSON.stringify(order(99, 'processing')) });
    expect(unsigned.status).toBe(401);
    expect(await books.stock('A')).toEqual(before);
  });

  it('recovers orders whose webhooks were lost through the reconciliation poll, exactly once', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] }, false); // no webhook: every delivery is lost
    await sandbox!.placeOrder('A', 1);
    const o2 = await sandbox!.placeOrder('A', 2);
    await sandbox!.cancelOrder(o2.orderId!);
    const sink: EventSink = (events) => books.ledger.applyBatch(events);
    expect(await channel.poller.pollOnce(sink)).toBe(3); // confirmed; confirmed + cancelled
    expect(await books.stock('A')).toMatchObject({ committed: 1, available: 9 });
    await channel.poller.pollOnce(sink); // overlapping window: the same orders again
    // …and the webhook arriving after all (late) changes nothing either.
    expect((await deliver(order(Number(o2.orderId), 'cancelled', 2), 'order.updated')).status).toBe(200);
    expect(await books.stock('A')).toMatchObject({ committed: 1, available: 9 });
    const types = await books.auditTypes('A');
    expect(types.filter((x) => x === 'order.confirmed')).toHaveLength(2);
    expect(types.filter((x) => x === 'order.cancelled')).toHaveLength(1);
  });

  it('stands aside while the store runs the Stockline plugin, which reports its orders itself: nothing is counted twice', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }], pluginSecret: 'the-tenant-secret' });
    const placedAt = Date.now();
    const placed = await sandbox!.placeOrder('A', 2);
    await sandbox!.deliveriesIdle();
    // The store's webhook is acknowledged (WooCommerce would disable a failing one) and not recorded…
    expect(sandbox!.deliveries()).toEqual([expect.objectContaining({ topic: 'order.created', status: 200 })]);
    const res = await deliver(order(Number(placed.orderId), 'processing', 2), 'order.updated');
    expect(await res.json()).toMatchObject({ ok: true, ignored: true });
    // …the poll records nothing and moves its cursor past these orders…
    const sink: EventSink = (events) => books.ledger.applyBatch(events);
    expect(await channel.poller.pollOnce(sink)).toBe(0);
    expect(await books.stock('A')).toMatchObject({ committed: 0, available: 10 });
    expect(await books.auditTypes('A')).toEqual(['stock.adjusted']);
    const cursor = await books.redis.get(books.keys.propagation('default', 'ingest:woocommerce:cursor'));
    expect(Date.parse(`${cursor}Z`)).toBeGreaterThanOrEqual(placedAt - 1000); // one-second precision
  });

  it('records nothing for an order the Stockline plugin reported (its _stockline_state meta), even once the plugin is gone', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] }, false); // a store without the plugin (now)
    const reported = await sandbox!.placeOrder('A', 2);
    expect(sandbox!.setOrderMeta(reported.orderId!, '_stockline_state', 'confirmed:1')).toBe(true);
    await sandbox!.placeOrder('A', 3); // placed after the plugin was deactivated: nobody reported it
    const sink: EventSink = (events) => books.ledger.applyBatch(events);
    expect(await channel.poller.pollOnce(sink)).toBe(1);
    const marked = { ...order(Number(reported.orderId), 'completed', 2), meta_data: [{ id: 1, key: '_stockline_state', value: 'confirmed:1' }] };
    expect(await (await deliver(marked, 'order.updated')).json()).toMatchObject({ ok: true, events: 0 });
    expect(await books.stock('A')).toMatchObject({ onHand: 10, committed: 3 });
  });

  it("records a store's orders under the plugin's ids while the plugin is off, once it has said its site id (kept across a restart)", async () => {
    const site = 'wc0123abcd';
    await start({ listings: [{ sku: 'A', quantity: 10 }], pluginSecret: 'the-tenant-secret', pluginSiteId: site });
    const sink: EventSink = (events) => books.ledger.applyBatch(events);
    expect(await channel.poller.pollOnce(sink)).toBe(0); // the plugin answers (and says its site id): the poll stands aside
    sandbox!.setPluginActive(false); // deactivated
    // The companion restarts while the plugin is off: what the plugin said is remembered in Redis.
    channel = createWooCommerceChannel(
      { url: sandbox!.url, key: sandbox!.credentials.key!, secret: sandbox!.credentials.secret!, webhookSecret: sandbox!.webhookSecret },
      { redis: books.redis, keys: books.keys, tenant: 'default' },
    );
    hookUrl = await serveWebhooks(channel.ingestion, sink, 'woocommerce');
    const placed = Number((await sandbox!.placeOrder('A', 3)).orderId);
    expect(await channel.poller.pollOnce(sink)).toBe(1);
    expect(await books.stock('A')).toMatchObject({ committed: 3, available: 7 });
    // A webhook of the same order is the same event.
    expect(await (await deliver(order(placed, 'processing', 3), 'order.updated')).json()).toMatchObject({ ok: true, events: 1 });
    expect(await books.stock('A')).toMatchObject({ committed: 3 });
    // The plugin, active again, sends the sale it catches up under its hooks' ids: a duplicate…
    const at = new Date().toISOString();
    const orderId = `${site}:${placed}`;
    const caughtUp = await books.ledger.apply({ id: `${orderId}:confirmed`, type: 'order.confirmed', source: 'woocommerce', occurredAt: at, orderId, lines: [{ sku: 'A', qty: 3 }] });
    expect(caughtUp.status).toBe('duplicate');
    // …and the cancel it sends later reaches the order (under the poll's own ids it was unknown_order).
    const cancel = await books.ledger.apply({ id: `${orderId}:cancelled`, type: 'order.cancelled', source: 'woocommerce', occurredAt: at, orderId, reason: 'cancelled' });
    expect(cancel.status).toBe('applied');
    expect(await books.stock('A')).toMatchObject({ committed: 0, available: 10 });
  });

  it('still polls when the store will not say whether it runs the plugin (the probe is refused)', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] }, false);
    await sandbox!.placeOrder('A', 2);
    const client = new WooClient({ url: sandbox!.url, consumerKey: sandbox!.credentials.key!, consumerSecret: sandbox!.credentials.secret! });
    const poller = new WooOrderPoller(client, {
      site: 'shop',
      cursor: cursorStore(undefined, ''),
      standAside: async () => {
        throw new ChannelError('WooCommerce 403 rest_forbidden (plugin probe)', 'auth', { status: 403 });
      },
    });
    expect(await poller.pollOnce((events) => books.ledger.applyBatch(events))).toBe(1);
    expect(await books.stock('A')).toMatchObject({ committed: 2 });
  });

  it('runs the poll from ingestion.start until stopped', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] }, false);
    await sandbox!.placeOrder('A', 4);
    let resolveSeen!: () => void;
    const seen = new Promise<void>((r) => (resolveSeen = r));
    const stop = await channel.ingestion.start!(async (events) => {
      const r = await books.ledger.applyBatch(events);
      resolveSeen();
      return r;
    });
    await seen;
    await stop();
    expect(await books.stock('A')).toMatchObject({ committed: 4 });
  });

  it('never reads its own stock writes back as changes (product.updated echoes are ignored)', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }], productWebhooks: true });
    const before = await books.stock('A');
    const out = await channel.adapter.push([{ sku: 'A', quantity: 7, expected: 10, version: 1, idempotencyKey: 'k1' }]);
    expect(out).toEqual([{ sku: 'A', status: 'ok', quantity: 7 }]);
    await sandbox!.deliveriesIdle();
    expect(sandbox!.deliveries()).toEqual([expect.objectContaining({ topic: 'product.updated', status: 200 })]);
    expect(await books.stock('A')).toEqual(before);
  });
});
