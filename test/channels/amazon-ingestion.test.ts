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
import type { StockEvent } from '../../companion/src/schemas/events';
import type { EventResult } from '../../companion/src/schemas/stock';

/**
 * Stand-in for the ledger until branch `ledger` lands: dedup by event id and the effects of
 * design.md's event table, per SKU.
 */
class ModelLedger {
  readonly applied: StockEvent[] = [];
  private readonly ids = new Map<string, EventResult>();
  readonly holds = new Map<string, { sku: string; qty: number }[]>();
  readonly orders = new Map<string, { sku: string; qty: number }[]>();
  readonly stock = new Map<string, { onHand: number; committed: number; reserved: number }>();
  constructor(seed: Record<string, number>) {
    for (const [sku, onHand] of Object.entries(seed)) this.stock.set(sku, { onHand, committed: 0, reserved: 0 });
  }
  private s(sku: string) {
    return this.stock.get(sku)!;
  }
  sink: EventSink = async (events) => events.map((e) => this.apply(e));
  apply(e: StockEvent): EventResult {
    const seen = this.ids.get(e.id);
    if (seen) return { ...seen, status: 'duplicate' };
    const ok = (): EventResult => ({ id: e.id, status: 'applied', stock: [] });
    const refuse = (code: string): EventResult => ({ id: e.id, status: 'refused', code, stock: [] });
    let r: EventResult;
    switch (e.type) {
      case 'stock.reserved':
        for (const l of e.lines) this.s(l.sku).reserved += l.qty;
        this.holds.set(e.reservationId, e.lines);
        r = ok();
        break;
      case 'stock.released': {
        const h = this.holds.get(e.reservationId);
        if (!h) r = refuse('unknown_reservation');
        else {
          for (const l of h) this.s(l.sku).reserved -= l.qty;
          this.holds.delete(e.reservationId);
          r = ok();
        }
        break;
      }
      case 'order.confirmed': {
        const h = e.reservationId ? this.holds.get(e.reservationId) : undefined;
        if (e.reservationId && !h) {
          r = refuse('unknown_reservation');
          break;
        }
        if (h) for (const l of h) this.s(l.sku).reserved -= l.qty;
        if (e.reservationId) this.holds.delete(e.reservationId);
        for (const l of e.lines) this.s(l.sku).committed += l.qty;
        this.orders.set(e.orderId, e.lines);
        r = ok();
        break;
      }
      case 'order.cancelled': {
        const o = this.orders.get(e.orderId);
        if (!o) r = refuse('unknown_order');
        else {
          for (const l of o) this.s(l.sku).committed -= l.qty;
          this.orders.delete(e.orderId);
          r = ok();
        }
        break;
      }
      case 'stock.shipped': {
        const o = this.orders.get(e.orderId);
        if (!o) r = refuse('unknown_order');
        else {
          for (const l of o) {
            this.s(l.sku).committed -= l.qty;
            this.s(l.sku).onHand -= l.qty;
          }
          this.orders.delete(e.orderId);
          r = ok();
        }
        break;
      }
      default:
        r = refuse('unsupported');
    }
    this.ids.set(e.id, r);
    if (r.status === 'applied') this.applied.push(e);
    return r;
  }
}

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
    const ledger = new ModelLedger({ 'MUG-1': 50 });
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push(await sb.placeOrder('MUG-1', 2));
    // 5 orders × (Pending + Unshipped) × 2 copies, shuffled.
    await vi.waitFor(() => expect(sb.queueDepth()).toBe(20), { timeout: 3000, interval: 20 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    expect(ledger.stock.get('MUG-1')).toEqual({ onHand: 50, committed: 10, reserved: 0 });
    const confirmed = ledger.applied.filter((e) => e.type === 'order.confirmed');
    expect(confirmed.map((e) => (e as { orderId: string }).orderId).sort()).toEqual(placed.map((p) => `amazon:${p.orderId}`).sort());
    // A late Pending after Unshipped must not leave a hold behind.
    expect(ledger.holds.size).toBe(0);
  });

  it('maps Pending → hold, Unshipped → commit, Shipped → shipped and Canceled → release or cancel', async () => {
    sb = await startAmazonSandbox({ pendingMs: 60_000 });
    sb.seed([{ sku: 'MUG-1', quantity: 20 }]);
    const ledger = new ModelLedger({ 'MUG-1': 20 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    const drain = async () => {
      while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    };
    const a = (await sb.placeOrder('MUG-1', 3)).orderId!;
    const b = (await sb.placeOrder('MUG-1', 4)).orderId!;
    await drain();
    expect(ledger.stock.get('MUG-1')).toEqual({ onHand: 20, committed: 0, reserved: 7 });
    sb.setOrderStatus(a, 'Canceled');
    sb.setOrderStatus(b, 'Unshipped');
    await drain();
    expect(ledger.stock.get('MUG-1')).toEqual({ onHand: 20, committed: 4, reserved: 0 });
    sb.setOrderStatus(b, 'Shipped');
    await drain();
    expect(ledger.stock.get('MUG-1')).toEqual({ onHand: 16, committed: 0, reserved: 0 });
    expect(ledger.applied.map((e) => e.id).sort()).toEqual(
      [`amazon:${a}:Pending`, `amazon:${a}:Canceled`, `amazon:${b}:Pending`, `amazon:${b}:Unshipped`, `amazon:${b}:Shipped`].sort(),
    );
    expect(ledger.applied.find((e) => e.id === `amazon:${a}:Canceled`)!.type).toBe('stock.released');
  });

  it('cancels a committed order with order.cancelled', async () => {
    sb = await startAmazonSandbox({ pendingMs: 10 });
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    const ledger = new ModelLedger({ 'MUG-1': 5 });
    const consumer = new AmazonNotificationConsumer(new SandboxQueueSource(sb.url, { waitMs: 0 }), new AmazonOrderApplier(new OrderTracker()), {});
    const id = (await sb.placeOrder('MUG-1', 2)).orderId!;
    await vi.waitFor(() => expect(sb.queueDepth()).toBe(2), { timeout: 2000, interval: 10 });
    sb.setOrderStatus(id, 'Canceled');
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    expect(ledger.applied.map((e) => e.type)).toEqual(['stock.reserved', 'order.confirmed', 'order.cancelled']);
    expect(ledger.stock.get('MUG-1')).toEqual({ onHand: 5, committed: 0, reserved: 0 });
  });

  it('finds late orders by polling overlapping windows behind the 2-minute rule, once even when notified too', async () => {
    sb = await startAmazonSandbox({ pendingMs: 20, ordersLagMs: 100, rateScale: 100, faults: { deliveryDelayMs: 250, duplicateRate: 1 } });
    sb.seed([{ sku: 'MUG-1', quantity: 30 }]);
    const ledger = new ModelLedger({ 'MUG-1': 30 });
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
      expect(ledger.stock.get('MUG-1')!.committed).toBe(3);
    }, { timeout: 5000, interval: 50 });
    expect(polls).toBeGreaterThan(1);
    // The same changes again, from the queue (twice each) and from more overlapping polls.
    while (sb.queueDepth() > 0) await consumer.consumeOnce(ledger.sink);
    for (let i = 0; i < 3; i++) await poller.pollOnce(ledger.sink);
    expect(ledger.stock.get('MUG-1')).toEqual({ onHand: 30, committed: 3, reserved: 0 });
    expect(ledger.applied.filter((e) => e.type === 'order.confirmed')).toHaveLength(3);
  });

  it('redelivers a notification whose processing failed, and applies it once', async () => {
    sb = await startAmazonSandbox({ pendingMs: 60_000, visibilityTimeoutMs: 100 });
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    const ledger = new ModelLedger({ 'MUG-1': 5 });
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
    expect(ledger.stock.get('MUG-1')).toEqual({ onHand: 5, committed: 0, reserved: 1 });
  });

  it('runs as the channel module: start() consumes until stopped', async () => {
    sb = await startAmazonSandbox({ pendingMs: 20 });
    sb.seed([{ sku: 'MUG-1', quantity: 5 }]);
    const ledger = new ModelLedger({ 'MUG-1': 5 });
    const mod = createAmazonChannel(amazonSandboxConfig(sb, { ingestion: { pollIntervalMs: 0 } }));
    const stop = await mod.ingestion.start!(ledger.sink);
    await sb.placeOrder('MUG-1', 2);
    await vi.waitFor(() => expect(ledger.stock.get('MUG-1')!.committed).toBe(2), { timeout: 3000, interval: 20 });
    await stop();
    expect(ledger.applied.map((e) => e.source)).toEqual(['amazon', 'amazon']);
  });
});
