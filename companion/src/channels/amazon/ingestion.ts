/**
 * Amazon orders into the ledger, two ways (channels.md §2, §7.8): ORDER_CHANGE notifications from
 * a queue (fast path) and getOrders polling (backup, because notifications can be lost).
 *
 * Polling respects the 2-minute rule: each window ends at now − lag and starts `overlapMs` before
 * the previous end, so an order whose change became visible late is still seen; whatever is
 * seen twice is dropped by the per-order tracker and the ledger's event ids.
 */
import type { Redis } from 'ioredis';
import type { EventSink, OrderIngestion } from '../port';
import type { SpApiClient } from './client';
import type { NotificationSource } from './notifications';
import { parseOrderChange } from './notifications';
import type { AmazonOrderApplier, OrderSnapshot } from './order-events';
import { loopUntilAborted, patiently, PollCursor, retryAfterOr, type CursorStore } from '../poll-kit';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface AmazonIngestionOptions {
  /** getOrders is 0.0167/s (burst 20): once a minute by default. 0 = no polling. */
  pollIntervalMs?: number;
  /** How far behind now a window ends (Amazon: at least 2 minutes) — plus a small margin. */
  lagMs?: number;
  /** Each window starts this long before the previous one ended. */
  overlapMs?: number;
  /** The first window looks back this far. */
  initialLookbackMs?: number;
  notifications?: NotificationSource;
  /** Where the polling cursor survives restarts. */
  cursor?: CursorStore;
  /** NotificationId dedup that survives restarts (SET NX, 7 days). */
  seen?: { redis: Redis; keyOf: (notificationId: string) => string };
  logger?: Logger;
}

export class AmazonOrderPoller {
  private readonly cursor: PollCursor;
  private readonly itemsCache = new Map<string, { sku: string; qty: number }[]>();

  constructor(
    private readonly client: SpApiClient,
    private readonly applier: AmazonOrderApplier,
    private readonly opts: AmazonIngestionOptions,
  ) {
    this.cursor = new PollCursor(opts.cursor);
  }

  /** One window: pages through getOrders and applies every order; returns orders seen. */
  async pollOnce(sink: EventSink, signal?: AbortSignal): Promise<number> {
    const lag = this.opts.lagMs ?? 125_000;
    const before = Date.now() - lag;
    const start = (await this.cursor.load()) ?? Date.now() - (this.opts.initialLookbackMs ?? 24 * 3600_000);
    const after = start - (this.opts.overlapMs ?? 5 * 60_000);
    if (after >= before) return 0;
    let seen = 0;
    let token: string | undefined;
    do {
      const query = token
        ? { MarketplaceIds: this.client.opts.marketplaceIds, NextToken: token }
        : {
            MarketplaceIds: this.client.opts.marketplaceIds,
            LastUpdatedAfter: new Date(after).toISOString(),
            LastUpdatedBefore: new Date(before).toISOString(),
            MaxResultsPerPage: '100',
          };
      // A throttle (getOrders 0.0167/s, getOrderItems 0.5/s) is waited out for the time Amazon's
      // rate gives (retryAfterMs), not hammered (Amazon turns persistent 429s into 403s).
      const page = await patiently(() => this.client.getOrders(query, signal), signal);
      for (const order of page.payload.Orders) {
        if (order.FulfillmentChannel === 'AFN') continue;
        seen += 1;
        // Recorded already (a chaos run's two workers and restarts re-read every order's items at
        // 0.5/s before reaching new ones: Amazon orders 6-8 minutes late).
        if (!(await this.applier.isNew(order.AmazonOrderId, order.OrderStatus))) continue;
        const snapshot: OrderSnapshot = {
          orderId: order.AmazonOrderId,
          status: order.OrderStatus,
          // A cancel needs no lines: it undoes what the order's id holds.
          lines: order.OrderStatus === 'Canceled' ? [] : await this.items(order.AmazonOrderId, signal),
          occurredAt: order.LastUpdateDate,
        };
        await this.applier.apply(snapshot, sink);
      }
      token = page.payload.NextToken;
    } while (token);
    await this.cursor.save(before);
    return seen;
  }

  /** Items of an order do not change; fetch them once (getOrderItems is 0.5/s). */
  private async items(orderId: string, signal?: AbortSignal): Promise<{ sku: string; qty: number }[]> {
    const hit = this.itemsCache.get(orderId);
    if (hit) return hit;
    const r = await patiently(() => this.client.getOrderItems(orderId, signal), signal);
    const lines = r.payload.OrderItems.map((i) => ({ sku: i.SellerSKU, qty: i.QuantityOrdered }));
    if (this.itemsCache.size > 10_000) this.itemsCache.clear();
    this.itemsCache.set(orderId, lines);
    return lines;
  }

}

export class AmazonNotificationConsumer {
  private readonly recent = new Set<string>();

  constructor(
    private readonly source: NotificationSource,
    private readonly applier: AmazonOrderApplier,
    private readonly opts: AmazonIngestionOptions,
  ) {}

  /** Receives one batch and handles it; a message is deleted only after the ledger took it. */
  async consumeOnce(sink: EventSink, signal?: AbortSignal): Promise<number> {
    const messages = await this.source.receive(signal);
    for (const msg of messages) {
      const parsed = parseOrderChange(msg.body);
      if (!parsed) {
        await this.source.ack(msg);
        continue;
      }
      if (!(await this.alreadySeen(parsed.notificationId))) {
        await this.applier.apply(parsed.snapshot, sink);
        await this.markSeen(parsed.notificationId);
      }
      await this.source.ack(msg);
    }
    return messages.length;
  }

  private async alreadySeen(id: string): Promise<boolean> {
    if (this.recent.has(id)) return true;
    if (this.opts.seen) return (await this.opts.seen.redis.exists(this.opts.seen.keyOf(id))) === 1;
    return false;
  }

  private async markSeen(id: string): Promise<void> {
    if (this.recent.size > 50_000) this.recent.clear();
    this.recent.add(id);
    if (this.opts.seen) await this.opts.seen.redis.set(this.opts.seen.keyOf(id), '1', 'EX', 7 * 24 * 3600);
  }
}

/** The OrderIngestion the registry starts: a poll loop and a queue loop until stopped. */
export function amazonIngestion(client: SpApiClient, applier: AmazonOrderApplier, opts: AmazonIngestionOptions): OrderIngestion {
  const log = opts.logger ?? silentLogger;
  return {
    async start(sink: EventSink) {
      const abort = new AbortController();
      const loops: Promise<void>[] = [];
      const poller = new AmazonOrderPoller(client, applier, opts);
      const interval = opts.pollIntervalMs ?? 60_000;
      if (interval > 0) {
        loops.push(
          loopUntilAborted({
            signal: abort.signal,
            once: () => poller.pollOnce(sink, abort.signal),
            intervalMs: interval,
            retryMs: (err) => Math.max(retryAfterOr(5_000)(err), interval),
            onError: (err) => log.warn({ err, channel: 'amazon' }, 'getOrders poll failed; retrying'),
          }),
        );
      }
      if (opts.notifications) {
        const consumer = new AmazonNotificationConsumer(opts.notifications, applier, opts);
        loops.push(
          loopUntilAborted({
            signal: abort.signal,
            once: () => consumer.consumeOnce(sink, abort.signal),
            intervalMs: 0,
            retryMs: () => 1_000,
            onError: (err) => log.warn({ err, channel: 'amazon' }, 'ORDER_CHANGE consumption failed; retrying'),
          }),
        );
      }
      return async () => {
        abort.abort();
        await Promise.allSettled(loops);
      };
    },
  };
}
