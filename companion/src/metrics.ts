/**
 * Prometheus metrics on a registry of our own (never prom-client's global one, so two apps in one
 * test process never share counters), and the Fastify plugin serving GET /metrics.
 *
 * Counters that happen in this process (pushes, lag samples) are incremented where they happen
 * (the observer). Figures owned by Redis — queue depth, dead letters, breaker state, oversell
 * incidents, ledger events by type — are read at scrape time through sources, so every process
 * reports the shared truth and nothing has to remember to update a gauge.
 */
import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ADMIN } from './http/auth';
import { ErrorBody } from './schemas/api';
import type { Keys } from './ledger/keys';
import { operationalPaths } from './http/operational-paths';
import { readFeedBacklog, type FeedBacklog } from './propagation/feed-backlog';
import { FEED_GROUP } from './propagation/feed-consumer';

/** Breaker state as a number: 0 closed, 1 half-open, 2 open. */
export const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export interface ChannelSources {
  channels: () => string[];
  queueDepth?: (channel: string) => Promise<number> | number;
  deadLetters?: (channel: string) => Promise<number> | number;
  breakerState?: (channel: string) => Promise<keyof typeof BREAKER_VALUE> | keyof typeof BREAKER_VALUE;
}

export interface LedgerSource {
  redis: Redis;
  keys: Keys;
  /** Tenants to watch besides those in keys.tenants(). */
  tenants?: string[];
}

const REDIS_PING_TIMEOUT_MS = 1000;

