/**
 * Alerts: a signed webhook when a channel's sync lag p99 crosses the warn or critical threshold,
 * or its failure rate crosses the alert rate, and a recovery notice when it comes back.
 *
 * One alert per transition, not per push: the current level of each (tenant, channel, alert) is
 * kept in Redis and changed by a compare-and-set script, so when several processes evaluate the
 * same channel at once exactly one of them sees the transition and sends it.
 *
 * Signed like our events: `X-Stockline-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>`
 * with the default tenant's secret, so a receiver verifies both with one routine.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';

export type AlertKind = 'sync_lag' | 'failure_rate';
export type AlertLevel = 'ok' | 'warning' | 'critical';

export interface AlertPayload {
  id: string;
  type: 'stockline.alert';
  alert: AlertKind;
  /** `firing` for a new or changed level, `resolved` for the recovery notice. */
  status: 'firing' | 'resolved';
  level: AlertLevel;
  previous: AlertLevel;
  tenant: string;
  channel: string;
  /** Lag p99 in ms, or failure rate 0..1, at the time of the transition. */
  value: number;
  threshold: number;
  message: string;
  at: string;
}

export interface AlertThresholds {
  lagWarnMs: number;
  lagCriticalMs: number;
  failureRateAlert: number;
  alertWebhookUrl?: string;
}

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** KEYS[1] level key. ARGV new level. Returns the previous level when it changed, else false. */
const SWAP = `
local old = redis.call('GET', KEYS[1]) or 'ok'
if old == ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[1])
return old
`;

export function signBody(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

export interface AlerterOptions {
  redis: Redis;
  keys: Keys;
  thresholds: AlertThresholds;
  secret: string;
  logger: Logger;
  now?: () => number;
  /** Fewest push outcomes before a failure rate counts (a single failed call is not a rate). */
  minSamples?: number;
  /** Delivery attempts per alert, waiting retryBaseMs · 2^n between them (0.5 s, 1 s, 2 s …). */
  attempts?: number;
  retryBaseMs?: number;
}

export function createAlerter(opts: AlerterOptions) {
  const { redis, keys, thresholds, secret, logger, now = Date.now } = opts;
  const minSamples = opts.minSamples ?? 10;
  const attempts = opts.attempts ?? 4;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  const inFlight = new Set<Promise<void>>();

  async function deliver(payload: AlertPayload): Promise<void> {
    const url = thresholds.alertWebhookUrl;
    if (!url) {
      logger.warn({ alert: payload }, 'alert (no STOCKLINE_ALERT_WEBHOOK_URL set)');
      return;
    }
    const body = JSON.stringify(payload);
    for (let i = 0; i < attempts; i++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-stockline-signature': signBody(secret, body, Math.floor(now() / 1000)) },
          body,
          signal: AbortSignal.timeout(5000),
        });
        if (res.ok) return;
        logger.warn({ status: res.status, alert: payload.alert, channel: payload.channel }, 'alert webhook refused');
      } catch (err) {
        logger.warn({ err: String(err), alert: payload.alert, channel: payload.channel }, 'alert webhook unreachable');
      }
      if (i < attempts - 1) await new Promise((r) => setTimeout(r, retryBaseMs * 2 ** i));
    }
    logger.error({ alert: payload }, 'alert not delivered');
  }

  async function transition(tenant: string, channel: string, alert: AlertKind, level: AlertLevel, value: number, threshold: number, breakerOpen = false) {
    const previous = (await redis.eval(SWAP, 1, keys.propagation(tenant, `alert:${channel}:${alert}`), level)) as AlertLevel | null;
    if (!previous) return;
    const what =
      alert === 'sync_lag'
        ? `sync lag p99 ${Math.round(value)} ms`
        : breakerOpen && level !== 'ok'
          ? `circuit breaker open after failures (failure rate since it last closed ${(value * 100).toFixed(2)} %)`
          : `failure rate ${(value * 100).toFixed(2)} %`;
    const payload: AlertPayload = {
      id: randomUUID(),
      type: 'stockline.alert',
      alert,
      status: level === 'ok' ? 'resolved' : 'firing',
      level,
      previous,
      tenant,
      channel,
      value,
      threshold,
      message:
        level === 'ok'
          ? `${channel}: ${what}, back within limits`
          : breakerOpen && alert === 'failure_rate'
            ? `${channel}: ${what}`
            : `${channel}: ${what} is above ${threshold}`,
      at: new Date(now()).toISOString(),
    };
    logger.info({ alert: payload }, 'alert transition');
    const p = deliver(payload).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  return {
    /**
     * Judges one channel from its recent figures. `breakerOpen` keeps the failure alert firing
     * while nothing is pushed (an open breaker sends no traffic, so the rate alone would "recover").
     */
    async evaluate(
      tenant: string,
      channel: string,
      f: { lagP99: number; lagCount: number; ok: number; fail: number; breakerOpen: boolean },
    ): Promise<void> {
      const lagLevel: AlertLevel =
        f.lagCount === 0 ? 'ok' : f.lagP99 > thresholds.lagCriticalMs ? 'critical' : f.lagP99 > thresholds.lagWarnMs ? 'warning' : 'ok';
      const lagThreshold = lagLevel === 'critical' ? thresholds.lagCriticalMs : thresholds.lagWarnMs;
      const total = f.ok + f.fail;
      const rate = total === 0 ? 0 : f.fail / total;
      const failing = f.breakerOpen || (total >= minSamples && rate > thresholds.failureRateAlert);
      await Promise.all([
        transition(tenant, channel, 'sync_lag', lagLevel, f.lagP99, lagThreshold),
        transition(tenant, channel, 'failure_rate', failing ? 'critical' : 'ok', rate, thresholds.failureRateAlert, f.breakerOpen),
      ]);
    },
    /** Resolves once every alert already triggered has been delivered or given up. */
    async idle(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
export type Alerter = ReturnType<typeof createAlerter>;
