/**
 * Flipkart order items → ledger events, exactly once whatever the delivery order.
 *
 * A Flipkart order item is approved when placed (a sale: order.confirmed), may be cancelled before
 * dispatch (order.cancelled) or shipped (stock.shipped). The ledger order id is the order item
 * (`flipkart:<orderItemId>`), because Flipkart cancels and ships per item. Event ids are
 * `flipkart:<orderItemId>:<state>`; the furthest state applied per item is remembered (Redis,
 * 30 days) so a late APPROVED after CANCELLED changes nothing, and a SHIPPED seen first confirms
 * before it ships.
 */
import type { Redis } from 'ioredis';
import type { StockEvent } from '../../schemas/events';
import type { EventSink } from '../port';
import { STATES, type OrderItem } from './wire';

export const SOURCE = 'flipkart';
const TTL_SECONDS = 30 * 24 * 3600;

export function rankOf(status: string): number {
  if (STATES.preDispatch.includes(status)) return 1;
  if (STATES.postDispatch.includes(status)) return 2;
  if (status === 'CANCELLED') return 3;
  return 0;
}

export class ItemTracker {
  private readonly memory = new Map<string, number>();
  constructor(private readonly redis?: Redis, private readonly keyOf?: (orderItemId: string) => string) {}

  async get(id: string): Promise<number> {
    if (this.redis && this.keyOf) return Number((await this.redis.get(this.keyOf(id))) ?? 0);
    return this.memory.get(id) ?? 0;
  }

  async set(id: string, rank: number): Promise<void> {
    if (this.redis && this.keyOf) await this.redis.set(this.keyOf(id), String(rank), 'EX', TTL_SECONDS);
    else this.memory.set(id, rank);
  }
}

export class FlipkartOrderApplier {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly tracker: ItemTracker,
    private readonly tenant?: string,
  ) {}

  apply(item: OrderItem, occurredAt: string, sink: EventSink): Promise<StockEvent[]> {
    const prev = this.chains.get(item.orderItemId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.applyNow(item, occurredAt, sink));
    this.chains.set(item.orderItemId, next);
    void next
      .finally(() => {
        if (this.chains.get(item.orderItemId) === next) this.chains.delete(item.orderItemId);
      })
      .catch(() => undefined);
    return next;
  }

  private async applyNow(item: OrderItem, occurredAt: string, sink: EventSink): Promise<StockEvent[]> {
    const rank = rankOf(item.status);
    const had = await this.tracker.get(item.orderItemId);
    if (rank === 0 || rank <= had) return [];
    const ref = `${SOURCE}:${item.orderItemId}`;
    const base = { source: SOURCE, occurredAt, ...(this.tenant ? { tenant: this.tenant } : {}) };
    const lines = item.quantity > 0 ? [{ sku: item.sku, qty: item.quantity }] : [];
    const events: StockEvent[] = [];
    if (rank === 3) {
      if (had === 1) events.push({ ...base, id: `${ref}:CANCELLED`, type: 'order.cancelled', orderId: ref, reason: item.cancellationReason ?? 'Flipkart order item cancelled' });
    } else if (lines.length) {
      if (had < 1) events.push({ ...base, id: `${ref}:APPROVED`, type: 'order.confirmed', orderId: ref, lines });
      if (rank === 2) events.push({ ...base, id: `${ref}:SHIPPED`, type: 'stock.shipped', orderId: ref, lines });
    }
    if (events.length) await sink(events);
    await this.tracker.set(item.orderItemId, rank);
    return events;
  }
}
