/**
 * GET /v1/channels: health of every channel for the admin page — state, breaker, lag percentiles
 * over 1/5/60 minutes, a per-minute lag series, queue depth, dead letters, success rate, last
 * error. Queue depth and dead letters come in as functions, so this route knows nothing about
 * BullMQ or how dead letters are stored.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import { ADMIN, requireAdmin } from '../../http/auth';
import { ErrorBody } from '../../schemas/api';
import { Tenant } from '../../schemas/events';
import { metricsRoutes, type Metrics } from '../../metrics';
import type { HealthSources, Observer } from '../observer';

const Lag = Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number(), count: Type.Integer() });

// Belongs in schemas/ (contract shared with the admin page); kept here until it moves.
export const ChannelHealthSchema = Type.Object({
  id: Type.String(),
  /**
   * `stalled`: no worker has read the change feed for STOCKLINE_FEED_STALLED_MS, so nothing
   * reaches any channel (the feed is the tenant's, shared by its channels).
   */
  state: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down'), Type.Literal('paused'), Type.Literal('stalled')]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why the state is not ok, in a sentence a person can act on; null when ok' }),
  breaker: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')]),
  /** Milliseconds. */
  lag: Type.Object({ '1m': Lag, '5m': Lag, '60m': Lag }),
  lagSeries: Type.Array(Type.Object({ t: Type.Number(), p50: Type.Number(), p99: Type.Number() })),
  /** SKUs dirty or being pushed for this channel (what the workers have taken from the change feed). */
  queueDepth: Type.Integer({ minimum: 0 }),
  feed: Type.Object(
    {
      unread: Type.Integer({ minimum: 0, description: 'Change-feed entries no worker has read yet' }),
      inProgress: Type.Integer({ minimum: 0, description: 'Entries a worker read and has not finished (a crashed worker’s until another takes them over)' }),
      oldestUnreadMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'How long the oldest unread entry has waited (ms); null when none' }),
    },
    { description: 'Stock changes the workers have not yet turned into pushes: the tenant’s change feed, the same for each of its channels, and counted in no queueDepth' },
  ),
  deadLetters: Type.Integer({ minimum: 0 }),
  successRate: Type.Number({
    minimum: 0,
    maximum: 1,
    description: 'Pushes acknowledged over the last 5 minutes (0..1; 1 when nothing was pushed); a SKU the channel has no listing for counts as neither (it is a dead letter)',
  }),
  lastError: Type.Union([
    Type.Object({
      message: Type.String(),
      at: Type.String(),
      sku: Type.Optional(Type.String({ description: 'The SKU whose push failed (absent when the whole call failed)' })),
    }),
    Type.Null(),
  ]),
  pushes: Type.Integer({ minimum: 0 }),
  throttledUntil: Type.Union([Type.Number(), Type.Null()]),
  downSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the breaker opened for the outage under way; null while closed' }),
  lastOutage: Type.Union([Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }), Type.Null()], {
    description: 'The last outage that ended: from the breaker opening to its closing again; null when there was none',
  }),
  missedWebhook: Type.Optional(
    Type.Union(
      [Type.Object({ order: Type.String(), createdAt: Type.String(), foundAt: Type.String(), count: Type.Integer({ minimum: 0 }) }), Type.Null()],
      { description: "The last order that reached Stockline only through the reconciliation poll (its webhook never came), and how many did in all; null when none" },
    ),
  ),
  oldestWaitingMs: Type.Optional(
    Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'How long the SKU first in line for a push has waited past its turn (ms); null when none waits (background work is not counted)' }),
  ),
  /** The channel is a local sandbox (no credentials configured), not the merchant's real account. */
  sandbox: Type.Boolean(),
});
export type ChannelHealthBody = Static<typeof ChannelHealthSchema>;
export const ChannelsResponse = Type.Object({ channels: Type.Array(ChannelHealthSchema) });

