/**
 * Channels, propagation and observability for one companion process, by role:
 * - all/worker: change-feed consumer, one queue worker per channel, order polling;
 * - all/api:    webhook receivers, propagation + observability routes.
 * Returns the app plugins to register, what to do once the app listens, and how to stop.
 */
import type { Redis } from 'ioredis';
import type { AppPlugin } from './app';
import type { Config } from './config';
import { CHANNEL_IDS, createChannelModules } from './channels/registry';
import type { ChannelModule, EventSink } from './channels/port';
import { startSandboxChannels, type SandboxChannels } from './channels/sandboxes';
import { runWithIngestionLease } from './channels/ingestion-lease';
import { claimSandboxes } from './channels/sandbox-owner';
import type { Keys } from './ledger/keys';
import type { Ledger } from './ledger/types';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { createObserver, type Observer } from './propagation/observer';
import { propagationRoutes } from './propagation/routes';
import { observabilityRoutes } from './propagation/routes/channels';
import { startPropagation, type PropagationRuntime } from './propagation/runtime';
import type { SyncSettings } from './propagation/settings';
import { relistLedgerOnSandboxes } from './sandbox-demo';
import { setShown } from './propagation/sync-keys';
import { createRulesStore } from './propagation/rules';
import { missedWebhooks } from './channels/missed-webhooks';

export const DEFAULT_TENANT = 'default';

export interface Wiring {
  modules: ChannelModule[];
  /** This process's Prometheus metrics (served by observabilityRoutes; the app counts responses into them). */
  metrics: Metrics;
  sandboxes: SandboxChannels | null;
  /** The ledger's SKUs listed on the sandboxes before propagation started (empty without sandboxes or SKUs). */
  sandboxCatalogue: { sku: string; available: number }[];
  observer: Observer;
  runtime: PropagationRuntime;
  plugins: AppPlugin[];
  /** Call once the app listens (or right away for the worker role). */
  started(companionBaseUrl: string | null): Promise<void>;
  close(): Promise<void>;
}

export interface WiringDeps {
  config: Readonly<Config>;
  redis: Redis;
  connect: () => Redis;
  keys: Keys;
  ledger: Ledger;
  logger: Logger;
  /** Channel modules built elsewhere (the sync benchmark points them at its own sandboxes). */
  modules?: ChannelModule[];
  /** Which of those `modules` talk to sandboxes (reported by GET /v1/channels). */
  sandboxed?: readonly string[];
  /** Receive and poll channel orders (default true; the benchmark can report orders itself). */
  ingestion?: boolean;
  /** Propagation tunables (tests shorten retry and read times). */
  settings?: Partial<SyncSettings>;
}

