/**
 * The seam between the push worker (this branch) and observability (lag histograms, breaker,
 * alerts — propagation/observer.ts on the `observe` branch). The worker calls these around every
 * push call; the observer implements them. Nothing else crosses between the two.
 */
export interface PushHookItem {
  sku: string;
  ok: boolean;
  /** Ms from the earliest unsynced ledger change of this SKU to the channel's acknowledgement. */
  lagMs?: number;
  error?: string;
  /** ChannelError kind (or 'stale' for a compare-and-set mismatch). */
  code?: string;
}

export interface PushedEvent {
  tenant: string;
  channel: string;
  items: PushHookItem[];
  /** The whole call was throttled by the channel (429, THROTTLED, QuotaExceeded). */
  throttled?: boolean;
  /** The whole call failed (network, outage, auth …): the message. */
  callError?: string;
}

export interface PushHooks {
  /** Called before a push; false = breaker open for this channel (job is delayed, not failed). */
  canPush(channel: string): boolean | Promise<boolean>;
  /** Called after every push call with per-item results and lag (ms from ledger change to channel ack). */
  pushed(e: PushedEvent): void | Promise<void>;
  deadLettered?(e: { channel: string; sku: string; reason: string }): void;
}

export const noopHooks: PushHooks = {
  canPush: () => true,
  pushed: () => undefined,
};
