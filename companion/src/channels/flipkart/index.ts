/**
 * Flipkart channel: `createFlipkartChannel(config, deps)` builds the adapter and order ingestion;
 * `startFlipkartSandbox(opts)` runs a local Flipkart; `flipkartSandboxConfig(handle)` points a
 * channel at it.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../../ledger/keys';
import type { ChannelModule } from '../port';
import { FlipkartAdapter, type FlipkartAdapterOptions } from './adapter';
import { FlipkartClient } from './client';
import { flipkartIngestion, type FlipkartIngestionOptions, type Logger } from './ingestion';
import { FlipkartOrderApplier, ItemTracker } from './order-events';
import type { FlipkartSandboxHandle } from './sandbox';

export { startFlipkartSandbox, type FlipkartSandboxHandle, type FlipkartSandboxOptions } from './sandbox';
export { FlipkartAdapter, type FlipkartAdapterOptions } from './adapter';
export { FlipkartClient } from './client';
export { FlipkartOrderPoller, flipkartIngestion } from './ingestion';
export { FlipkartOrderApplier, ItemTracker } from './order-events';

export interface FlipkartChannelConfig {
  url: string;
  appId: string;
  appSecret: string;
  locationId: string;
  adapter?: Omit<FlipkartAdapterOptions, 'locationId'>;
  ingestion?: Omit<FlipkartIngestionOptions, 'cursor' | 'logger'>;
}

export interface FlipkartChannelDeps {
  redis?: Redis;
  keys?: Keys;
  logger?: Logger;
  tenant?: string;
}

export interface FlipkartChannelModule extends ChannelModule {
  adapter: FlipkartAdapter;
}

export function createFlipkartChannel(config: FlipkartChannelConfig, deps: FlipkartChannelDeps = {}): FlipkartChannelModule {
  const client = new FlipkartClient(config);
  const adapter = new FlipkartAdapter(client, { ...config.adapter, locationId: config.locationId });
  const tenant = deps.tenant ?? 'default';
  const persisted = deps.redis && deps.keys;
  const k = (rest: string) => deps.keys!.propagation(tenant, `ingest:flipkart:${rest}`);
  const tracker = persisted ? new ItemTracker(deps.redis, (id) => k(`item:${id}`)) : new ItemTracker();
  const applier = new FlipkartOrderApplier(tracker, deps.tenant);
  const ingestion = flipkartIngestion(client, applier, {
    ...config.ingestion,
    logger: deps.logger,
    ...(persisted ? { cursor: { redis: deps.redis!, key: k('cursor') } } : {}),
  });
  return { id: 'flipkart', adapter, ingestion };
}

export function flipkartSandboxConfig(handle: FlipkartSandboxHandle, extra: Partial<FlipkartChannelConfig> = {}): FlipkartChannelConfig {
  const c = handle.credentials;
  return { url: c.url!, appId: c.appId!, appSecret: c.appSecret!, locationId: c.locationId!, ...extra };
}
