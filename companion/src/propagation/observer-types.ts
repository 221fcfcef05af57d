/**
 * Local copy of the worker → observer interface that propagation defines in worker-hooks.ts.
 * Kept structurally identical (plus the optional `retryAfterMs`) until that file is merged.
 */
export interface PushedItem {
  sku: string;
  ok: boolean;
  /** Ledger change time → channel acknowledgement, for items that landed. */
  lagMs?: number;
  error?: string;
  code?: string;
}

export interface PushedEvent {
  tenant: string;
  channel: string;
  items: PushedItem[];
  /** The whole call was throttled (429 / THROTTLED / QuotaExceeded): not a failure. */
  throttled?: boolean;
  /** How long the channel asked us to wait, when it said. */
  retryAfterMs?: number;
  /** The whole call failed (network, outage, auth). */
  callError?: string;
}

export interface PushHooks {
  /** False = breaker open: the job is delayed, not failed. */
  canPush(channel: string): boolean | Promise<boolean>;
  pushed(e: PushedEvent): void | Promise<void>;
  deadLettered?(e: { channel: string; sku: string; reason: string }): void;
}
