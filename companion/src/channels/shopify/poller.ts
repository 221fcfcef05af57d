/**
 * Reconciliation for Shopify orders (channels.md §1: webhooks are at-least-once, unordered, can
 * be a day late, and stop after 8 failed tries). Every interval this reads
 * `orders(query: "updated_at:>='<cursor − overlap>'", sortKey: UPDATED_AT)` page by page and
 * records the same events the webhooks would — same ids, so whichever comes second is a
 * duplicate. The cursor (newest updatedAt seen) moves after each page the sink accepted.
 */
import type { EventSink } from '../port';
import type { EventResult } from '../../schemas/stock';
import type { ShopifyClient } from './client';
import { shopifyWebhookEvents } from './order-events';
import type { Cursor } from './polling';
import { patiently } from '../poll-kit';
import { WEBHOOK_GRACE_MS } from '../missed-webhooks';

/**
 * How long a reconciliation page may queue for the cost budget (a push may wait 2 s). A page
 * (~340 points) waits at most what its cost takes to restore (3.4 s at the sandbox's 100/s, ~7 s
 * on a Standard plan's 50/s), and pushes queue behind it that long, once a pass under peak load.
 */
const BUDGET_WAIT_MS = 10_000;

export const ORDERS_SINCE = /* GraphQL */ `
  query StocklineOrdersSince($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes { legacyResourceId createdAt updatedAt cancelledAt lineItems(first: 30) { nodes { sku quantity } pageInfo { hasNextPage } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
interface OrdersData {
  orders: {
    nodes: {
      legacyResourceId: string;
      createdAt: string;
      updatedAt: string;
      cancelledAt: string | null;
      lineItems: { nodes: { sku: string | null; quantity: number }[]; pageInfo: { hasNextPage: boolean } };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export interface ShopifyPollerOptions {
  tenant?: string;
  cursor: Cursor;
  /** Re-read this much before the cursor. Default 5 min. */
  overlapMs?: number;
  /** Where the very first poll starts. Default 1 h ago. */
  initialLookbackMs?: number;
  now?: () => number;
  /**
   * Orders this poll recorded first although they were created more than webhookGraceMs before,
   * after the poller started: their webhooks did not reach us (missed-webhooks.ts).
   */
  onMissedWebhooks?: (orders: { id: string; createdAt: string }[]) => Promise<void>;
  /** Default WEBHOOK_GRACE_MS. */
  webhookGraceMs?: number;
}

/**
 * How soon the poll runs again after a pass that found orders whose webhooks never came: while a
 * subscription is gone (Shopify removes one after repeated failed deliveries, say while this
 * service or its Redis was down), every sale waits for the poll, 5 minutes by default (a chaos
 * run: 97 orders 7.5 minutes late after a 30-s Redis outage).
 */
export const MISSED_WEBHOOKS_POLL_MS = 30_000;

export class ShopifyOrderPoller {
  /** Orders created before this were made while nobody listened for their webhooks (Shopify retries those later). */
  private readonly startedAt: number;
  /** Whether the last pass recorded orders whose webhooks should have come first. */
  missedLastPass = false;

  constructor(
    private client: ShopifyClient,
    private opts: ShopifyPollerOptions,
  ) {
    this.startedAt = (opts.now ?? Date.now)();
  }

  async pollOnce(sink: EventSink): Promise<number> {
    const now = (this.opts.now ?? Date.now)();
    const saved = await this.opts.cursor.get();
    const from = saved ? Date.parse(saved) - (this.opts.overlapMs ?? 300_000) : now - (this.opts.initialLookbackMs ?? 3_600_000);
    let newest = saved ?? new Date(from).toISOString();
    let after: string | null = null;
    let sent = 0;
    this.missedLastPass = false;
    do {
      const page = after;
      // Background work: it may wait longer than a push for the cost budget the pushes keep spending
      // (with the pushes' 2 s, a chaos run's poll found it "exhausted" on every try for 25 min,
      // and orders whose webhooks had failed were never recorded), and waits out a throttle.
      const data: OrdersData = await patiently(() =>
        this.client.request<OrdersData>('orders', ORDERS_SINCE, { first: 10, after: page, query: `updated_at:>='${new Date(from).toISOString()}'` }, 400, BUDGET_WAIT_MS),
      );
      // An order with more lines than one page is left to its webhook (which carries every line):
      // recording part of it here would make the complete version a duplicate.
      const complete = data.orders.nodes.filter((o) => !o.lineItems.pageInfo.hasNextPage);
      const events = complete.flatMap((o) =>
        shopifyWebhookEvents(
          o.cancelledAt ? 'orders/cancelled' : 'orders/create',
          { id: o.legacyResourceId, created_at: o.createdAt, cancelled_at: o.cancelledAt, line_items: o.lineItems.nodes },
          this.opts.tenant,
        ),
      );
      if (events.length) await this.noticeMissed(complete, await sink(events));
      sent += events.length;
      for (const o of data.orders.nodes) if (Date.parse(o.updatedAt) > Date.parse(newest)) newest = o.updatedAt;
      // Oldest first, so everything up to this page is recorded: a pass cut short by throttling resumes here.
      await this.opts.cursor.set(newest);
      after = data.orders.pageInfo.hasNextPage ? data.orders.pageInfo.endCursor : null;
    } while (after);
    return sent;
  }

  /** Orders whose creation this page recorded (not a duplicate of their webhook's), made long enough ago that the webhook should have come first. */
  private async noticeMissed(orders: OrdersData['orders']['nodes'], results: EventResult[]): Promise<void> {
    if (!this.opts.onMissedWebhooks) return;
    const now = (this.opts.now ?? Date.now)();
    const recorded = new Set(results.filter((r) => r.status === 'applied' && r.id.endsWith(':confirmed')).map((r) => r.id));
    const grace = this.opts.webhookGraceMs ?? WEBHOOK_GRACE_MS;
    const missed = orders
      .filter((o) => recorded.has(`shopify:${o.legacyResourceId}:confirmed`))
      .filter((o) => Date.parse(o.createdAt) >= this.startedAt && now - Date.parse(o.createdAt) > grace)
      .map((o) => ({ id: o.legacyResourceId, createdAt: o.createdAt }));
    if (missed.length) {
      this.missedLastPass = true;
      await this.opts.onMissedWebhooks(missed);
    }
  }
}
