/**
 * Starts propagation in a process by role:
 *   'all'    — change-feed consumer + one worker per channel + the queues the routes use;
 *   'worker' — the same (any number of worker processes on one Redis share the work: the
 *              consumer group splits the feed, BullMQ splits the jobs, leases fence the SKUs);
 *   'api'    — only the queues and the core the HTTP routes use (retries, rule changes).
 */
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelAdapter, ChannelModule } from '../channels/port';
import type { Keys } from '../ledger/keys';
import type { Ledger } from '../ledger/types';
import { createSyncCore, type Logger, type SyncCore } from './core';
import { startDriftSweep } from './drift-sweep';
import { startFeedConsumer, type FeedConsumer } from './feed-consumer';
import { createQueues } from './queues';
import type { Rule } from './rules';
import { channelConcurrency, defaultSyncSettings, type SyncSettings } from './settings';
import { createChannelWorker } from './worker';
import { noopHooks, type PushHooks } from './worker-hooks';

export interface PropagationConfig {
  keyPrefix: string;
  tenants: Record<string, unknown>;
  propagation: { rateOverrides: Record<string, { requestsPerSecond?: number; burst?: number }>; feedRetentionMs?: number; driftCheckPerMinute?: number };
}

export interface StartPropagationOptions {
  redis: Redis;
  /** A new connection each call (BullMQ workers and the blocking feed read need their own). */
  connection: () => Redis;
  keys: Keys;
  ledger: Ledger;
  channels: ChannelModule[] | ChannelAdapter[];
  config: PropagationConfig;
  logger: Logger;
  hooks?: PushHooks;
  role: 'all' | 'api' | 'worker';
  settings?: Partial<SyncSettings>;
  defaultRules?: Record<string, Rule>;
}

export interface PropagationRuntime {
  core: SyncCore;
  workers: Worker[];
  consumer: FeedConsumer | null;
  close(): Promise<void>;
}

export function toAdapters(channels: ChannelModule[] | ChannelAdapter[]): ChannelAdapter[] {
  return channels.map((c) => ('adapter' in c ? c.adapter : c));
}

export async function startPropagation(opts: StartPropagationOptions): Promise<PropagationRuntime> {
  const adapters = toAdapters(opts.channels);
  // The hash tag keeps every key of a queue in one Cluster slot, as BullMQ requires.
  const retention = opts.config.propagation.feedRetentionMs;
  const base = defaultSyncSettings(`${opts.config.keyPrefix}{bull}`, retention !== undefined ? { feedRetentionMs: retention } : {});
  const drift = opts.config.propagation.driftCheckPerMinute;
  const settings = defaultSyncSettings(base.queuePrefix, { ...base, ...(drift !== undefined ? { drift: { ...base.drift, perMinute: drift } } : {}), ...opts.settings });
  const queueConn = opts.connection();
  const queues = createQueues(adapters.map((a) => a.id), () => queueConn, settings.queuePrefix);
  const core = createSyncCore({
    redis: opts.redis,
    keys: opts.keys,
    ledger: opts.ledger,
    adapters,
    queues,
    settings,
    logger: opts.logger,
    hooks: opts.hooks ?? noopHooks,
    configuredTenants: Object.keys(opts.config.tenants),
    rateOverrides: opts.config.propagation.rateOverrides,
    defaultRules: opts.defaultRules,
  });
  const runsWork = opts.role === 'all' || opts.role === 'worker';
  const workers = runsWork ? adapters.map((a) => createChannelWorker(core, a, opts.connection())) : [];
  const consumer = runsWork ? startFeedConsumer(core, opts.connection()) : null;
  if (consumer) await consumer.ready;
  const driftSweep = runsWork ? startDriftSweep(core, settings.drift) : null;
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // Tenants appear as they send their first event: job slots follow their number (channelConcurrency).
  const fitSlots = async () => {
    const tenants = (await core.tenants()).length;
    workers.forEach((w, i) => {
      const slots = channelConcurrency(adapters[i]!.limits.batchSize, settings, tenants);
      if (w.concurrency !== slots) w.concurrency = slots;
    });
  };
  const slotTimer = workers.length ? setInterval(() => void fitSlots().catch((err) => opts.logger.warn({ err }, 'could not fit job slots to tenants')), 5_000) : undefined;
  slotTimer?.unref();

  return {
    core,
    workers,
    consumer,
    async close() {
      clearInterval(slotTimer);
      driftSweep?.stop();
      await consumer?.close();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      queueConn.disconnect();
    },
  };
}
