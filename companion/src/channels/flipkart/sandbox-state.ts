/**
 * In-memory state of the Flipkart sandbox: app credentials and issued tokens, listings (FSN and
 * per-location inventory) and shipments. Routes (sandbox*.ts) read and change it.
 */
import { randomBytes } from 'node:crypto';
import { Faults } from '../sandbox-kit/faults';
import type { FaultConfig, SandboxStats } from '../sandbox-kit/types';
import { TokenBucket } from '../sandbox-kit/token-bucket';
import type { ListingLocation, OrderItem, Shipment } from './wire';

export interface FlipkartSandboxOptions {
  port?: number;
  faults?: Partial<FaultConfig>;
  /** Flipkart issues ~60-day tokens (5183999 s). */
  tokenTtlSeconds?: number;
  appId?: string;
  appSecret?: string;
  locationId?: string;
  /**
   * Flipkart publishes no rate limit (channels.md §3); this sandbox enforces 10/s, burst 20 while
   * faults.throttling is on (a guess, UNCONFIRMED, as is the 429 body). null: never throttle.
   */
  rateLimit?: { requestsPerSecond: number; burst: number } | null;
  /** 0..1: share of SKUs in an inventory update answered FAILURE for no reason of theirs. */
  skuFailureRate?: number;
}

export interface Listing {
  sku: string;
  fsn: string;
  locations: Map<string, ListingLocation>;
}

export interface SandboxShipment extends Shipment {
  /** When the latest change becomes visible to the filter API (late-delivery fault). */
  visibleAt: number;
}

export class FlipkartSandboxState {
  readonly appId: string;
  readonly appSecret: string;
  readonly locationId: string;
  readonly tokenTtlSeconds: number;
  readonly faults: Faults;
  skuFailureRate: number;
  readonly tokens = new Map<string, number>();
  readonly listings = new Map<string, Listing>();
  readonly shipments = new Map<string, SandboxShipment>();
  readonly stats: SandboxStats = { calls: 0, throttled: 0, writes: 0, rowsWritten: 0, ordersAccepted: 0, ordersRefused: 0 };
  private readonly bucket: TokenBucket | null;
  private seq = 0;

  constructor(opts: FlipkartSandboxOptions) {
    this.appId = opts.appId ?? 'sandbox-app-id';
    this.appSecret = opts.appSecret ?? 'sandbox-app-secret';
    this.locationId = opts.locationId ?? 'LOC7d2f0c6ba3e44b62a0b9ee4d5c3a1f20';
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? 5_183_999;
    this.faults = new Faults(opts.faults);
    this.skuFailureRate = opts.skuFailureRate ?? 0;
    const limit = opts.rateLimit === undefined ? { requestsPerSecond: 10, burst: 20 } : opts.rateLimit;
    this.bucket = limit ? new TokenBucket(limit.requestsPerSecond, limit.burst) : null;
  }

  issueToken(): string {
    const token = randomBytes(18).toString('hex');
    this.tokens.set(token, Date.now() + this.tokenTtlSeconds * 1000);
    return token;
  }

  /** 'ok', or why a Bearer token is refused. */
  checkToken(token: string | undefined): 'ok' | 'missing' | 'invalid' | 'expired' {
    if (!token) return 'missing';
    const exp = this.tokens.get(token);
    if (exp === undefined) return 'invalid';
    return exp > Date.now() ? 'ok' : 'expired';
  }

  revokeTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  take(): boolean {
    if (!this.bucket || !this.faults.throttling) return true;
    return this.bucket.tryTake();
  }

  seed(listings: { sku: string; quantity: number }[]): void {
    for (const { sku, quantity } of listings) {
      const existing = this.listings.get(sku);
      if (existing) {
        existing.locations.get(this.locationId)!.inventory = quantity;
        continue;
      }
      this.listings.set(sku, {
        sku,
        fsn: randomBytes(8).toString('hex').toUpperCase().slice(0, 16),
        locations: new Map([[this.locationId, { id: this.locationId, status: 'ENABLED', inventory: quantity }]]),
      });
    }
  }

  quantities(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.listings.values()) out[l.sku] = l.locations.get(this.locationId)?.inventory ?? 0;
    return out;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${Date.now().toString(36).toUpperCase()}${String(this.seq).padStart(5, '0')}`;
  }

  touch(s: SandboxShipment): void {
    s.updatedAt = new Date().toISOString();
    s.visibleAt = Date.now() + this.faults.deliveryDelayMs;
  }

  findItem(orderItemId: string): { shipment: SandboxShipment; item: OrderItem } | null {
    for (const shipment of this.shipments.values()) {
      const item = shipment.orderItems.find((i) => i.orderItemId === orderItemId);
      if (item) return { shipment, item };
    }
    return null;
  }
}
