/**
 * In-memory state of the Amazon sandbox: credentials and issued tokens, the seller's listings,
 * orders and the ORDER_CHANGE queue. Routes (sandbox-*.ts) read and change it; nothing here
 * speaks HTTP.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Faults } from '../sandbox-kit/faults';
import type { SandboxStats } from '../sandbox-kit/types';
import { TokenBucket } from '../sandbox-kit/token-bucket';
import type { FulfillmentAvailability, Order, OrderChangeNotification, OrderItem, OrderStatus, QueueMessage } from './wire';

export interface AmazonSandboxOptions {
  port?: number;
  faults?: Partial<import('../sandbox-kit/types').FaultConfig>;
  /** How long an ACCEPTED listings submission waits before it is applied (Amazon: minutes). */
  applyDelayMs?: number;
  tokenTtlSeconds?: number;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  sellerId?: string;
  marketplaceId?: string;
  /** getOrders refuses *Before later than now minus this (Amazon: 2 minutes). */
  ordersLagMs?: number;
  /** A shopper's order moves Pending → Unshipped after this long. */
  pendingMs?: number;
  /** IN_QUEUE → DONE takes this long for a feed. */
  feedProcessingMs?: number;
  /** Feeds accepted per window (Amazon: 5 per 5 minutes per region). */
  feedsPerWindow?: number;
  feedWindowMs?: number;
  /** An SQS message received but not deleted becomes visible again after this long. */
  visibilityTimeoutMs?: number;
  /** 0..1: share of ACCEPTED submissions that never apply (docs#2068, models#5327). */
  lostAcceptedRate?: number;
  /** AWS credentials the sandbox's SQS endpoint (<url>/sqs) accepts. */
  awsAccessKeyId?: string;
  awsSecretAccessKey?: string;
  /** Multiplies every published rate (tests speed slow operations up; 1 = Amazon's numbers). */
  rateScale?: number;
}

export interface Listing {
  sku: string;
  asin: string;
  productType: string;
  attributes: { fulfillment_availability: FulfillmentAvailability[] } & Record<string, unknown[]>;
}

export interface SandboxOrder extends Order {
  items: OrderItem[];
}

interface QueuedMessage extends QueueMessage {
  visibleAt: number;
}

/** Published rate / burst per operation (shared/channels.md §2 "Rate limits", "Orders"). */
export const OPERATION_RATES = {
  patchListingsItem: [5, 5],
  getListingsItem: [5, 10],
  createFeedDocument: [0.5, 15],
  createFeed: [0.0083, 15],
  getFeed: [2, 15],
  getFeedDocument: [0.0222, 10],
  getOrders: [0.0167, 20],
  getOrderItems: [0.5, 30],
} as const;
export type Operation = keyof typeof OPERATION_RATES;