export async function wireChannels(deps: WiringDeps): Promise<Wiring> {
  const { config, redis, connect, keys, ledger, logger, ingestion = true } = deps;
  const tenant = DEFAULT_TENANT;
  const secret = config.tenants[tenant]?.secret ?? '';
  const unconfigured = CHANNEL_IDS.filter((id) => !config.channels[id]);
  // Sandboxes live in the process that runs everything: their state is in memory, so api and
  // worker processes of a scaled deployment talk to real channels (or sandboxes started alone).
  if (config.sandbox && config.role !== 'all' && unconfigured.length > 0) {
    logger.warn({ role: config.role, channels: unconfigured }, 'sandbox channels run only with --role all; these channels are off here');
  }
  const runsSandboxes = !deps.modules && config.sandbox && config.role === 'all' && unconfigured.length > 0;
  // One process per Redis runs sandboxes (sandbox-owner.ts); a second one refuses to start.
  const sandboxClaim = runsSandboxes ? await claimSandboxes(redis, keys.propagation(tenant, 'sandbox-owner')) : null;
  const sandboxes = runsSandboxes
    ? await startSandboxChannels({ ids: unconfigured, portBase: config.sandboxPortBase, pluginSecret: secret }).catch(async (err: unknown) => {
        await sandboxClaim?.release();
        throw err;
      })
    : null;
  // Before propagation starts, or its first pushes meet sandboxes that list nothing yet.
  const relisted = sandboxes ? await relistLedgerOnSandboxes(ledger, tenant, sandboxes, createRulesStore({ redis, keys })) : null;
  const sandboxCatalogue = relisted?.catalogue ?? [];
  // The fresh sandboxes show what each should now (relistLedgerOnSandboxes), not what propagation
  // last told them: record that, so their next push compares against it, and the admin page shows
  // it (forgetting it read "not listed … never" in red on every cell after a restart). Nothing is
  // re-pushed at start: the listing is already right.
  for (const [id, rows] of relisted?.shown ?? []) await setShown(redis, keys, tenant, id, rows);
  const modules = deps.modules ?? createChannelModules(config, { redis, keys, logger, tenant }, sandboxes ?? undefined);
  const metrics = createMetrics({ processMetrics: true });
  const observer = createObserver({ redis, keys, config, logger, metrics, channels: modules.map((m) => m.id) });
  const runtime = await startPropagation({
    redis,
    connection: connect,
    keys,
    ledger,
    channels: modules,
    config,
    logger,
    hooks: observer,
    role: config.role,
    settings: deps.settings,
  });

  // Channel orders go through the same ledger as the plugin's events; ids make redelivery harmless.
  const sink: EventSink = (events) => ledger.applyBatch(events);
  const webhooksMissed = missedWebhooks(redis, keys);
  const serves = config.role !== 'worker';
  const plugins: AppPlugin[] = serves
    ? [
        ...(ingestion ? modules : []).map((m) => async (app: Parameters<AppPlugin>[0]) => {
          await m.ingestion.routes?.(app, sink);
        }),
        propagationRoutes({ core: runtime.core, adminToken: config.adminToken }),
        observabilityRoutes({
          observer,
          metrics,
          adminToken: config.adminToken,
          channels: () => modules.map((m) => m.id),
          // Dirty + in-flight SKUs: BullMQ's own counts understate the backlog (jobs carry batches).
          // Per tenant asked about: GET /v1/channels?tenant=shop2 shows shop2's backlog and letters.
          queueDepth: (c, t = tenant) => runtime.core.pending(c, t),
          deadLetters: (c, t = tenant) => runtime.core.dead.count(t, c),
          missedWebhook: (c, t = tenant) => webhooksMissed.last(t, c),
          oldestWaiting: (c, t) => runtime.core.oldestWaiting(c, t),
          sandboxed: () => deps.sandboxed ?? (sandboxes ? unconfigured : []),
          ledger: { redis, keys },
        }),
      ]
    : [];

  const stops: (() => Promise<void>)[] = [];
  return {
    modules,
    metrics,
    sandboxes,
    sandboxCatalogue,
    observer,
    runtime,
    plugins,
    async started(base) {
      if (sandboxes && base) await sandboxes.connect(base);
      // Not awaited: a store that is slow or down must not hold the start (the plugin's cron still delivers).
      for (const m of modules) {
        m.adapter.greet?.().catch((err: unknown) => logger.warn({ err, channel: m.id }, 'could not tell the channel we are up; its queued changes arrive on its own schedule'));
      }
      if (ingestion && config.role !== 'api') {
        // One process at a time polls each channel's orders (ingestion-lease.ts).
        for (const m of modules) {
          const start = m.ingestion.start;
          if (start) stops.push(runWithIngestionLease({ redis, key: keys.propagation(tenant, `ingest-lease:${m.id}`), start: () => start(sink), logger }));
        }
      }
    },
    async close() {
      for (const stop of stops.reverse()) await stop().catch((err) => logger.warn({ err }, 'order ingestion did not stop cleanly'));
      await runtime.close();
      await observer.close();
      await Promise.all(modules.map((m) => m.adapter.close().catch(() => undefined)));
      await sandboxes?.close();
      await sandboxClaim?.release();
    },
  };
}