export function createMetrics(opts: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'stockline_' });
  const registers = [registry];
  let channelSources: ChannelSources | undefined;
  let ledgerSource: LedgerSource | undefined;

  const eachChannel = async (fn: (c: string) => Promise<void>) => {
    if (!channelSources || !(await redisUp())) return;
    await Promise.all(channelSources.channels().map(fn));
  };

  // Whether Redis answers, asked once per scrape (every collector below waits on the same PING):
  // while it does not, /metrics still answers, with stockline_redis_up 0 and without the figures
  // Redis holds, instead of a 503 that looks to a scraper like Stockline itself is down.
  let ping: Promise<boolean> | undefined;
  const redisUp = (): Promise<boolean> => {
    const redis = ledgerSource?.redis;
    if (!redis) return Promise.resolve(true);
    if (!ping) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), REDIS_PING_TIMEOUT_MS)));
      const answered = redis.status === 'ready' ? redis.ping().then(() => true, () => false) : Promise.resolve(false);
      ping = Promise.race([answered, late]).finally(() => clearTimeout(timer));
    }
    return ping;
  };
  new Gauge({
    name: 'stockline_redis_up',
    help: 'Whether Redis (the ledger store) answered this scrape within a second: 1 yes, 0 no.',
    registers,
    async collect() {
      this.set((await redisUp()) ? 1 : 0);
    },
  });

  const syncLag = new Histogram({
    name: 'stockline_sync_lag_seconds',
    help: 'Time from a ledger change to the channel acknowledging the pushed quantity.',
    labelNames: ['channel'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers,
  });
  const pushResults = new Counter({
    name: 'stockline_push_results_total',
    help: 'Pushed items by outcome: ok, failed, throttled (whole call throttled).',
    labelNames: ['channel', 'result'] as const,
    registers,
  });
  // What clients were answered: 401s (a wrong secret or token), 4xx (bad input), 503s (Redis gone).
  const httpResponses = new Counter({
    name: 'stockline_http_responses_total',
    help: 'HTTP responses by method, route pattern (unmatched: no route) and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  // Per event sent to POST /v1/events (alone or in a batch); refused ones by their code.
  const eventResults = new Counter({
    name: 'stockline_event_results_total',
    help: 'Events received on POST /v1/events by result (applied, duplicate, refused) and refusal code.',
    labelNames: ['result', 'code'] as const,
    registers,
  });
  const pushCalls = new Counter({
    name: 'stockline_push_calls_total',
    help: 'Push calls made to each channel API.',
    labelNames: ['channel'] as const,
    registers,
  });
  new Gauge({
    name: 'stockline_queue_depth',
    help: 'Jobs waiting or delayed in each channel queue.',
    labelNames: ['channel'] as const,
    registers,
    async collect() {
      this.reset();
      const fn = channelSources?.queueDepth;
      if (fn) await eachChannel(async (c) => this.set({ channel: c }, await fn(c)));
    },
  });
  new Gauge({
    name: 'stockline_dead_letters',
    help: 'Dead letters kept for each channel, waiting for a person.',
    labelNames: ['channel'] as const,
    registers,
    async collect() {
      this.reset();
      const fn = channelSources?.deadLetters;
      if (fn) await eachChannel(async (c) => this.set({ channel: c }, await fn(c)));
    },
  });
  new Gauge({
    name: 'stockline_breaker_state',
    help: 'Circuit breaker per channel: 0 closed, 1 half-open, 2 open.',
    labelNames: ['channel'] as const,
    registers,
    async collect() {
      this.reset();
      const fn = channelSources?.breakerState;
      if (fn) await eachChannel(async (c) => this.set({ channel: c }, BREAKER_VALUE[await fn(c)]));
    },
  });

  // Ledger figures: read from Redis at scrape time. Counters advance by what appeared since the
  // last scrape of this process (Prometheus handles per-process counter resets).
  const feedCursor = new Map<string, string>();
  const incidentsSeen = new Map<string, number>();
  const tenantsOf = async (src: LedgerSource) =>
    new Set([...(src.tenants ?? ['default']), ...(await src.redis.smembers(src.keys.tenants()))]);
  new Counter({
    name: 'stockline_ledger_events_total',
    help: 'Events applied by the ledger, by type (counted from the change feed).',
    labelNames: ['type'] as const,
    registers,
    async collect() {
      if (!ledgerSource || !(await redisUp())) return;
      for (const tenant of await tenantsOf(ledgerSource)) {
        await countFeed(ledgerSource.redis, ledgerSource.keys.changes(tenant), (type) => this.inc({ type }));
      }
    },
  });
  new Counter({
    name: 'stockline_oversell_incidents_total',
    help: 'Oversell incidents opened.',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      if (!ledgerSource || !(await redisUp())) return;
      for (const tenant of await tenantsOf(ledgerSource)) {
        const total = await ledgerSource.redis.hlen(ledgerSource.keys.incidents(tenant));
        const seen = incidentsSeen.get(tenant) ?? 0;
        this.inc({ tenant }, Math.max(0, total - seen));
        incidentsSeen.set(tenant, Math.max(seen, total));
      }
    },
  });
  new Gauge({
    name: 'stockline_oversell_incidents_open',
    help: 'Oversell incidents still open (the SKU is paused everywhere until stock returns).',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      this.reset();
      if (!ledgerSource || !(await redisUp())) return;
      for (const tenant of await tenantsOf(ledgerSource)) {
        this.set({ tenant }, await ledgerSource.redis.zcard(ledgerSource.keys.openIncidents(tenant)));
      }
    },
  });

  // The change feed's backlog (propagation/feed-backlog.ts): what GET /v1/channels calls
  // `stalled` once the oldest entry waited STOCKLINE_FEED_STALLED_MS, for alerts on the scraper's side.
  // One read per tenant and scrape serves both gauges: prom-client collects metrics concurrently,
  // so the second gauge waits on the read the first started.
  let feedRead: Promise<({ tenant: string } & FeedBacklog)[]> | undefined;
  const backlogs = () => {
    const src = ledgerSource;
    feedRead ??= (async () => {
      if (!src || !(await redisUp())) return [];
      const now = Date.now();
      const tenants = [...(await tenantsOf(src))];
      return Promise.all(tenants.map(async (tenant) => ({ tenant, ...(await readFeedBacklog(src.redis, src.keys.changes(tenant), FEED_GROUP, now)) })));
    })();
    return feedRead;
  };
  new Gauge({
    name: 'stockline_feed_unread',
    help: 'Ledger changes no propagation worker has read yet (change feed), per tenant.',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      this.reset();
      for (const b of await backlogs()) this.set({ tenant: b.tenant }, b.unread);
    },
  });
  new Gauge({
    name: 'stockline_feed_oldest_unread_seconds',
    help: 'How long the oldest unread change-feed entry has waited (0 when every entry was read): alert when it grows.',
    labelNames: ['tenant'] as const,
    registers,
    async collect() {
      this.reset();
      for (const b of await backlogs()) this.set({ tenant: b.tenant }, (b.oldestUnreadMs ?? 0) / 1000);
    },
  });

  async function countFeed(redis: Redis, stream: string, inc: (type: string) => void) {
    // At most a few pages per scrape, so a huge backlog never makes /metrics slow.
    for (let page = 0; page < 10; page++) {
      const from = feedCursor.has(stream) ? `(${feedCursor.get(stream)}` : '-';
      const entries = await redis.xrange(stream, from, '+', 'COUNT', 5000);
      for (const [id, fields] of entries) {
        let type = 'unknown';
        for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'type') type = fields[i + 1]!;
        inc(type);
        feedCursor.set(stream, id);
      }
      if (entries.length < 5000) return;
    }
  }

  return {
    registry,
    /** One scrape in the text format: what Redis answers is asked afresh, once, for all collectors. */
    scrape(): Promise<string> {
      ping = undefined;
      feedRead = undefined;
      return registry.metrics();
    },
    syncLag,
    pushResults,
    pushCalls,
    httpResponses,
    /** Counts what the ledger answered for each event received. */
    countEventResults(results: readonly { status: string; code?: string | null }[]) {
      for (const r of results) eventResults.inc({ result: r.status, code: r.status === 'refused' ? (r.code ?? 'unknown') : '' });
    },
    /** Where channel gauges are read from at scrape time (set by whoever wires the app). */
    setChannelSources(s: ChannelSources) {
      channelSources = s;
    },
    setLedgerSource(s: LedgerSource) {
      ledgerSource = s;
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** GET /metrics (and /v1/metrics, http/operational-paths.ts) in Prometheus text format. Register at the root. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics; onRequest?: onRequestHookHandler }> = async (
  app: FastifyInstance,
  { metrics, onRequest },
) => {
  const schema = {
    tags: ['metrics'],
    summary: 'Prometheus metrics (text exposition format)',
    // The 200 body is text, so it has no schema (one would JSON-encode it).
    ...(onRequest ? { security: ADMIN, response: { 401: ErrorBody } } : {}),
  };
  for (const path of operationalPaths('/metrics')) {
    app.get(path, onRequest ? { onRequest, schema } : { schema }, async (_req, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.scrape();
    });
  }
};