export class AmazonSandboxState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly sellerId: string;
  readonly marketplaceId: string;
  readonly tokenTtlSeconds: number;
  readonly applyDelayMs: number;
  readonly ordersLagMs: number;
  readonly pendingMs: number;
  readonly feedProcessingMs: number;
  readonly feedsPerWindow: number;
  readonly feedWindowMs: number;
  readonly visibilityTimeoutMs: number;
  readonly faults: Faults;
  lostAcceptedRate: number;
  readonly tokens = new Map<string, number>();
  readonly listings = new Map<string, Listing>();
  readonly orders = new Map<string, SandboxOrder>();
  readonly queue: QueuedMessage[] = [];
  readonly stats: SandboxStats = { calls: 0, throttled: 0, writes: 0, rowsWritten: 0, ordersAccepted: 0, ordersRefused: 0 };
  readonly timers = new Set<NodeJS.Timeout>();
  private readonly buckets = new Map<Operation, TokenBucket>();
  private orderSeq = 0;

  constructor(opts: AmazonSandboxOptions) {
    this.clientId = opts.clientId ?? 'amzn1.application-oa2-client.sandbox';
    this.clientSecret = opts.clientSecret ?? 'amzn1.oa2-cs.v1.sandbox-secret';
    this.refreshToken = opts.refreshToken ?? 'Atzr|sandbox-refresh-token';
    this.sellerId = opts.sellerId ?? 'A2SANDBOXSELLER';
    this.marketplaceId = opts.marketplaceId ?? 'ATVPDKIKX0DER';
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? 3600;
    this.applyDelayMs = opts.applyDelayMs ?? 500;
    this.ordersLagMs = opts.ordersLagMs ?? 120_000;
    this.pendingMs = opts.pendingMs ?? 200;
    this.feedProcessingMs = opts.feedProcessingMs ?? 300;
    this.feedsPerWindow = opts.feedsPerWindow ?? 5;
    this.feedWindowMs = opts.feedWindowMs ?? 5 * 60_000;
    this.visibilityTimeoutMs = opts.visibilityTimeoutMs ?? 30_000;
    this.faults = new Faults(opts.faults);
    this.lostAcceptedRate = opts.lostAcceptedRate ?? 0;
    const scale = opts.rateScale ?? 1;
    for (const [op, [rate, burst]] of Object.entries(OPERATION_RATES)) {
      this.buckets.set(op as Operation, new TokenBucket(rate * scale, burst));
    }
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  issueToken(): { token: string; expiresIn: number } {
    const token = `Atza|${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, Date.now() + this.tokenTtlSeconds * 1000);
    return { token, expiresIn: this.tokenTtlSeconds };
  }

  tokenValid(token: string): boolean {
    const exp = this.tokens.get(token);
    return exp !== undefined && exp > Date.now();
  }

  /** Every issued token stops working (Amazon's platform-wide "token expired" episodes, #2595). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Token bucket per seller+app and operation; false = answer 429 QuotaExceeded. */
  take(op: Operation): boolean {
    if (!this.faults.throttling) return true;
    return this.buckets.get(op)!.tryTake();
  }

  rateOf(op: Operation): number {
    return this.buckets.get(op)!.rate;
  }

  seed(listings: { sku: string; quantity: number }[]): void {
    for (const { sku, quantity } of listings) {
      const existing = this.listings.get(sku);
      if (existing) {
        setDefaultQuantity(existing, quantity);
        continue;
      }
      this.listings.set(sku, {
        sku,
        asin: `B0${randomBytes(4).toString('hex').toUpperCase()}`,
        productType: 'PRODUCT',
        attributes: { fulfillment_availability: [{ fulfillment_channel_code: 'DEFAULT', quantity }] },
      });
    }
  }

  quantities(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.listings.values()) out[l.sku] = defaultQuantity(l);
    return out;
  }

  nextOrderId(): string {
    this.orderSeq += 1;
    const n = String(this.orderSeq).padStart(7, '0');
    return `113-${String(Date.now() % 10_000_000).padStart(7, '0')}-${n}`;
  }

  /** Moves an order to a status and publishes ORDER_CHANGE (with the faults' duplicates/reordering). */
  setOrderStatus(order: SandboxOrder, status: OrderStatus): void {
    order.OrderStatus = status;
    order.LastUpdateDate = new Date().toISOString();
    if (status === 'Shipped') {
      order.NumberOfItemsShipped = order.items.reduce((n, i) => n + i.QuantityOrdered, 0);
      order.NumberOfItemsUnshipped = 0;
    }
    this.publish(this.notificationFor(order));
  }

  notificationFor(order: SandboxOrder): OrderChangeNotification {
    const now = new Date().toISOString();
    return {
      NotificationVersion: '1.0',
      NotificationType: 'ORDER_CHANGE',
      PayloadVersion: '1.0',
      EventTime: now,
      Payload: {
        OrderChangeNotification: {
          NotificationLevel: 'OrderLevel',
          SellerId: this.sellerId,
          AmazonOrderId: order.AmazonOrderId,
          OrderChangeType: 'OrderStatusChange',
          OrderChangeTrigger: { TimeOfOrderChange: now, ChangeReason: 'StatusChange' },
          Summary: {
            MarketplaceId: order.MarketplaceId,
            OrderStatus: order.OrderStatus,
            PurchaseDate: order.PurchaseDate,
            FulfillmentType: 'MFN',
            OrderItems: order.items.map((i) => ({ OrderItemId: i.OrderItemId, SellerSKU: i.SellerSKU, Quantity: i.QuantityOrdered })),
          },
        },
      },
      NotificationMetadata: {
        ApplicationId: this.clientId,
        SubscriptionId: 'sandbox-subscription',
        PublishTime: now,
        NotificationId: randomUUID(),
      },
    };
  }

  /** SQS delivers at least once: a duplicate is the same body under a new message id. */
  publish(notification: OrderChangeNotification): void {
    const body = JSON.stringify(notification);
    const visibleAt = Date.now() + this.faults.deliveryDelayMs;
    for (const b of this.faults.shapeDeliveries([body])) {
      this.queue.push({ messageId: randomUUID(), receiptHandle: '', body: b, visibleAt });
    }
    if (this.faults.get().reorder) {
      for (let i = this.queue.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [this.queue[i], this.queue[j]] = [this.queue[j]!, this.queue[i]!];
      }
    }
  }

  receive(max: number, visibilityMs = this.visibilityTimeoutMs): QueueMessage[] {
    const now = Date.now();
    const out: QueueMessage[] = [];
    for (const m of this.queue) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.receiptHandle = randomBytes(16).toString('hex');
      m.visibleAt = now + visibilityMs;
      out.push({ messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body });
    }
    return out;
  }

  deleteMessage(receiptHandle: string): boolean {
    const i = this.queue.findIndex((m) => m.receiptHandle === receiptHandle && receiptHandle !== '');
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }
}

export function defaultQuantity(l: Listing): number {
  return l.attributes.fulfillment_availability.find((f) => f.fulfillment_channel_code === 'DEFAULT')?.quantity ?? 0;
}

export function setDefaultQuantity(l: Listing, quantity: number): void {
  const entry = l.attributes.fulfillment_availability.find((f) => f.fulfillment_channel_code === 'DEFAULT');
  if (entry) entry.quantity = quantity;
  else l.attributes.fulfillment_availability.push({ fulfillment_channel_code: 'DEFAULT', quantity });
}