export interface ChannelsRouteOptions {
  observer: Pick<Observer, 'channelHealth'>;
  /** Channels to report (configured ones); default: every channel pushed to. */
  channels?: () => string[];
  /** Jobs waiting or delayed in a channel's queue (BullMQ Queue.getJobCounts). */
  queueDepth?: HealthSources['queueDepth'];
  deadLetters?: HealthSources['deadLetters'];
  missedWebhook?: HealthSources['missedWebhook'];
  oldestWaiting?: HealthSources['oldestWaiting'];
  /** Channels served by a local sandbox rather than the real service. */
  sandboxed?: () => readonly string[];
  /** Tenant of the request; the default tenant unless the app says otherwise. */
  tenantOf?: (req: import('fastify').FastifyRequest) => string;
  /** Admin bearer token the route requires (the app's STOCKLINE_ADMIN_TOKEN). */
  adminToken?: string;
  /** Or any other auth hook. */
  onRequest?: onRequestHookHandler;
}

const Query = Type.Object({ tenant: Type.Optional(Tenant) });

const authHook = (o: { adminToken?: string; onRequest?: onRequestHookHandler }) =>
  o.onRequest ?? (o.adminToken !== undefined ? requireAdmin(o.adminToken) : undefined);

export const channelsRoutes: FastifyPluginAsync<ChannelsRouteOptions> = async (app, opts) => {
  const onRequest = authHook(opts);
  app.get<{ Querystring: Static<typeof Query> }>(
    '/v1/channels',
    {
      ...(onRequest ? { onRequest } : {}),
      schema: {
        tags: ['channels'],
        summary: 'Health, sync lag, queue depth and breaker state of every channel',
        ...(onRequest ? { security: ADMIN } : {}),
        querystring: Query,
        response: { 200: ChannelsResponse, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const channels = await opts.observer.channelHealth(req.query.tenant ?? opts.tenantOf?.(req) ?? 'default', {
        channels: opts.channels?.(),
        queueDepth: opts.queueDepth,
        deadLetters: opts.deadLetters,
        missedWebhook: opts.missedWebhook,
        oldestWaiting: opts.oldestWaiting,
      });
      const sandboxed = new Set(opts.sandboxed?.() ?? []);
      return { channels: channels.map((c) => ({ ...c, sandbox: sandboxed.has(c.id) })) };
    },
  );
};

/** Jobs not yet done in a channel's BullMQ queue (waiting, delayed, prioritized, running). */
export function queueDepthFrom(queues: Map<string, Queue>): (channel: string) => Promise<number> {
  return async (channel) => {
    const q = queues.get(channel);
    if (!q) return 0;
    const c = await q.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'waiting-children');
    return Object.values(c).reduce((s, n) => s + n, 0);
  };
}

/**
 * Everything observability adds to the app, as one buildApp plugin: GET /v1/channels and
 * GET /metrics (both behind the admin token), with the metrics' scrape-time sources wired to
 * the same queue-depth and dead-letter functions.
 */
export function observabilityRoutes(deps: {
  observer: Observer;
  metrics: Metrics;
  adminToken?: string;
  channels: () => string[];
  /** Per channel, of the tenant asked about (the default tenant's when none is given: metrics). */
  queueDepth?: (channel: string, tenant?: string) => Promise<number> | number;
  deadLetters?: (channel: string, tenant?: string) => Promise<number> | number;
  missedWebhook?: HealthSources['missedWebhook'];
  oldestWaiting?: HealthSources['oldestWaiting'];
  sandboxed?: () => readonly string[];
  ledger?: Parameters<Metrics['setLedgerSource']>[0];
}) {
  return async (app: FastifyInstance) => {
    deps.metrics.setChannelSources({
      channels: deps.channels,
      queueDepth: deps.queueDepth,
      deadLetters: deps.deadLetters,
      breakerState: (c) => deps.observer.breakerState(c),
    });
    if (deps.ledger) deps.metrics.setLedgerSource(deps.ledger);
    const onRequest = authHook(deps);
    await app.register(channelsRoutes, { ...deps, onRequest });
    await app.register(metricsRoutes, { metrics: deps.metrics, onRequest });
  };
}
