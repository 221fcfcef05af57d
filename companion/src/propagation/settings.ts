/**
 * Tunables of propagation. Defaults follow the issue (backoff min(1 s · 2^n, 30 s)); tests
 * shorten the crash-recovery times. Rate limits come from each adapter's published limits,
 * overridden per channel by config.propagation.rateOverrides.
 */
import type { BackoffSettings } from './backoff';

import type { DriftSweepSettings } from './drift-sweep';

export interface SyncSettings {
  /** BullMQ key prefix (the queues' keys); deployments and tests isolate with it. */
  queuePrefix: string;
  /**
   * How long a claimed SKU stays fenced past the last heartbeat of the job holding it (must
   * outlast the adapter's request timeout: a dead worker's request may still land until then).
   */
  leaseMs: number;
  /** A running job renews its leases this often (0: never; a lease then has to outlast a whole push). */
  leaseRenewMs: number;
  /**
   * How long a channel found below what we expected (compare-and-set) is left there, waiting for
   * the order report of the sale that would explain it; then its number is taken as not a sale
   * (a push of ours that landed without its answer, an edit) and pushed over.
   */
  unreportedSaleWaitMs: number;
  /** BullMQ job lock; a worker killed mid-push loses it and the job is retried after ~this long. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Jobs wait this long before running, so a burst on one SKU collapses into one call. */
  coalesceMs: number;
  /**
   * A job keeps leasing and pushing while the channel has dirty SKUs for it, up to this long,
   * then leaves the rest to a new job (other tenants' jobs get their turn; see worker.ts).
   */
  drainMs: number;
  backoff: BackoffSettings;
  /** A per-item transient failure or a stale compare-and-set is pushed again after this. */
  itemRetryDelayMs: number;
  /**
   * A push the channel accepted for later (outcome ok + pending, e.g. Amazon ACCEPTED) is read
   * back after this long; if the channel does not show it, the SKU is pushed again.
   */
  verifyAfterMs: number;
  /**
   * A compare-and-set refusal the adapter did not read (stale, current null) waits for the order
   * that explains it; if no push of the SKU has landed after this long, it is pushed again (and
   * the adapter reads the channel on the second refusal).
   */
  recheckAfterMs: number;
  /**
   * A SKU's pace of sales decays by e every this many ms (pace-1.lua); a push that held units
   * back for a channel's lead time is looked at again after this long (lead-time.ts).
   */
  paceMs: number;
  /** The breaker said no: look again after this. */
  breakerRecheckMs: number;
  /**
   * Most jobs one worker runs at once per channel (see channelConcurrency). More means more calls
   * in flight that a 429 can no longer recall, and more distance between taking a token and the
   * call arriving (at 8 on a saturated 2-core box the zero-429 test drew the odd 429; at 4 it does not).
   */
  concurrency: number;
  /**
   * SKUs a channel's pushes in flight should carry at once: a channel gets as many job slots as
   * it takes to reach this with its batch size (up to `concurrency`). Each job drains (drainMs),
   * so one job of a channel taking 100 or 250 SKUs a call keeps up with 1,000 changes/s; every
   * job beyond that only splits the same SKUs into smaller calls and interleaves its Redis round
   * trips with the others' on one event loop (measured: lag p99 twice as long at 4 jobs as at 1).
   */
  skusInFlight: number;
  /**
   * Jobs are deduplicated per (tenant, sku mod slots); 0 = per (tenant, sku). At most this many
   * jobs per channel and tenant wait or run at once (see queues.ts).
   */
  slots: number;
  /** Change-feed entries pending this long on a dead consumer are taken over. */
  claimIdleMs: number;
  /** How often expired leases are returned to the dirty set. */
  reapEveryMs: number;
  /** Change-feed entries read per call. */
  readCount: number;
  /**
   * Change-feed entries every consumer group acknowledged are kept this long, then trimmed
   * (feed-trim.ts); the audit keeps the events themselves.
   */
  feedRetentionMs: number;
  /** How often a consumer trims the feed. */
  feedTrimEveryMs: number;
  readBlockMs: number;
  /** The drift sweep (drift-sweep.ts): what each channel really shows, read through the catalogue. */
  drift: DriftSweepSettings;
  /** The listings check (mapping.ts). */
  mapping: {
    /** How long the request that starts a check waits for its result before answering with progress (under the plugin proxy's 10 s). */
    answerWithinMs: number;
    /** How long a check waits out a channel that throttles or is unreachable, per lookup, before failing. */
    patienceMs: number;
    /** The cross-process lock's lifetime; renewed at every step, so only a dead process lets it lapse. */
    lockMs: number;
  };
}

export function defaultSyncSettings(queuePrefix: string, patch: Partial<SyncSettings> = {}): SyncSettings {
  return {
    queuePrefix,
    // 25 s past the last heartbeat (every 5 s): longer than any adapter's request timeout (15 s).
    // A killed worker's SKUs are free within ~30 s (was a 60 s lease with no heartbeat).
    leaseMs: 25_000,
    leaseRenewMs: 5_000,
    // Order reports from compare-and-set channels arrive in seconds (the plugin's outbox, Shopify's
    // webhooks); Shopify's reconciliation poll, the slowest backstop, runs every 5 minutes.
    unreportedSaleWaitMs: 300_000,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    coalesceMs: 5,
    drainMs: 500,
    backoff: { baseMs: 1_000, maxMs: 30_000 },
    itemRetryDelayMs: 1_000,
    verifyAfterMs: 30_000,
    recheckAfterMs: 2_000,
    paceMs: 2_000,
    breakerRecheckMs: 1_000,
    concurrency: 4,
    skusInFlight: 40,
    slots: 16,
    claimIdleMs: 30_000,
    reapEveryMs: 5_000,
    readCount: 1_000,
    readBlockMs: 1_000,
    feedRetentionMs: 600_000,
    feedTrimEveryMs: 10_000,
    mapping: { answerWithinMs: 5_000, patienceMs: 30_000, lockMs: 60_000 },
    // 60 SKUs a minute per channel: 10 per read call every 10 s (a 4,000-SKU catalogue in ~67 min),
    // a small share of any channel's read limit.
    drift: { perMinute: 60, everyMs: 10_000, settleMs: 120_000 },
    ...patch,
  };
}

export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
}

/**
 * Job slots of one worker for a channel: enough for skusInFlight at its batch size, and one per
 * tenant (a draining job serves one tenant; another tenant's job must not wait behind it), from
 * 1 to `concurrency`.
 */
export function channelConcurrency(batchSize: number, s: Pick<SyncSettings, 'concurrency' | 'skusInFlight'>, tenants = 1): number {
  const forSkus = Math.ceil(s.skusInFlight / Math.max(1, batchSize));
  return Math.max(1, Math.min(s.concurrency, Math.max(forSkus, tenants)));
}
