/**
 * Flipkart orders reach the real ledger exactly once: shipments polled by modifiedDate windows
 * with overlap and nextPageUrl paging, duplicated and shuffled pages, late visibility, cancels
 * and shipments, and a state seen out of order.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FlipkartClient,
  FlipkartOrderApplier,
  FlipkartOrderPoller,
  ItemTracker,
  createFlipkartChannel,
  flipkartSandboxConfig,
  startFlipkartSandbox,
  type FlipkartSandboxHandle,
} from '../../companion/src/channels/flipkart';
import { createBooks } from './books';

let sb: FlipkartSandboxHandle;
afterEach(async () => {
  await sb?.close();
});

function pollerFor(h: FlipkartSandboxHandle, opts: ConstructorParameters<typeof FlipkartOrderPoller>[2] = {}) {
  const client = new FlipkartClient({ url: h.url, appId: h.credentials.appId!, appSecret: h.credentials.appSecret! });
  return new FlipkartOrderPoller(client, new FlipkartOrderApplier(new ItemTracker()), { overlapMs: 5_000, initialLookbackMs: 60_000, ...opts });
}

describe('Flipkart order ingestion', () => {
  it('applies duplicated, shuffled, multi-page shipments exactly once', async () => {
    sb = await startFlipkartSandbox({ faults: { duplicateRate: 1, reorder: true }, rateLimit: null });
    sb.seed([{ sku: 'MUG-1', quantity: 40 }]);
    const books = await createBooks({ 'MUG-1': 40 });
    for (let i = 0; i < 7; i++) expect((await sb.placeOrder('MUG-1', 2)).accepted).toBe(true);
    const poller = pollerFor(sb, { pageSize: 3 });
    for (let i = 0; i < 3; i++) await poller.pollOnce(books.sink);
    expect(await books.stock('MUG-1')).toEqual({ onHand: 40, committed: 14, reserved: 0 });
    expect(books.applied.filter((e) => e.type === 'order.confirmed')).toHaveLength(7);
    expect(books.applied.every((e) => e.source === 'flipkart' && /^flipkart:OI[A-Z0-9]+:APPROVED$/.test(e.id))).toBe(true);
  });

  it('waits out Flipkart\'s throttle inside a pass instead of giving the pass up (and its cursor with it)', async () => {
    // 5 calls/s, no burst: the three shipment types' pages come faster than that.
    sb = await startFlipkartSandbox({ faults: { throttling: true }, rateLimit: { requestsPerSecond: 5, burst: 1 } });
    sb.seed([{ sku: 'MUG-1', quantity: 40 }]);
    const books = await createBooks({ 'MUG-1': 40 });
    for (let i = 0; i < 7; i++) expect((await sb.placeOrder('MUG-1', 1)).accepted).toBe(true);
    const poller = pollerFor(sb, { pageSize: 2 });
    // Was: "filterShipments throttled" at the second call, nothing saved, the same again next time.
    expect(await poller.pollOnce(books.sink)).toBe(7);
    expect(await books.stock('MUG-1')).toEqual({ onHand: 40, committed: 7, reserved: 0 });
    expect(sb.stats().throttled).toBeGreaterThan(0);
  });

  it('cancels and ships per order item, once each', async () => {
    sb = await startFlipkartSandbox({ rateLimit: null });
    sb.seed([{ sku: 'MUG-1', quantity: 10 }]);
    const books = await createBooks({ 'MUG-1': 10 });
    const poller = pollerFor(sb);
    const a = (await sb.placeOrder('MUG-1', 3)).orderId!;
    const b = (await sb.placeOrder('MUG-1', 2)).orderId!;
    await poller.pollOnce(books.sink);
    expect(await books.stock('MUG-1')).toEqual({ onHand: 10, committed: 5, reserved: 0 });
    sb.setOrderItemStatus(a, 'CANCELLED');
    sb.setOrderItemStatus(b, 'PACKED');
    await poller.pollOnce(books.sink);
    expect(await books.stock('MUG-1')).toEqual({ onHand: 10, committed: 2, reserved: 0 });
    sb.setOrderItemStatus(b, 'SHIPPED');
    await poller.pollOnce(books.sink);
    await poller.pollOnce(books.sink);
    expect(await books.stock('MUG-1')).toEqual({ onHand: 8, committed: 0, reserved: 0 });
    expect(books.applied.map((e) => e.id).sort()).toEqual([`flipkart:${a}:APPROVED`, `flipkart:${a}:CANCELLED`, `flipkart:${b}:APPROVED`, `flipkart:${b}:SHIPPED`].sort());
  });

  it('never commits an item it first sees cancelled, and confirms before shipping one it first sees shipped', async () => {
    sb = await startFlipkartSandbox({ rateLimit: null });
    sb.seed([{ sku: 'MUG-1', quantity: 10 }]);
    const books = await createBooks({ 'MUG-1': 10 });
    const a = (await sb.placeOrder('MUG-1', 3)).orderId!;
    const b = (await sb.placeOrder('MUG-1', 1)).orderId!;
    sb.setOrderItemStatus(a, 'CANCELLED');
    sb.setOrderItemStatus(b, 'SHIPPED');
    await pollerFor(sb).pollOnce(books.sink);
    expect(await books.stock('MUG-1')).toEqual({ onHand: 9, committed: 0, reserved: 0 });
    expect(books.applied.map((e) => e.type)).toEqual(['order.confirmed', 'stock.shipped']);
  });

  it('finds changes that became visible late thanks to overlapping windows', async () => {
    sb = await startFlipkartSandbox({ faults: { deliveryDelayMs: 300 }, rateLimit: null });
    sb.seed([{ sku: 'MUG-1', quantity: 10 }]);
    const books = await createBooks({ 'MUG-1': 10 });
    const poller = pollerFor(sb, { overlapMs: 2_000 });
    for (let i = 0; i < 3; i++) await sb.placeOrder('MUG-1', 1);
    await poller.pollOnce(books.sink);
    expect((await books.stock('MUG-1')).committed).toBe(0);
    await vi.waitFor(async () => {
      await poller.pollOnce(books.sink);
      expect((await books.stock('MUG-1')).committed).toBe(3);
    }, { timeout: 3000, interval: 50 });
  });

  it('stops promptly while a poll waits on a slow Flipkart', async () => {
    // Every Flipkart answer (token endpoint included) now takes 30 s.
    sb = await startFlipkartSandbox({ rateLimit: null, faults: { latencyMs: 30_000 } });
    const books = await createBooks({ 'MUG-1': 1 });
    const mod = createFlipkartChannel(flipkartSandboxConfig(sb));
    const stop = await mod.ingestion.start!(books.sink);
    const t0 = Date.now();
    await stop();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('runs as the channel module, persisting its cursor and item states in Redis', async () => {
    sb = await startFlipkartSandbox({ rateLimit: null });
    sb.seed([{ sku: 'MUG-1', quantity: 10 }]);
    const books = await createBooks({ 'MUG-1': 10 });
    const mod = createFlipkartChannel(flipkartSandboxConfig(sb, { ingestion: { pollIntervalMs: 50, initialLookbackMs: 60_000 } }), { redis: books.redis, keys: books.keys });
    const stop = await mod.ingestion.start!(books.sink);
    const id = (await sb.placeOrder('MUG-1', 4)).orderId!;
    await vi.waitFor(async () => expect((await books.stock('MUG-1')).committed).toBe(4), { timeout: 3000, interval: 20 });
    await stop();
    // A second instance (a restart) resumes from the stored cursor and item states: nothing twice.
    const again = createFlipkartChannel(flipkartSandboxConfig(sb, { ingestion: { pollIntervalMs: 50, overlapMs: 60_000 } }), { redis: books.redis, keys: books.keys });
    const stop2 = await again.ingestion.start!(books.sink);
    sb.setOrderItemStatus(id, 'CANCELLED');
    await vi.waitFor(async () => expect((await books.stock('MUG-1')).committed).toBe(0), { timeout: 3000, interval: 20 });
    await stop2();
    expect(books.applied.map((e) => e.type)).toEqual(['order.confirmed', 'order.cancelled']);
  });
});
