/**
 * The one narrow port between propagation and a channel. Each channel folder
 * (channels/<name>/{adapter,client,mapping,sandbox,ingestion}.ts) implements it; wire types stay
 * inside the folder. test/channels/conformance.ts runs the same suite against every adapter.
 *
 * Contract:
 * - `push` takes at most `limits.batchSize` items and returns one outcome per item, in order.
 *   It throws ChannelError only when the whole call failed (network, outage, 429, auth);
 *   per-item failures are outcomes.
 * - Quantities are absolute. `expected` is what we believe the channel shows now; adapters
 *   whose channel has compare-and-set (Shopify changeFromQuantity, the plugin endpoint) use it
 *   and answer `stale` (with the channel's current value, or null unread) instead of
 *   overwriting a sale.
 * - `idempotencyKey` is stable across transport retries of the same push and new for a new push.
 */
import type { StockEvent } from '../schemas/events';
import type { EventResult } from '../schemas/stock';

export type ChannelErrorKind =
  /** Throttled: pause the channel's queue for retryAfterMs, do not count as a failure. */
  | 'rate_limited'
  /** Credentials rejected / expired beyond refresh: dead-letter, alert. */
  | 'auth'
  /** The channel refused the payload: dead-letter with its message. */
  | 'validation'
  /** SKU not listed on the channel: dead-letter (needs mapping). */
  | 'not_found'
  /** Network error, timeout, 5xx, outage: retry with backoff. */
  | 'transient';

export class ChannelError extends Error {
  constructor(
    message: string,
    readonly kind: ChannelErrorKind,
    readonly options: { retryAfterMs?: number; channelCode?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ChannelError';
  }
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'transient';
  }
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

export interface PushItem {
  sku: string;
  /** Absolute quantity the channel must show (≥ 0). */
  quantity: number;
  /** What we believe the channel shows now (compare-and-set); undefined/null = unknown. */
  expected?: number | null;
  /** Ledger version the quantity was computed from. */
  version: number;
  idempotencyKey: string;
}

export type PushOutcome =
  /** `pending`: accepted but applied later (Amazon ACCEPTED); confirmed by a later read. */
  | { sku: string; status: 'ok'; quantity: number; pending?: boolean }
  /**
   * Compare-and-set mismatch: nothing was written. `current` is what the channel shows, or null
   * when the adapter did not read it (a read spends the budget the pushes need, and the usual
   * cause, a sale on the channel, reaches the ledger as its own change moments later). An
   * adapter that answers null must read when the same `expected` is refused again.
   */
  | { sku: string; status: 'stale'; current: number | null }
  | { sku: string; status: 'failed'; error: ChannelError }
  /**
   * Not applied, through no fault of its own: the call carrying it was refused for other rows
   * (Shopify applies a batch all-or-nothing), and sending it again with the same compare values
   * would meet the sales made meanwhile. Push it again with fresh values; not a failure.
   */
  | { sku: string; status: 'unsent' };

export interface ListingRef {
  sku: string;
  /** Channel-side ids, e.g. { inventoryItemId, locationId } or { fsn, locationId } or { productId, variationId }. */
  ids: Record<string, string>;
}

export interface ChannelLimits {
  /** Most items one push call may carry (Shopify 250, Flipkart 10, WooCommerce 100, Amazon 1 per PATCH). */
  batchSize: number;
  /** Published sustained request rate and burst (token bucket), overridable by configuration. */
  requestsPerSecond: number;
  burst: number;
  /**
   * How long the channel takes to show a push it has accepted (Amazon processes an ACCEPTED
   * listings PATCH later). Propagation holds back what the other channels are expected to sell
   * meanwhile (the rule's leadTimeMs, which this sets by default; see propagation/lead-time.ts).
   * Channels that apply a push before answering omit it.
   */
  appliesAfterMs?: number;
}

export interface ChannelAdapter {
  readonly id: string;
  readonly limits: ChannelLimits;
  push(items: PushItem[]): Promise<PushOutcome[]>;
  /**
   * Milliseconds until the channel's own budget (e.g. Shopify's query-cost bucket, which lookups
   * and read-backs spend too) lets a push go out without waiting; 0 = now. The worker waits this
   * long before it claims dirty SKUs, so they keep collecting into one larger push instead of
   * being claimed in small batches that then queue for budget. Channels without one omit it.
   */
  readyInMs?(): number;
  /**
   * How many SKUs the next push should carry (≤ limits.batchSize). A channel that refuses a whole
   * batch for one conflicting row (Shopify) carries fewer while its budget is tight and refusals
   * are frequent. Channels without a reason to omit it: limits.batchSize.
   */
  pushSize?(): number;
  /**
   * Called when a companion process starts: a channel that reports its changes to us through a
   * queue of its own (the WooCommerce plugin's outbox) is told we are up, so what waited is
   * delivered at once. Channels without one omit it.
   */
  greet?(): Promise<void>;
  /**
   * The channel's own count can go below 0 and its compare-and-set takes a negative `expected`
   * (WooCommerce: backorders, and an order it reduces a second time for units our push already
   * took off, as when a paid order set back to Pending is paid again). Channels without omit it.
   */
  readonly showsBelowZero?: boolean;
  /** Current quantities; null for a SKU not listed on the channel. */
  read(skus: string[]): Promise<Map<string, number | null>>;
  /**
   * SKU → channel ids (cached by the adapter); null when not listed. `fresh`: ask the channel, not
   * the cache, and keep its answer (the listings check: a person asking which SKUs are listed
   * wants today's answer, e.g. after deleting or re-creating a product on the channel).
   * `background`: bulk work (the listings check); the channel's budget goes to pushes first, so it
   * may wait longer, and pushes keep using what is cached while it runs.
   */
  resolve(skus: string[], opts?: { fresh?: boolean; background?: boolean }): Promise<Map<string, ListingRef | null>>;
  /** Stop selling (quantity 0, or the channel's own inactive state). */
  pause(skus: string[]): Promise<PushOutcome[]>;
  /** Sell again at the given quantities. */
  relist(items: PushItem[]): Promise<PushOutcome[]>;
  close(): Promise<void>;
}

/** Where ingested channel orders go: the ledger, through the same validation as the HTTP API. */
export type EventSink = (events: StockEvent[]) => Promise<EventResult[]>;

/**
 * How a channel's orders reach Stockline. `routes` registers webhook receivers under
 * `/v1/webhooks/<channel>` (raw body available as `request.rawBody`); `start` begins polling
 * or queue consumption and returns a stop function.
 */
export interface OrderIngestion {
  routes?: (app: import('fastify').FastifyInstance, sink: EventSink) => Promise<void> | void;
  start?: (sink: EventSink) => Promise<() => Promise<void>>;
}

export interface ChannelModule {
  id: string;
  adapter: ChannelAdapter;
  ingestion: OrderIngestion;
}
