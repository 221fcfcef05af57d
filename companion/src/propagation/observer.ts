/**
 * The observer is what the propagation workers report to (PushHooks) and what GET /v1/channels
 * reads from. It ties together the lag store, the circuit breaker, push statistics, metrics and
 * alerts. Everything it keeps lives in Redis, so an API process answers for work done by any
 * number of worker processes.
 *
 * Per (tenant, channel) it keeps: 10-second slot hashes of item outcomes (ok / fail / throttled,
 * calls) for success rate and alerting, and one totals hash (pushes, last error, throttled until).
 * Health also reads the tenant's change feed (feed-backlog.ts): changes no worker has read yet.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Keys } from '../ledger/keys';
import type { Metrics } from '../metrics';
import { createAlerter, type Logger } from './alerts';
import { createBreaker } from './breaker';
import { readFeedBacklog } from './feed-backlog';
import { FEED_GROUP } from './feed-consumer';
import { judgeHealth } from './health-state';
import type { MissedWebhook } from '../channels/missed-webhooks';
import { createLagStore } from './lag';
import type { ChannelHealthBody } from './routes/channels';
import type { PushHooks, PushedEvent as WorkerPushedEvent } from './worker-hooks';

/** What the worker reports, plus how long a throttling channel asked us to wait (when it said). */
export interface PushedEvent extends WorkerPushedEvent {
  retryAfterMs?: number;
}

/** The part of the companion's Config the observer reads (config.ts is the one definition). */
export interface ObserverConfig {
  tenants: Config['tenants'];
  propagation: Omit<Config['propagation'], 'rateOverrides'>;
}

/**
 * GET /v1/channels item as the observer builds it (the TypeBox schema in routes/channels.ts is
 * the one definition); the route adds whether a sandbox stands in for the channel.
 */
export type ChannelHealth = Omit<ChannelHealthBody, 'sandbox'>;

export interface HealthSources {
  /** Channels to report; default: every channel this tenant has pushed to, plus `channels` given at creation. */
  channels?: string[];
  /** Per channel of the tenant being asked about (each tenant has its own queue and letters). */
  queueDepth?: (channel: string, tenant?: string) => Promise<number> | number;
  deadLetters?: (channel: string, tenant?: string) => Promise<number> | number;
  /** The last order the channel's webhooks missed (missed-webhooks.ts). */
  missedWebhook?: (channel: string, tenant?: string) => Promise<MissedWebhook | null>;
  /** How long the SKU first in line for the channel has waited past its turn (core.oldestWaiting). */
  oldestWaiting?: (channel: string, tenant: string) => Promise<number | null>;
}

export interface ObserverOptions {
  redis: Redis;
  keys: Keys;
  config: ObserverConfig;
  logger: Logger;
  now?: () => number;
  metrics?: Metrics;
  /** Channels known from configuration, reported even before their first push. */
  channels?: string[];
  breaker?: { minSamples?: number; consecutiveFailures?: number; consecutiveMs?: number; cooldownMs?: number; probeLeaseMs?: number; cacheMs?: number };
  alerts?: { minSamples?: number; attempts?: number; retryBaseMs?: number; windowSlots?: number; intervalMs?: number };
  /** Item error codes that are data problems of one SKU, not channel health: never open the breaker. */
  breakerIgnoredCodes?: string[];
}

const SLOT_MS = 10_000;
const STATS_TTL_S = 6 * 60 + 20;
/** Success rate window: 5 minutes of 10-second slots. */
const SUCCESS_SLOTS = 30;

