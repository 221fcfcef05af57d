/**
 * Shopify orders reach the real ledger through the webhook receiver: duplicated, reordered and
 * late deliveries change it exactly once; a bad HMAC is refused 401 and changes nothing; our
 * own pushes (inventory_levels/update echoes) are never read back as changes.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createShopifyChannel, signShopifyWebhook, startShopifySandbox, type ShopifySandboxHandle } from '../../companion/src/channels/shopify';
import type { EventSink } from '../../companion/src/channels/port';
import { missedWebhooks } from '../../companion/src/channels/missed-webhooks';
import { startPolling } from '../../companion/src/channels/shopify/polling';
import { createTestLedger, serveWebhooks, type TestLedger } from './books';
import { item } from './fixtures';

let books: TestLedger;
let sandbox: ShopifySandboxHandle | undefined;
let channel: ReturnType<typeof createShopifyChannel>;
let hookUrl: string;

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(opts: Parameters<typeof startShopifySandbox>[0], sink?: EventSink, withWebhook = true, webhookGraceMs?: number) {
  books = await createTestLedger();
  sandbox = await startShopifySandbox(opts);
  channel = createShopifyChannel(
    { shop: sandbox.shop, token: sandbox.credentials.token!, locationId: sandbox.locationId, webhookSecret: sandbox.webhookSecret, url: sandbox.url, webhookGraceMs },
    { redis: books.redis, keys: books.keys, tenant: 'default' },
  );
  hookUrl = await serveWebhooks(channel.ingestion, sink ?? ((events) => books.ledger.applyBatch(events)), 'shopify');
  if (withWebhook) sandbox.setWebhookUrl(hookUrl);
  await books.seedListings(opts?.listings);
}

function post(body: string, headers: Record<string, string>) {
  return fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}
function signedHeaders(topic: string, body: string, secret = sandbox!.webhookSecret) {
  return {
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': signShopifyWebhook(body, secret),
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-shop-domain': sandbox!.shop,
    'x-shopify-triggered-at': new Date().toISOString(),
  };
}

describe('Shopify webhooks into the ledger', () => {
  it('applies duplicated and reordered order deliveries exactly once', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }], faults: { duplicateRate: 1, reorder: true, deliveryDelayMs: 20 } });
    await sandbox!.placeOrder('A', 1);
    const o2 = await sandbox!.placeOrder('A', 2);
    await sandbox!.placeOrder('A', 3);
    await sandbox!.cancelOrder(o2.orderId!); // its cancel may well arrive before its create
    await sandbox!.deliveriesIdle();
    expect(sandbox!.deliveries().filter((d) => d.status === 200)).toHaveLength(10); // 5 webhooks, each twice
    expect(await books.stock('A')).toMatchObject({ onHand: 10, committed: 4, available: 6 });
    const types = await books.auditTypes('A');
    expect(types.filter((x) => x === 'order.confirmed')).toHaveLength(3);
    expect(types.filter((x) => x === 'order.cancelled')).toHaveLength(1);
  });

  it('nets a cancel delivered before its create to zero', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    const created = new Date(Date.now() - 1000).toISOString();
    const order = { id: 4242, created_at: created, cancelled_at: null, line_items: [{ sku: 'A', quantity: 3 }] };
    const cancelled = JSON.stringify({ ...order, cancelled_at: new Date().toISOString(), cancel_reason: 'customer' });
    const create = JSON.stringify(order);
    expect((await post(cancelled, signedHeaders('orders/cancelled', cancelled))).status).toBe(200);
    expect(await books.stock('A')).toMatchObject({ committed: 0, available: 10 });
    expect((await post(create, signedHeaders('orders/create', create))).status).toBe(200);
    expect(await books.stock('A')).toMatchObject({ committed: 0, available: 10 });
    expect(await books.auditTypes('A')).toEqual(['stock.adjusted', 'order.confirmed', 'order.cancelled']);
  });

  it('ignores a late redelivery of an order it already recorded', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    const placed = await sandbox!.placeOrder('A', 4);
    await sandbox!.deliveriesIdle();
    const before = await books.stock('A');
    expect(before).toMatchObject({ committed: 4, available: 6 });
    // Shopify re-sending the same delivery (same bytes, same webhook id) much later:
    const [first] = sandbox!.deliveries();
    expect(sandbox!.redeliver(first!.id)).toBe(true);
    await sandbox!.deliveriesIdle();
    // The same order under new delivery ids (an event re-emitted a day late), twice:
    const order = { id: Number(placed.orderId), created_at: new Date(Date.now() - 3_600_000).toISOString(), line_items: [{ sku: 'A', quantity: 4 }] };
    const body = JSON.stringify(order);
    expect((await post(body, signedHeaders('orders/create', body))).status).toBe(200);
    expect((await post(body, signedHeaders('orders/create', body))).status).toBe(200);
    expect(sandbox!.deliveries().map((d) => d.status)).toEqual([200, 200]);
    expect(await books.stock('A')).toEqual(before);
    expect((await books.auditTypes('A')).filter((x) => x === 'order.confirmed')).toHaveLength(1);
  });

  it('refuses a bad HMAC with 401 and changes nothing', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    const before = await books.stock('A');
    const body = JSON.stringify({ id: 77, created_at: new Date().toISOString(), line_items: [{ sku: 'A', quantity: 5 }] });
    const good = signedHeaders('orders/create', body);
    const cases = [
      { ...good, 'x-shopify-hmac-sha256': signShopifyWebhook(body, 'not-the-secret') },
      { ...good, 'x-shopify-hmac-sha256': '' },
      { ...good, 'x-shopify-hmac-sha256': 'AAAA' },
    ];
    for (const headers of cases) {
      const res = await post(body, headers);
      expect(res.status).toBe(401);
    }
    // Signed for a different body (tampered in transit):
    const tampered = await post(body.replace('"quantity":5', '"quantity":1'), good);
    expect(tampered.status).toBe(401);
    expect(await books.stock('A')).toEqual(before);
    expect(await books.auditTypes('A')).toEqual(['stock.adjusted']);
  });

  it('answers 500 when the ledger could not record the order, so Shopify retries and it lands once', async () => {
    let calls = 0;
    await start(
      { listings: [{ sku: 'A', quantity: 10 }], webhookRetryDelaysMs: [5, 5, 5] },
      async (events) => {
        if (++calls === 1) throw new Error('redis down');
        return books.ledger.applyBatch(events);
      },
    );
    await sandbox!.placeOrder('A', 2);
    await sandbox!.deliveriesIdle();
    expect(sandbox!.deliveries().map((d) => d.status)).toEqual([500, 200]);
    expect(await books.stock('A')).toMatchObject({ committed: 2, available: 8 });
  });

  it('turns a returned-and-restocked refund into stock.received once, and ignores cancel restocks', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    const refund = {
      id: 501,
      order_id: 900,
      created_at: new Date().toISOString(),
      refund_line_items: [
        { id: 1, quantity: 2, restock_type: 'return', line_item: { sku: 'A', quantity: 2 } },
        { id: 2, quantity: 1, restock_type: 'cancel', line_item: { sku: 'A', quantity: 1 } },
        { id: 3, quantity: 1, restock_type: 'no_restock', line_item: { sku: 'A', quantity: 1 } },
      ],
    };
    const body = JSON.stringify(refund);
    for (let i = 0; i < 2; i++) expect((await post(body, signedHeaders('refunds/create', body))).status).toBe(200);
    expect(await books.stock('A')).toMatchObject({ onHand: 12, available: 12 });
    expect(await books.auditTypes('A')).toEqual(['stock.adjusted', 'stock.received']);
  });

  it('never reads its own pushes back as changes (inventory_levels/update echoes are ignored)', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }], inventoryWebhooks: true });
    const before = await books.stock('A');
    expect(await channel.adapter.push([item('A', 7, 10)])).toEqual([{ sku: 'A', status: 'ok', quantity: 7 }]);
    await sandbox!.deliveriesIdle();
    expect(sandbox!.deliveries()).toEqual([expect.objectContaining({ topic: 'inventory_levels/update', status: 200 })]);
    expect(sandbox!.adjustments()[0]!.referenceDocumentUri).toMatch(/^gid:\/\/stockline\/Push\//);
    expect(await books.stock('A')).toEqual(before);
  });

  it('answers the webhook id it has already processed without touching the ledger again', async () => {
    let calls = 0;
    await start({ listings: [{ sku: 'A', quantity: 10 }] }, async (events) => {
      calls++;
      return books.ledger.applyBatch(events);
    });
    const body = JSON.stringify({ id: 55, created_at: new Date().toISOString(), line_items: [{ sku: 'A', quantity: 1 }] });
    const headers = signedHeaders('orders/create', body);
    const r1 = await post(body, headers);
    const r2 = await post(body, headers);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(await r2.json()).toEqual({ ok: true, duplicate: true });
    expect(calls).toBe(1);
  });

  it('recovers orders whose webhooks never arrived through the reconciliation poll, exactly once', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] }, undefined, false);
    await sandbox!.placeOrder('A', 1);
    const o2 = await sandbox!.placeOrder('A', 2);
    await sandbox!.cancelOrder(o2.orderId!);
    const sink: EventSink = (events) => books.ledger.applyBatch(events);
    expect(await channel.poller.pollOnce(sink)).toBe(3);
    expect(await books.stock('A')).toMatchObject({ committed: 1, available: 9 });
    await channel.poller.pollOnce(sink); // overlapping window
    // The webhook finally arriving a day late changes nothing either.
    const late = JSON.stringify({ id: Number(o2.orderId), created_at: new Date().toISOString(), line_items: [{ sku: 'A', quantity: 2 }] });
    expect((await post(late, signedHeaders('orders/create', late))).status).toBe(200);
    expect(await books.stock('A')).toMatchObject({ committed: 1, available: 9 });
    const types = await books.auditTypes('A');
    expect(types.filter((x) => x === 'order.confirmed')).toHaveLength(2);
    expect(types.filter((x) => x === 'order.cancelled')).toHaveLength(1);
  });

  it('notes orders that reached the ledger only through the poll although placed while it listened (webhooks not arriving), and not those whose webhook came', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] }, undefined, true, 0);
    const sink: EventSink = (events) => books.ledger.applyBatch(events);
    const store = missedWebhooks(books.redis, books.keys);
    // Delivered by its webhook first: the poll's copy is a duplicate, nothing is noted.
    await sandbox!.placeOrder('A', 1);
    await sandbox!.deliveriesIdle();
    await channel.poller.pollOnce(sink);
    expect(await store.last('default', 'shopify')).toBeNull();
    // The subscription is gone: the next two orders only the poll brings.
    sandbox!.setWebhookUrl('');
    await sandbox!.placeOrder('A', 2);
    const o3 = await sandbox!.placeOrder('A', 3);
    await channel.poller.pollOnce(sink);
    expect(await books.stock('A')).toMatchObject({ committed: 6 });
    expect(await store.last('default', 'shopify')).toMatchObject({ order: o3.orderId, count: 2 });
    // While webhooks do not arrive the poll runs every 30 s, not every 5 minutes; then back to 5.
    expect(channel.poller.missedLastPass).toBe(true);
    await channel.poller.pollOnce(sink);
    expect(channel.poller.missedLastPass).toBe(false);
  });

  it('runs the next pass after the wait it asks for after each pass (30 s while webhooks are missing, the interval otherwise)', async () => {
    let passes = 0;
    // With the 5-minute interval alone the third pass would not come for 10 minutes.
    const stop = startPolling(
      async () => {
        passes++;
      },
      300_000,
      undefined,
      () => (passes < 3 ? 5 : 300_000),
    );
    while (passes < 3) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    await stop();
    expect(passes).toBe(3);
  });

  it('pages through more orders than one poll page holds, and a pass cut short resumes without double counting', async () => {
    // Five poll pages of ~340 points each: a Plus-sized bucket so the test is about resuming, not throttling.
    await start({ listings: [{ sku: 'A', quantity: 100 }], costBucket: { max: 5000, restoreRate: 1000 } }, undefined, false);
    for (let i = 0; i < 23; i++) await sandbox!.placeOrder('A', 1);
    let pages = 0;
    const failing: EventSink = async (events) => {
      if (++pages === 2) throw new Error('ledger unavailable');
      return books.ledger.applyBatch(events);
    };
    await expect(channel.poller.pollOnce(failing)).rejects.toThrow('ledger unavailable');
    expect(await books.stock('A')).toMatchObject({ committed: 10 }); // the first page of 10
    await channel.poller.pollOnce((events) => books.ledger.applyBatch(events));
    expect(await books.stock('A')).toMatchObject({ committed: 23 });
  });

  it('waits for the cost budget rather than giving up a reconciliation pass when a page costs more than is left', async () => {
    // A small bucket: the first page (~340 points) leaves ~60; the second waits ~2.8 s for the rest.
    await start({ listings: [{ sku: 'A', quantity: 100 }], costBucket: { max: 400, restoreRate: 100 } }, undefined, false);
    for (let i = 0; i < 13; i++) await sandbox!.placeOrder('A', 1);
    // Was: "Shopify cost budget exhausted" on the second page, the pass given up until the next interval.
    expect(await channel.poller.pollOnce((events) => books.ledger.applyBatch(events))).toBe(13);
    expect(await books.stock('A')).toMatchObject({ committed: 13 });
  });

  it('ships fulfilled orders out of onHand and committed, once', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    const placed = await sandbox!.placeOrder('A', 3);
    expect(await sandbox!.fulfillOrder(placed.orderId!)).toBe(true);
    await sandbox!.deliveriesIdle();
    expect(await books.stock('A')).toMatchObject({ onHand: 7, committed: 0, available: 7 });
    const fulfilment = sandbox!.deliveries().find((d) => d.topic === 'fulfillments/create')!;
    sandbox!.redeliver(fulfilment.id);
    await sandbox!.deliveriesIdle();
    expect(await books.stock('A')).toMatchObject({ onHand: 7, committed: 0, available: 7 });
    expect(await sandbox!.cancelOrder(placed.orderId!)).toBe(false); // shipped orders are not cancelled
  });

  it('asks Shopify to redeliver a fulfilment that arrives before its order', async () => {
    await start({ listings: [{ sku: 'A', quantity: 10 }] });
    const fulfilment = JSON.stringify({ id: 31, order_id: 777, status: 'success', created_at: new Date().toISOString(), line_items: [{ sku: 'A', quantity: 2 }] });
    const order = JSON.stringify({ id: 777, created_at: new Date(Date.now() - 5000).toISOString(), line_items: [{ sku: 'A', quantity: 2 }] });
    const early = signedHeaders('fulfillments/create', fulfilment);
    expect((await post(fulfilment, early)).status).toBe(503);
    expect((await post(order, signedHeaders('orders/create', order))).status).toBe(200);
    expect((await post(fulfilment, early)).status).toBe(200); // Shopify's retry, same webhook id
    expect(await books.stock('A')).toMatchObject({ onHand: 8, committed: 0, available: 8 });
  });
});
