/**
 * The ledger port: the only writer of stock. Every method that changes state runs exactly one
 * Lua script (ledger/lua/<verb>-<numkeys>.lua) so idempotency, version/staleness checks, every
 * line, the audit entry and the change-feed entry happen in one atomic step.
 */
import type { StockEvent } from '../schemas/events';
import type { AuditEntry, EventResult, Incident, StockState } from '../schemas/stock';

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, null when this was the last. */
  nextCursor: string | null;
}

export interface AuditFilter {
  sku?: string;
  orderId?: string;
  type?: string;
  channel?: string;
  /** Inclusive bounds, ms since epoch. */
  from?: number;
  to?: number;
  cursor?: string;
  limit?: number;
  /** Newest first by default. */
  order?: 'asc' | 'desc';
}

export interface IncidentFilter {
  status?: 'open' | 'resolved';
  /** The last incident id of the previous page. */
  cursor?: string;
  limit?: number;
}

export interface Ledger {
  /** Loads every script (SCRIPT LOAD); true once Redis answers and all scripts are loaded. */
  ready(): Promise<boolean>;
  /** Applies one event; business refusals come back as `status: 'refused'`, never thrown. */
  apply(event: StockEvent): Promise<EventResult>;
  /** Each event judged alone, in order; pipelined. */
  applyBatch(events: StockEvent[]): Promise<EventResult[]>;
  getStock(tenant: string, sku: string): Promise<StockState | null>;
  getStockMany(tenant: string, skus: string[]): Promise<(StockState | null)[]>;
  listStock(tenant: string, opts: { prefix?: string; cursor?: string; limit?: number }): Promise<Page<StockState>>;
  /** How many SKUs start with `prefix` (all without one). */
  countStock(tenant: string, prefix?: string): Promise<number>;
  listAudit(tenant: string, filter: AuditFilter): Promise<Page<AuditEntry>>;
  /** Newest first (by id), paged. */
  listIncidents(tenant: string, opts?: IncidentFilter): Promise<Page<Incident>>;
  /** Sets or clears the manual pause flag (propagation shows 0 while paused); audited. */
  setPaused(tenant: string, sku: string, paused: boolean, reason: string): Promise<StockState>;
  /** Releases every hold whose TTL has passed (audited, reason `expired`); returns how many. */
  sweepExpired(now?: number): Promise<number>;
}
