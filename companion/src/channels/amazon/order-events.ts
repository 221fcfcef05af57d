/**
 * Amazon order status → ledger events, exactly once whatever the delivery order.
 *
 * Pending holds stock (stock.reserved, long TTL: Amazon keeps unpaid orders for days),
 * Unshipped commits it (order.confirmed, converting the hold), Canceled gives it back
 * (stock.released while only held, order.cancelled once committed), Shipped takes it out
 * (stock.shipped). Event ids are `amazon:<orderId>:<status>` so a redelivered notification or
 * a re-polled order is a ledger duplicate. What the ledger cannot see is order: a late "Pending"
 * arriving after "Unshipped" would create a hold for a sale already committed. So we remember,
 * per order, the furthest status applied (Redis, 30 days) and never step back; a status that
 * skips steps (we missed a delivery) emits the missing steps first.
 */
import type { Redis } from 'ioredis';
import type { StockEvent } from '../../schemas/events';
import type { EventResult } from '../../schemas/stock';
import type { EventSink } from '../port';
import type { OrderStatus } from './wire';

export const SOURCE = 'amazon';
/** The schema's longest hold: 7 days. */
export const PENDING_TTL_SECONDS = 604_800;
const TRACK_TTL_SECONDS = 30 * 24 * 3600;

const RANK: Partial<Record<OrderStatus, number>> = {
  Pending: 1,
  PendingAvailability: 1,
  Unshipped: 2,
  PartiallyShipped: 2,
  InvoiceUnconfirmed: 2,
  Shipped: 3,
  Canceled: 4,
};

export interface OrderSnapshot {
  orderId: string;
  status: OrderStatus;
  /** sku → quantity ordered. */
  lines: { sku: string; qty: number }[];
  occurredAt: string;
}

interface Tracked {
  rank: number;
  /** Our stock.reserved was applied (so order.confirmed may convert it). */
  held: boolean;
}

export function linesOf(items: { sku: string; qty: number }[]): { sku: string; qty: number }[] {
  const by = new Map<string, number>();
  for (const { sku, qty } of items) if (qty > 0) by.set(sku, (by.get(sku) ?? 0) + qty);
  return [...by].map(([sku, qty]) => ({ sku, qty }));
}

/** Remembers how far each order got; Redis when given, memory otherwise (tests, no Redis). */
export class OrderTracker {
  private readonly memory = new Map<string, Tracked>();
  constructor(private readonly redis?: Redis, private readonly keyOf?: (orderId: string) => string) {}

  async get(orderId: string): Promise<Tracked> {
    if (this.redis && this.keyOf) {
      const raw = await this.redis.get(this.keyOf(orderId));
      return raw ? (JSON.parse(raw) as Tracked) : { rank: 0, held: false };
    }
    return this.memory.get(orderId) ?? { rank: 0, held: false };
  }

  async set(orderId: string, t: Tracked): Promise<void> {
    if (this.redis && this.keyOf) await this.redis.set(this.keyOf(orderId), JSON.stringify(t), 'EX', TRACK_TTL_SECONDS);
    else this.memory.set(orderId, t);
  }
}

export class AmazonOrderApplier {
  /** Serializes work per order, so the poller and the queue consumer never interleave on one. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly tracker: OrderTracker,
    private readonly tenant?: string,
  ) {}

  apply(snapshot: OrderSnapshot, sink: EventSink): Promise<StockEvent[]> {
    const prev = this.chains.get(snapshot.orderId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.applyNow(snapshot, sink));
    this.chains.set(snapshot.orderId, next);
    void next.finally(() => {
      if (this.chains.get(snapshot.orderId) === next) this.chains.delete(snapshot.orderId);
    }).catch(() => undefined);
    return next;
  }

  /**
   * Whether an order at this status would change anything (the tracker, shared through Redis by
   * every process, says how far it got): a poll asks before paying a getOrderItems call (0.5/s)
   * for an order an overlapping window, another worker or a notification already recorded.
   */
  async isNew(orderId: string, status: string): Promise<boolean> {
    const rank = RANK[status as OrderStatus];
    return rank !== undefined && rank > (await this.tracker.get(orderId)).rank;
  }

  /** Returns the events sent to the sink (empty when nothing new). */
  private async applyNow(s: OrderSnapshot, sink: EventSink): Promise<StockEvent[]> {
    const rank = RANK[s.status];
    if (rank === undefined) return [];
    const t = await this.tracker.get(s.orderId);
    if (rank <= t.rank) return [];
    const ref = `${SOURCE}:${s.orderId}`;
    const base = { source: SOURCE, occurredAt: s.occurredAt, ...(this.tenant ? { tenant: this.tenant } : {}) };
    const lines = linesOf(s.lines);
    const sent: StockEvent[] = [];
    const send = async (events: StockEvent[]): Promise<EventResult[]> => {
      if (events.length === 0) return [];
      sent.push(...events);
      return sink(events);
    };
    let held = t.held;
    let reached = t.rank;

    if (rank === 4) {
      if (t.rank === 1 && held) await send([{ ...base, id: `${ref}:Canceled`, type: 'stock.released', reservationId: ref, reason: 'Amazon order canceled' }]);
      else if (t.rank === 2) await send([{ ...base, id: `${ref}:Canceled`, type: 'order.cancelled', orderId: ref, reason: 'Amazon order canceled' }]);
      await this.tracker.set(s.orderId, { rank, held: false });
      return sent;
    }
    if (lines.length === 0) return [];

    if (rank === 1) {
      const [r] = await send([{ ...base, id: `${ref}:Pending`, type: 'stock.reserved', reservationId: ref, lines, ttlSeconds: PENDING_TTL_SECONDS }]);
      held = r?.status === 'applied' || r?.status === 'duplicate';
      reached = 1;
    }
    if (rank >= 2 && reached < 2) {
      const confirm: StockEvent = { ...base, id: `${ref}:Unshipped`, type: 'order.confirmed', orderId: ref, lines, ...(held ? { reservationId: ref } : {}) };
      // A hold that expired before payment cleared is fine: the ledger then commits directly.
      await send([confirm]);
      held = false;
      reached = 2;
    }
    if (rank === 3) {
      await send([{ ...base, id: `${ref}:Shipped`, type: 'stock.shipped', orderId: ref, lines }]);
      reached = 3;
    }
    await this.tracker.set(s.orderId, { rank: reached, held });
    return sent;
  }
}
