/**
 * One channel's state for GET /v1/channels, and the sentence that says why it is not ok.
 *
 * Worst first: `stalled` (no worker has read the change feed for feedStalledMs: nothing reaches
 * any channel; it comes before `down` because with no worker running the breaker's state is only
 * what it was when the last one stopped, and starting a worker is what the owner must do first),
 * `down` (the breaker is not closed: pushes keep failing), `paused` (the channel asked us to slow
 * down), `degraded` (failures or slow updates, changes waiting long in line, or orders that reached us only through the
 * reconciliation poll lately: the channel's webhooks are not arriving), `ok`.
 */
import type { BreakerState } from './breaker';
import type { FeedBacklog } from './feed-backlog';
import type { ChannelHealthBody } from './routes/channels';
import type { MissedWebhook } from '../channels/missed-webhooks';

export type HealthState = ChannelHealthBody['state'];

export interface HealthFacts {
  breaker: BreakerState;
  throttledUntil: number | null;
  /** 0..1 over the success window. */
  successRate: number;
  lagP99: number;
  feed: FeedBacklog;
  lastError: string | null;
  /** How long the SKU first in line has waited past its turn (ms; null: none waiting). */
  oldestWaitingMs?: number | null;
  /** The last order only the reconciliation poll recorded (missed-webhooks.ts), if any. */
  missedWebhook?: MissedWebhook | null;
  now?: number;
}

export interface HealthThresholds {
  failureRateAlert: number;
  lagWarnMs: number;
  /** Oldest unread change-feed entry older than this: stalled. */
  feedStalledMs: number;
  /** A SKU waiting longer than this for its push makes the channel degraded. Default 60 s. */
  waitingWarnMs?: number;
  /** An order the webhooks missed keeps the channel degraded this long after the poll found it. Default 30 min. */
  missedWebhookMs?: number;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function judgeHealth(f: HealthFacts, t: HealthThresholds): { state: HealthState; reason: string | null } {
  if (f.feed.oldestUnreadMs !== null && f.feed.oldestUnreadMs > t.feedStalledMs) {
    return {
      state: 'stalled',
      reason:
        `No worker has read the change feed for ${seconds(f.feed.oldestUnreadMs)}: ${plural(f.feed.unread, 'stock change waits', 'stock changes wait')} ` +
        'and nothing reaches the channels. Start a worker: `npm start -- --role worker` (or a process with role all).',
    };
  }
  if (f.breaker !== 'closed') {
    const why = f.lastError ? ` (last error: ${f.lastError})` : '';
    return {
      state: 'down',
      reason: `Pushes to this channel keep failing${why}; the circuit breaker is ${f.breaker}: pushes wait and one probe goes out after each cool-down.`,
    };
  }
  if (f.throttledUntil !== null) {
    return { state: 'paused', reason: `The channel asked us to slow down until ${new Date(f.throttledUntil).toISOString()}.` };
  }
  if (f.successRate < 1 - t.failureRateAlert) {
    return { state: 'degraded', reason: `${((1 - f.successRate) * 100).toFixed(1)} % of recent pushes failed.` };
  }
  if (f.oldestWaitingMs != null && f.oldestWaitingMs > (t.waitingWarnMs ?? 60_000)) {
    // SKUs wait in line and few leave: a slow or stuck queue read "ok" before (a chaos run: 588
    // waiting on Amazon, nothing acknowledged in a minute). Said before the lag, which only
    // counts the pushes that landed.
    return { state: 'degraded', reason: `Stock changes wait to be pushed: the first in line has waited ${seconds(f.oldestWaitingMs)}.` };
  }
  if (f.lagP99 > t.lagWarnMs) {
    return { state: 'degraded', reason: `Updates take ${Math.round(f.lagP99)} ms at p99 (over ${t.lagWarnMs} ms) in the last minute.` };
  }
  const missed = f.missedWebhook;
  if (missed && (f.now ?? Date.now()) - Date.parse(missed.foundAt) < (t.missedWebhookMs ?? 30 * 60_000)) {
    const late = Math.round((Date.parse(missed.foundAt) - Date.parse(missed.createdAt)) / 60_000);
    return {
      state: 'degraded',
      reason:
        `Order ${missed.order} reached Stockline only through the reconciliation poll, ${late} min after it was placed: the channel's order webhooks are not arriving, ` +
        'so its sales reach the other channels minutes late. Check the webhook subscriptions in the channel (README: Connect Shopify).',
    };
  }
  return { state: 'ok', reason: null };
}
