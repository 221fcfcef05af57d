/**
 * What every channel sandbox offers besides its channel's own API: fault injection, a shopper
 * endpoint, and a view of its quantities so tests and the bench can check convergence.
 * Admin routes (all JSON, no auth — sandboxes bind to 127.0.0.1):
 *   GET  /_sandbox/quantities            → { [sku]: quantity }
 *   POST /_sandbox/listings              [{ sku, quantity }] → seeds or updates the catalog
 *   GET  /_sandbox/faults                → FaultConfig
 *   POST /_sandbox/faults                Partial<FaultConfig> & { outageForMs? } → FaultConfig
 *   POST /_sandbox/orders                { sku, qty } → { accepted, orderId?, reason? } (a shopper buys)
 *   GET  /_sandbox/stats                 → SandboxStats
 */
export interface FaultConfig {
  /** Added before every channel API answer. */
  latencyMs: number;
  /** 0..1: share of channel API calls answered with the channel's own 5xx. */
  errorRate: number;
  /** Epoch-ms windows during which the API drops connections (a real outage). */
  outages: { from: number; to: number }[];
  /** 0..1: share of outbound deliveries (webhooks, notifications, poll pages) sent twice. */
  duplicateRate: number;
  /** Deliver outbound order reports out of order (shuffled within small windows). */
  reorder: boolean;
  /** Extra delay before an order becomes visible to Stockline (late deliveries). */
  deliveryDelayMs: number;
  /** Enforce the channel's published rate limits with its own throttle signals. */
  throttling: boolean;
}

export const defaultFaults = (): FaultConfig => ({
  latencyMs: 0,
  errorRate: 0,
  outages: [],
  duplicateRate: 0,
  reorder: false,
  deliveryDelayMs: 0,
  throttling: true,
});

export interface SandboxStats {
  /** Channel API calls answered (admin routes excluded). */
  calls: number;
  /** Calls answered with a throttle signal (429, THROTTLED, QuotaExceeded). */
  throttled: number;
  /** Calls that changed quantities (write calls), and quantity rows they carried. */
  writes: number;
  rowsWritten: number;
  /** Orders accepted and refused through the shopper endpoint. */
  ordersAccepted: number;
  ordersRefused: number;
}

export interface ShopperResult {
  accepted: boolean;
  orderId?: string;
  reason?: string;
}

/** A running sandbox, as returned by start<Channel>Sandbox(). */
export interface SandboxHandle {
  channel: string;
  /** Base URL the channel's adapter is pointed at (the channel's real base URL is replaced by it). */
  url: string;
  /** Credentials the sandbox accepts, in the channel's configuration terms. */
  credentials: Record<string, string>;
  quantities(): Record<string, number>;
  seed(listings: { sku: string; quantity: number }[]): void;
  /** A shopper buys on this channel: accepted only if its local quantity allows. */
  placeOrder(sku: string, qty: number): Promise<ShopperResult>;
  setFaults(faults: Partial<FaultConfig> & { outageForMs?: number }): FaultConfig;
  stats(): SandboxStats;
  close(): Promise<void>;
}
