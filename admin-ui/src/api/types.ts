/**
 * Shapes the page reads. Ledger, dead-letter, sync, rule and mapping shapes come from the
 * companion's own schemas (type-only, so nothing of TypeBox or the server reaches the bundle);
 * the rest are written from DEVELOPERS.md ("HTTP API" and "Plugin ↔ admin page") because no
 * schema module exports them yet.
 */
import type { Static } from '@sinclair/typebox';
import type {
  DeadLetter as DeadLetterSchema,
  MappingReport,
  Rule as RuleSchema,
  RulesReport,
  SyncCell,
  SyncReport,
} from '../../../companion/src/propagation/routes/schemas';
import type { AuditEntry, Incident, StockState } from '../../../companion/src/schemas/stock';

export type { AuditEntry, Incident, StockState };

/** `stalled`: no worker reads the companion's change feed, so no channel gets any change. */
export type ChannelState = 'ok' | 'degraded' | 'down' | 'paused' | 'stalled';
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface LagWindow {
  p50: number;
  p95: number;
  p99: number;
  count: number;
}

export interface ChannelHealth {
  id: string;
  state: ChannelState;
  breaker: BreakerState;
  lag: { '1m': LagWindow; '5m': LagWindow; '60m': LagWindow };
  lagSeries: { t: number; p50: number; p99: number }[];
  queueDepth: number;
  /** Changes on the companion's change feed no worker has read yet (the same for every channel); older companions leave it out. */
  feed?: { unread: number; inProgress: number; oldestUnreadMs: number | null };
  /** The companion's sentence for why the state is not ok (English); older companions leave it out. */
  reason?: string | null;
  deadLetters: number;
  successRate: number;
  /** `sku`: the SKU the failed push was about (absent when a whole call failed). */
  lastError: { message: string; at: string | number; sku?: string } | null;
  pushes: number;
  throttledUntil: number | null;
  /** When the breaker opened for the outage under way (RFC 3339); older companions leave it out. */
  downSince?: string | null;
  /** The last outage that ended (breaker opened → closed again); older companions leave it out. */
  lastOutage?: { from: string; to: string } | null;
  /** A local sandbox standing in for the channel (no credentials configured). */
  sandbox?: boolean;
  /** The last order that reached Stockline only through the reconciliation poll (its webhook never came); older companions leave it out. */
  missedWebhook?: { order: string; createdAt: string; foundAt: string; count: number } | null;
  /** How long the SKU first in line for a push has waited past its turn (ms); older companions leave it out. */
  oldestWaitingMs?: number | null;
}

/** GET v1/sync/out-of-step: SKUs some channel does not show what it should. */
export interface OutOfStepPage {
  items: { state: StockState; channels: SyncItem['channels'] }[];
  nextCursor: string | null;
  scanned: number;
}

/** POST v1/sync/:sku/check: what each channel shows now, read from it. */
export interface LiveCheck {
  sku: string;
  channels: Record<string, { shown: number | null; expected: number; matches: boolean; pushedAgain: boolean; error?: string }>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One entry of GET v1/dead-letters; `retrying` is set while a retry the owner asked for is queued. */
export type DeadLetter = Static<typeof DeadLetterSchema>;

/** What one channel shows for a SKU next to what it should show (GET v1/sync). */
export type SyncChannel = Static<typeof SyncCell>;
export type SyncItem = Static<typeof SyncReport>['items'][number];

/** Units and share held back, and the most ever shown, for a channel or a SKU (GET/PUT v1/rules). */
export type Rule = Static<typeof RuleSchema>;
export type Rules = Static<typeof RulesReport>;

/** How many SKUs each channel lists and which it does not (GET v1/mapping). */
export type Mapping = Static<typeof MappingReport>;

/** A store change the plugin set aside: rejected as malformed (failed) or refused by the ledger. */
export interface OutboxEntry {
  eventId: string;
  type: string;
  /** The WooCommerce order number for an order event. */
  order: number | null;
  skus: string[];
  /** rejected:<code> or refused:<code>. */
  result: string;
  /** The companion's sentence, naming the short SKUs for a refused sale. */
  error: string | null;
  at: string | null;
}

export interface AdminStatus {
  connected: boolean;
  companionUrl: string;
  tenant: string;
  /** A setting every event would be refused for; nothing is sent while it is set. */
  problem?: string | null;
  outbox: {
    pending: number;
    failed: number;
    /** Store changes the ledger refused and the owner should see (a sale it had no stock for). */
    refused?: number;
    oldestAgeSeconds: number | null;
    lastError?: string | null;
    failedLatest?: OutboxEntry[];
    refusedLatest?: OutboxEntry[];
  };
  woocommerce: boolean;
}

/** What POST admin/outbox/retry did. */
export interface OutboxRetryResult {
  requeued: number;
  delivered: number;
  failed: number;
  error: string | null;
}

export interface AdminSettings {
  companionUrl: string;
  tenant: string;
  checkoutGuard: boolean;
  checkoutTimeoutMs: number;
  secretSet: boolean;
  adminTokenSet: boolean;
  /** Settings fixed by wp-config.php constants; the form shows them read-only. */
  constants: string[];
}

/** What the form sends: secrets only when the owner typed a new one. */
export interface AdminSettingsUpdate {
  companionUrl?: string;
  tenant?: string;
  checkoutGuard?: boolean;
  checkoutTimeoutMs?: number;
  secret?: string;
  adminToken?: string;
}

export interface TestConnectionResult {
  ok: boolean;
  message: string;
  latencyMs: number | null;
}

export interface ImportStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  errors: { sku: string; message: string }[];
  needsSku: { id: number | string; name: string }[];
  /** Seconds since a running import last moved (null when not running). */
  idleSeconds?: number | null;
  /** Why the last batch was not taken (the companion's error), while it is retried. */
  lastError?: string | null;
  /** The store's tenant now. */
  tenant?: string;
  /** The tenant the last import ran for (null: none yet). */
  importedFor?: string | null;
  /**
   * The store moved to another tenant (or away and back) since its last import, so that import
   * no longer counts: `state` is `idle` and the ledger of `tenant` does not match WooCommerce.
   */
  tenantChanged?: boolean;
  /** This run is a re-import for the tenant of the last finished one (plugin ≥ 19th session). */
  reimport?: boolean;
  /** Products a re-import left to the ledger: their stock was what Stockline last wrote there. */
  leftToLedger?: number;
  /** When the run shown started, and finished once done (ISO 8601; null: none, or a plugin before the 21st session). */
  startedAt?: string | null;
  finishedAt?: string | null;
}

/** Body of the plugin route that signs a stock.adjusted event on the browser's behalf. */
export interface AdjustRequest {
  sku: string;
  mode: 'set' | 'add';
  quantity: number;
  reason: string;
  /** One per intended change, the same when it is saved again: the event's idempotency key. */
  requestId: string;
}

export interface StocklineAdminGlobals {
  restRoot: string;
  nonce: string;
  woocommerce: boolean;
  version: string;
}