export function createObserver(opts: ObserverOptions) {
  const { redis, keys, config, logger, now = Date.now, metrics } = opts;
  const p = config.propagation;
  const thresholds = { ...p, feedStalledMs: p.feedStalledMs ?? 30_000 };
  /** tenant\nchannel pairs already added to the channel set by this process. */
  const known = new Set<string>();
  // Data errors are the listing's problem, not the channel's; a throttled row is the limiter's
  // business (a whole throttled call is already left out below): neither opens the breaker.
  const ignored = new Set(opts.breakerIgnoredCodes ?? ['validation', 'not_found', 'rate_limited']);
  const alertSlots = opts.alerts?.windowSlots ?? 6;
  const lag = createLagStore({ redis, keys, now });
  const breaker = createBreaker({
    redis,
    keys,
    failureRate: p.breakerFailureRate,
    windowMs: p.breakerWindowMs,
    minSamples: p.breakerMinSamples,
    consecutiveFailures: p.breakerConsecutiveFailures,
    consecutiveMs: p.breakerConsecutiveMs,
    now,
    ...opts.breaker,
    onTransition: (e) => logger.warn({ channel: e.channel, from: e.from, to: e.to }, 'circuit breaker'),
  });
  const alerter = createAlerter({
    redis,
    keys,
    thresholds: p,
    secret: config.tenants.default?.secret ?? Object.values(config.tenants)[0]?.secret ?? '',
    logger,
    now,
    minSamples: opts.alerts?.minSamples,
    attempts: opts.alerts?.attempts,
    retryBaseMs: opts.alerts?.retryBaseMs,
  });

  const channelSet = (tenant: string) => keys.propagation(tenant, 'observed-channels');
  const totalsKey = (tenant: string, channel: string) => keys.propagation(tenant, `stats:${channel}`);
  const slotKey = (tenant: string, channel: string, slot: number) => keys.propagation(tenant, `stats:${channel}:s10:${slot}`);

  /**
   * Item outcomes over the last `slots` 10-second slots, skipping slots before `fromSlot`; `from(slot)`
   * sums the same read again from a later slot on (the outcomes since the breaker closed).
   */
  async function slotSums(tenant: string, channel: string, slots: number, at: number, fromSlot = -Infinity) {
    const cur = Math.floor(at / SLOT_MS);
    const pipe = redis.pipeline();
    for (let i = 0; i < slots && cur - i >= fromSlot; i++) pipe.hmget(slotKey(tenant, channel, cur - i), 'ok', 'fail');
    const res = (await pipe.exec()) ?? [];
    const read = res.map(([err, v], i) => {
      if (err) throw err;
      const [o, f] = v as (string | null)[];
      return { slot: cur - i, ok: Number(o ?? 0), fail: Number(f ?? 0) };
    });
    const from = (first: number) => {
      let ok = 0;
      let fail = 0;
      for (const r of read) {
        if (r.slot < first) continue;
        ok += r.ok;
        fail += r.fail;
      }
      return { ok, fail };
    };
    return { ...from(-Infinity), from };
  }

  // Alert evaluation: after pushes (at most once a second per channel and process) and on a timer,
  // so recoveries are noticed even when a channel has gone quiet.
  const lastEval = new Map<string, number>();
  const watched = new Set<string>();
  async function evaluate(tenant: string, channel: string): Promise<void> {
    const at = now();
    const snap = await breaker.snapshot(channel);
    // Failures from before the breaker last closed are what opened it; once the probe proved the
    // channel healthy they must not hold the failure alert up for another full window.
    const fromSlot = snap.closedAt ? Math.floor(snap.closedAt / SLOT_MS) + 1 : -Infinity;
    const [recent, sums] = await Promise.all([lag.recent(tenant, channel, alertSlots, at), slotSums(tenant, channel, alertSlots, at, fromSlot)]);
    await alerter.evaluate(tenant, channel, { lagP99: recent.p99, lagCount: recent.count, ...sums, breakerOpen: snap.state !== 'closed' });
  }
  const maybeEvaluate = async (tenant: string, channel: string) => {
    const k = `${tenant}\u0000${channel}`;
    watched.add(k);
    const at = now();
    if ((lastEval.get(k) ?? -Infinity) + 1000 > at) return;
    lastEval.set(k, at);
    await evaluate(tenant, channel).catch((err) => logger.error({ err: String(err), channel }, 'alert evaluation failed'));
  };
  const timer = setInterval(() => {
    for (const k of watched) {
      const [tenant, channel] = k.split('\u0000') as [string, string];
      lastEval.set(k, now());
      evaluate(tenant, channel).catch((err) => logger.error({ err: String(err), channel }, 'alert evaluation failed'));
    }
  }, opts.alerts?.intervalMs ?? 5000);
  timer.unref();

  const hooks: PushHooks & { pushed(e: PushedEvent): Promise<void> } = {
    canPush: (channel) => breaker.canPush(channel),

    async pushed(e: PushedEvent) {
      const at = now();
      let ok = 0;
      let fail = 0;
      /** Failures the channel's health counts: all but a listing the channel does not have. */
      let healthFail = 0;
      let breakerFail = 0;
      const lags: number[] = [];
      let lastError: string | undefined = e.callError;
      // The SKU an item's error is about: a merchant can tell whether it is one fixed since.
      let lastErrorSku = '';
      for (const it of e.items) {
        // A compare-and-set mismatch means the channel sold something we had not heard of yet:
        // normal during a sale, pushed again — neither a success nor a failure. Nor is a row left
        // unsent by a call refused for other rows.
        if (!it.ok && (it.code === 'stale' || it.code === 'unsent')) continue;
        if (it.ok) {
          ok++;
          if (typeof it.lagMs === 'number') lags.push(it.lagMs);
        } else {
          fail++;
          // An unlisted SKU is the catalogue's gap, shown as a dead letter (and then parked): a
          // store with many SKUs not sold on a channel must not read as a failing channel.
          if (it.code !== 'not_found') healthFail++;
          if (!it.code || !ignored.has(it.code)) breakerFail++;
          if (lastError === undefined) {
            lastError = it.error ?? it.code;
            lastErrorSku = it.sku;
          }
        }
      }
      if (e.callError && e.items.length === 0) {
        fail = 1;
        healthFail = 1;
        breakerFail = 1;
      }
      const throttled = e.throttled === true;
      const slot = slotKey(e.tenant, e.channel, Math.floor(at / SLOT_MS));
      const totals = totalsKey(e.tenant, e.channel);
      // One round trip per push report: statistics, lag samples and the breaker's count together.
      const pipe = redis.pipeline().hincrby(totals, 'pushes', 1).hincrby(slot, 'calls', 1);
      // The channel list changes once per channel and process, not on every push.
      const member = `${e.tenant}\n${e.channel}`;
      if (!known.has(member)) {
        pipe.sadd(channelSet(e.tenant), e.channel);
        known.add(member);
      }
      if (throttled) {
        pipe.hincrby(slot, 'throttled', 1);
        pipe.hset(totals, 'throttledUntil', at + (e.retryAfterMs ?? 1000));
      } else {
        if (ok) pipe.hincrby(slot, 'ok', ok);
        if (healthFail) pipe.hincrby(slot, 'fail', healthFail);
        if (lastError) pipe.hset(totals, 'lastErrorMessage', lastError, 'lastErrorAt', new Date(at).toISOString(), 'lastErrorSku', lastErrorSku);
      }
      pipe.expire(slot, STATS_TTL_S);
      lag.recordOn(pipe, e.tenant, e.channel, lags, at);
      // Throttling is the limiter's business, not a failure: it neither opens nor closes the breaker.
      const counted = !throttled && ok + breakerFail > 0;
      const breakerIndex = pipe.length;
      const settle = counted ? breaker.recordOn(pipe, e.channel, ok, breakerFail, at) : null;
      const replies = (await pipe.exec()) ?? [];
      for (const [err] of replies) if (err) throw err;
      if (settle) settle(replies[breakerIndex]![1]);

      if (metrics) {
        metrics.pushCalls.inc({ channel: e.channel });
        if (throttled) metrics.pushResults.inc({ channel: e.channel, result: 'throttled' }, Math.max(1, e.items.length));
        else {
          if (ok) metrics.pushResults.inc({ channel: e.channel, result: 'ok' }, ok);
          if (fail) metrics.pushResults.inc({ channel: e.channel, result: 'failed' }, fail);
        }
        for (const ms of lags) metrics.syncLag.observe({ channel: e.channel }, ms / 1000);
      }
      // Awaited (two reads, at most once a second per channel); delivery itself is not awaited.
      await maybeEvaluate(e.tenant, e.channel);
    },

    deadLettered(e) {
      logger.warn({ channel: e.channel, sku: e.sku, reason: e.reason }, 'dead-lettered');
    },
  };

  async function channelHealth(tenant: string, sources: HealthSources = {}): Promise<ChannelHealth[]> {
    const at = now();
    const [ids, feed] = await Promise.all([
      sources.channels ?? redis.smembers(channelSet(tenant)).then((pushed) => [...new Set([...(opts.channels ?? []), ...pushed])].sort()),
      // One feed per tenant, read once: every channel waits on the same unread changes.
      readFeedBacklog(redis, keys.changes(tenant), FEED_GROUP, at),
    ]);
    return Promise.all(
      ids.map(async (id): Promise<ChannelHealth> => {
        const [windows, lagSeries, sums, totals, { state, closedAt, lastOutage, downSince }, queueDepth, deadLetters, missedWebhook, oldestWaitingMs] = await Promise.all([
          lag.windows(tenant, id, at),
          lag.series(tenant, id, at),
          slotSums(tenant, id, SUCCESS_SLOTS, at),
          redis.hgetall(totalsKey(tenant, id)),
          breaker.snapshot(id),
          sources.queueDepth ? sources.queueDepth(id, tenant) : 0,
          sources.deadLetters ? sources.deadLetters(id, tenant) : 0,
          sources.missedWebhook ? sources.missedWebhook(id, tenant) : null,
          sources.oldestWaiting ? sources.oldestWaiting(id, tenant) : null,
        ]);
        const rate = (s: { ok: number; fail: number }) => (s.ok + s.fail === 0 ? 1 : s.ok / (s.ok + s.fail));
        const successRate = rate(sums);
        // The state, like the alerts, leaves out the failures from before the breaker last closed:
        // the probe proved the channel healthy again, and those failures would otherwise keep it
        // "degraded" for the rest of the 5-minute window. successRate still reports the window.
        const sinceClosed = closedAt ? sums.from(Math.floor(closedAt / SLOT_MS) + 1) : sums;
        const throttledUntil = totals.throttledUntil && Number(totals.throttledUntil) > at ? Number(totals.throttledUntil) : null;
        const lastError = totals.lastErrorMessage
          ? { message: totals.lastErrorMessage, at: totals.lastErrorAt ?? new Date(at).toISOString(), ...(totals.lastErrorSku ? { sku: totals.lastErrorSku } : {}) }
          : null;
        const judged = judgeHealth(
          { breaker: state, throttledUntil, successRate: rate(sinceClosed), lagP99: windows['1m'].p99, feed, lastError: lastError?.message ?? null, missedWebhook, oldestWaitingMs, now: at },
          thresholds,
        );
        return {
          id,
          state: judged.state,
          reason: judged.reason,
          breaker: state,
          lag: windows,
          lagSeries,
          queueDepth,
          feed,
          deadLetters,
          successRate,
          lastError,
          pushes: Number(totals.pushes ?? 0),
          throttledUntil,
          downSince: downSince === null ? null : new Date(downSince).toISOString(),
          lastOutage: lastOutage && { from: new Date(lastOutage.from).toISOString(), to: new Date(lastOutage.to).toISOString() },
          missedWebhook,
          oldestWaitingMs,
        };
      }),
    );
  }

  return {
    ...hooks,
    channelHealth,
    breakerState: (channel: string) => breaker.state(channel),
    /** Runs the alert evaluation for one channel now (the timer does it every few seconds). */
    evaluateAlerts: evaluate,
    /** Resolves once every alert already triggered has been delivered. */
    alertsIdle: () => alerter.idle(),
    async close() {
      clearInterval(timer);
      await alerter.idle();
    },
  };
}
export type Observer = ReturnType<typeof createObserver>;
