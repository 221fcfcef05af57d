/**
 * GET /v1/channels: health of every channel for the admin page — state, breaker, lag percentiles
 * over 1/5/60 minutes, a per-minute lag series, queue depth, dead letters, success rate, last
 * error. Queue depth and dead letters come in as functions, so this route knows nothing about
 * BullMQ or how dead letters are stored.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import type { HealthSources, Observer } from '../observer';

const Lag = Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number(), count: Type.Integer() });

// Belongs in schemas/ (contract shared with the admin page); kept here until it moves.
export const ChannelHealthSchema = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down'), Type.Literal('paused')]),
  breaker: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')]),
  /** Milliseconds. */
  lag: Type.Object({ '1m': Lag, '5m': Lag, '60m': Lag }),
  lagSeries: Type.Array(Type.Object({ t: Type.Number(), p50: Type.Number(), p99: Type.Number() })),
  queueDepth: Type.Integer({ minimum: 0 }),
  deadLetters: Type.Integer({ minimum: 0 }),
  /** 0..1 over the last 5 minutes; 1 when nothing was pushed. */
  successRate: Type.Number({ minimum: 0, maximum: 1 }),
  lastError: Type.Union([Type.Object({ message: Type.String(), at: Type.String() }), Type.Null()]),
  pushes: Type.Integer({ minimum: 0 }),
  throttledUntil: Type.Union([Type.Number(), Type.Null()]),
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
  /** Tenant of the request; the default tenant unless the app says otherwise. */
  tenantOf?: (req: import('fastify').FastifyRequest) => string;
  /** Auth hook (admin bearer) when the app does not apply one to the whole scope. */
  onRequest?: onRequestHookHandler;
}

export const channelsRoutes: FastifyPluginAsync<ChannelsRouteOptions> = async (app, opts) => {
  app.get(
    '/v1/channels',
    {
      ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
      schema: {
        tags: ['channels'],
        summary: 'Health, sync lag, queue depth and breaker state of every channel',
        response: { 200: ChannelsResponse },
      },
    },
    async (req) => ({
      channels: await opts.observer.channelHealth(opts.tenantOf?.(req) ?? 'default', {
        channels: opts.channels?.(),
        queueDepth: opts.queueDepth,
        deadLetters: opts.deadLetters,
      }),
    }),
  );
};
