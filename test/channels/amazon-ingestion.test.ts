/**
 * Amazon orders reach the ledger exactly once whatever the delivery: ORDER_CHANGE duplicated and
 * reordered, polled and notified at once, delivered late, redelivered after a failed attempt.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AmazonNotificationConsumer,
  AmazonOrderApplier,
  AmazonOrderPoller,
  OrderTracker,
  SandboxQueueSource,
  SpApiClient,
  amazonSandboxConfig,
  createAmazonChannel,
  startAmazonSandbox,
  type AmazonSandboxHandle,
} from '../../companion/src/channels/amazon';
import type { EventSink } from '../../companion/src/channels/port';
import { createBooks } from './books';

let sb: AmazonSandboxHandle;
afterEach(async () => {
  await sb?.close();
});

function clientFor(h: AmazonSandboxHandle) {
  const c = amazonSandboxConfig(h);
  return new SpApiClient(c);
}

describe('Amazon order ingestion', () => {
  it('applies duplicated and reordered ORDER_CHANGE notifications exactly once', async () => {
    sb = await startAmazonSandbox({ pendingMs: 30, faults: { duplicateRate: 1, reorder: true } });
    sb.seed([{ sku: 'MUG-1', quantity: 50 }]);
    const ledger = await createBooks({ 'MUG-1': 50 });
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push(await sb.placeOrder('MUG-1', 2));
    // 5 orders × (Pending + Unshipped) × 2 copies, shuffled.
    await vi.waitFor(() => expect(sb.queueDepth()).toBe(20), { timeout: 3000, interval: 20 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    expect((await ledger.stock('MUG-1'))).toEqual({ onHand: 50, committed: 10, reserved: 0 });
    const confirmed = ledger.applied.filter((e) => e.type === 'order.confirmed');
    expect(confirmed.map((e) => (e as { orderId: string }).orderId).sort()).toEqual(placed.map((p) => `amazon:${p.orderId}`).sort());
  });

  it('maps Pending → hold, Unshipped → commit, Shipped → shipped and Canceled → release or cancel', async () => {
    sb = await startAmazonSandbox({ pendingMs: 60_000 });
    sb.seed([{ sku: 'MUG-1', quantity: 20 }]);
    const ledger = await createBooks({ 'MUG-1': 20 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    const drain = async () => {
      while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    };
    const a = (await sb.placeOrder('MUG-1', 3)).orderId!;
    const b = (await sb.placeOrder('MUG-1', 4)).orderId!;
    await drain();
    expect((await ledger.stock('MUG-1'))).toEqual({ onHand: 20, committed: 0, reserved: 7 });
    sb.setOrderStatus(a, 'Canceled');
    sb.setOrderStatus(b, 'Unshipped');
    await drain();
    expect((await ledger.stock('MUG-1'))).toEqual({ onHand: 20, committed: 4, reserved: 0 });
    sb.setOrderStatus(b, 'Shipped');
    await drain();
    expect((await ledger.stock('MUG-1'))).toEqual({ onHand: 16, committed: 0, reserved: 0 });
    expect(ledger.applied.map((e) => e.id).sort()).toEqual(
      [`amazon:${a}:Pending`, `amazon:${a}:Canceled`, `amazon:${b}:Pending`, `amazon:${b}:Unshipped`, `amazon:${b}:Shipped`].sort(),
    );
    expect(ledger.applied.find((e) => e.id === `amazon:${a}:Canceled`)!.type).toBe('stock.released');
  });

  it('cancels a committed order with order.cancelled', async () => {
    sb = await startAmazonSandbox({ pendingMs: 10 });
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    const ledger = await createBooks({ 'MUG-1': 5 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    const id = (await sb.placeOrder('MUG-1', 2)).orderId!;
    await vi.waitFor(() => expect(sb.queueDepth()).toBe(2), { timeout: 2000, interval: 10 });
    sb.setOrderStatus(id, 'Canceled');
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    expect(ledger.applied.map((e) => e.type)).toEqual(['stock.reserved', 'order.confirmed', 'order.cancelled']);
    expect((await ledger.stock('MUG-1'))).toEqual({ onHand: 5, committed: 0, reserved: 0 });
  });

  it('finds late orders by polling overlapping windows behind the 2-minute rule, once even when notified too', async () => {
    sb = await startAmazonSandbox({ pendingMs: 20, ordersLagMs: 100, rateScale: 100, faults: { deliveryDelayMs: 250, duplicateRate: 1 } });
    sb.seed([{ sku: 'MUG-1', quantity: 30 }]);
    const ledger = await createBooks({ 'MUG-1': 30 });
    const applier = new AmazonOrderApplier(new OrderTracker());
    const client = clientFor(sb);
    const poller = new AmazonOrderPoller(client, applier, { lagMs: 150, overlapMs: 2_000, initialLookbackMs: 1_000 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), applier, {});
    for (let i = 0; i < 3; i++) await sb.placeOrder('MUG-1', 1);
    // Poll repeatedly while the orders are still invisible (late), until all three are seen.
    let polls = 0;
    await vi.waitFor(async () => {
      polls += 1;
      await poller.pollOnce(ledger.sink);
      expect((await ledger.stock('MUG-1')).committed).toBe(3);
    }, { timeout: 5000, interval: 50 });
    expect(polls).toBeGreaterThan(1);
    // The same changes again, from the queue (twice each) and from more overlapping polls.
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    for (let i = 0; i < 3; i++) await poller.pollOnce(ledger.sink);
    expect((await ledger.stock('MUG-1'))).toEqual({ onHand: 30, committed: 3, reserved: 0 });
    expect(ledger.applied.filter((e) => e.type === 'order.confirmed')).toHaveLength(3);
  });

  it('waits out a getOrderItems throttle inside a poll instead of giving the pass up', async () => {
    // getOrderItems at 10/s (scaled), its burst used up: a window of 6 new orders asks faster than that.
    sb = await startAmazonSandbox({ pendingMs: 20, ordersLagMs: 100, rateScale: 20 });
    sb.seed([{ sku: 'MUG-1', quantity: 30 }]);
    const ledger = await createBooks({ 'MUG-1': 30 });
    const poller = new AmazonOrderPoller(clientFor(sb), new AmazonOrderApplier(new OrderTracker()), { lagMs: 150, overlapMs: 2_000, initialLookbackMs: 2_000 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await sb.placeOrder('MUG-1', 1)).orderId!);
    await new Promise((r) => setTimeout(r, 300)); // past the 2-minute rule (scaled) and Pending
    // Someone else (another process) has used getOrderItems' burst of 30.
    const other = clientFor(sb);
    for (let i = 0; i < 40; i++) await other.getOrderItems(ids[0]!).catch(() => undefined);
    // Was: QuotaExceeded on the second order's items, the pass and its cursor given up.
    expect(await poller.pollOnce(ledger.sink)).toBe(6);
    expect((await ledger.stock('MUG-1')).committed).toBe(6);
  });

  it('does not pay a getOrderItems call for an order another poller (a second worker, an overlapping window) already recorded', async () => {
    sb = await startAmazonSandbox({ pendingMs: 20, ordersLagMs: 100, rateScale: 100 });
    sb.seed([{ sku: 'MUG-1', quantity: 30 }]);
    const ledger = await createBooks({ 'MUG-1': 30 });
    // Two workers' pollers: the order tracker is shared (Redis in production).
    const applier = new AmazonOrderApplier(new OrderTracker());
    const opts = { lagMs: 150, overlapMs: 5_000, initialLookbackMs: 5_000 };
    const first = new AmazonOrderPoller(clientFor(sb), applier, opts);
    const second = new AmazonOrderPoller(clientFor(sb), applier, opts);
    for (let i = 0; i < 5; i++) await sb.placeOrder('MUG-1', 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await first.pollOnce(ledger.sink)).toBe(5);
    const calls = sb.stats().calls;
    expect(await second.pollOnce(ledger.sink)).toBe(5);
    // One getOrders call; no getOrderItems (was: 5 more, at 0.5/s on Amazon).
    expect(sb.stats().calls - calls).toBe(1);
    expect((await ledger.stock('MUG-1')).committed).toBe(5);
  });

  it('records an Amazon sale the ledger could not hold as a committed fact, opening an oversell incident', async () => {
    sb = await startAmazonSandbox({ pendingMs: 30 });
    // Amazon still shows 5; the ledger has 1 left (a sale elsewhere not yet pushed).
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    const ledger = await createBooks({ 'MUG-1': 1 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    const id = (await sb.placeOrder('MUG-1', 3)).orderId!;
    await vi.waitFor(() => expect(sb.queueDepth()).toBe(2), { timeout: 2000, interval: 10 });
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    // The Pending hold was refused (insufficient stock); the Unshipped sale is recorded anyway.
    expect(ledger.applied.map((e) => e.id)).toEqual([`amazon:${id}:Unshipped`]);
    expect(await ledger.stock('MUG-1')).toEqual({ onHand: 1, committed: 3, reserved: 0 });
    const incidents = (await ledger.ledger.listIncidents('default', { status: 'open' })).items;
    expect(incidents).toEqual([expect.objectContaining({ sku: 'MUG-1', oversoldUnits: 2 })]);
  });

  it('commits a sale once even when its Pending hold expired before payment cleared', async () => {
    sb = await startAmazonSandbox({ pendingMs: 60_000 });
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    let clock = Date.now();
    const ledger = await createBooks({ 'MUG-1': 5 }, () => clock);
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    const id = (await sb.placeOrder('MUG-1', 2)).orderId!;
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    expect(await ledger.stock('MUG-1')).toEqual({ onHand: 5, committed: 0, reserved: 2 });
    // Eight days later the sweeper has given the hold back; then Amazon says Unshipped.
    clock += 8 * 24 * 3600_000;
    expect(await ledger.ledger.sweepExpired(clock)).toBe(1);
    expect(await ledger.stock('MUG-1')).toEqual({ onHand: 5, committed: 0, reserved: 0 });
    sb.setOrderStatus(id, 'Unshipped');
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    expect(await ledger.stock('MUG-1')).toEqual({ onHand: 5, committed: 2, reserved: 0 });
  });

  it('redelivers a notification whose processing failed, and applies it once', async () => {
    sb = await startAmazonSandbox({ pendingMs: 60_000, visibilityTimeoutMs: 100 });
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    const ledger = await createBooks({ 'MUG-1': 5 });
    let failures = 1;
    const flaky: EventSink = async (events) => {
      if (failures-- > 0) throw new Error('ledger unavailable');
      return ledger.sink(events);
    };
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 1000, pollMs: 20 }), new AmazonOrderApplier(new OrderTracker()), {});
    await sb.placeOrder('MUG-1', 1);
    await expect(consumer.consumeOnce(flaky)).rejects.toThrow('ledger unavailable');
    expect(sb.queueDepth()).toBe(1);
    await consumer.consumeOnce(flaky);
    expect(sb.queueDepth()).toBe(0);
    expect((await ledger.stock('MUG-1'))).toEqual({ onHand: 5, committed: 0, reserved: 1 });
  });

  it('stops promptly while polling and queue reads wait on a slow Amazon', async () => {
    sb = await startAmazonSandbox({ faults: { latencyMs: 30_000 } });
    const ledger = await createBooks({ 'MUG-1': 1 });
    const mod = createAmazonChannel(amazonSandboxConfig(sb, { ingestion: { pollIntervalMs: 10 } }));
    const stop = await mod.ingestion.start!(ledger.sink);
    const t0 = Date.now();
    await stop();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('runs as the channel module: start() consumes until stopped', async () => {
    sb = await startAmazonSandbox({ pendingMs: 20 });
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    const ledger = await createBooks({ 'MUG-1': 5 });
    const mod = createAmazonChannel(amazonSandboxConfig(sb, { ingestion: { pollIntervalMs: 0 } }));
    const stop = await mod.ingestion.start!(ledger.sink);
    await sb.placeOrder('MUG-1', 2);
    await vi.waitFor(async () => expect((await ledger.stock('MUG-1')).committed).toBe(2), { timeout: 3000, interval: 20 });
    await stop();
    expect(ledger.applied.map((e) => e.source)).toEqual(['amazon', 'amazon']);
  });
});
