/**
 * Amazon SP-API channel: `createAmazonChannel(config, deps)` builds the adapter and order
 * ingestion; `startAmazonSandbox(opts)` runs a local Amazon; `amazonSandboxConfig(handle)` points
 * a channel at it (its SQS-like queue as the ORDER_CHANGE source).
 */
import type { Redis } from 'ioredis';
import type { AmazonCredentials } from '../../config';
import type { Keys } from '../../ledger/keys';
import type { ChannelModule } from '../port';
import { AmazonAdapter, type AmazonAdapterOptions } from './adapter';
import { SpApiClient } from './client';
import { amazonIngestion, type AmazonIngestionOptions, type Logger } from './ingestion';
import { type NotificationSource } from './notifications';
import { SqsNotificationSource, type SqsSourceOptions } from './sqs';
import { AmazonOrderApplier, OrderTracker } from './order-events';
import type { AmazonSandboxHandle } from './sandbox';

export { startAmazonSandbox, type AmazonSandboxHandle, type AmazonSandboxOptions } from './sandbox';
export { AmazonAdapter, defaultBatchSize, type AmazonAdapterOptions, type Confirmation } from './adapter';
export { SpApiClient, type SpApiClientOptions } from './client';
export { SandboxQueueSource, type NotificationSource, type NotificationMessage } from './notifications';
export { SqsNotificationSource, SqsError, type SqsSourceOptions } from './sqs';
export { AmazonOrderApplier, OrderTracker } from './order-events';
export { AmazonOrderPoller, AmazonNotificationConsumer, amazonIngestion } from './ingestion';

export interface AmazonChannelConfig extends AmazonCredentials {
  adapter?: AmazonAdapterOptions;
  ingestion?: Omit<AmazonIngestionOptions, 'notifications' | 'cursor' | 'seen' | 'logger'>;
  /** Where ORDER_CHANGE notifications come from (none: polling only). */
  notifications?: NotificationSource;
  /** An SQS queue as the ORDER_CHANGE source (used when `notifications` is not given). */
  sqs?: SqsSourceOptions;
}

export interface AmazonChannelDeps {
  redis?: Redis;
  keys?: Keys;
  logger?: Logger;
  tenant?: string;
}

export interface AmazonChannelModule extends ChannelModule {
  adapter: AmazonAdapter;
}

export function createAmazonChannel(config: AmazonChannelConfig, deps: AmazonChannelDeps = {}): AmazonChannelModule {
  const client = new SpApiClient(config);
  const adapter = new AmazonAdapter(client, config.adapter);
  const tenant = deps.tenant ?? 'default';
  const k = (rest: string) => (deps.keys ? deps.keys.propagation(tenant, `ingest:amazon:${rest}`) : rest);
  const persisted = deps.redis && deps.keys;
  const tracker = persisted ? new OrderTracker(deps.redis, (id) => k(`order:${id}`)) : new OrderTracker();
  const applier = new AmazonOrderApplier(tracker, deps.tenant);
  const ingestion = amazonIngestion(client, applier, {
    ...config.ingestion,
    notifications: config.notifications ?? (config.sqs ? new SqsNotificationSource(config.sqs) : undefined),
    logger: deps.logger,
    ...(persisted
      ? { cursor: { redis: deps.redis!, key: k('cursor') }, seen: { redis: deps.redis!, keyOf: (id: string) => k(`notification:${id}`) } }
      : {}),
  });
  return { id: 'amazon', adapter, ingestion };
}

/** SP-API client settings from a sandbox's credentials (its LWA endpoint, app and seller). */
export function amazonSandboxClientOptions(c: AmazonSandboxHandle['credentials']): AmazonCredentials {
  return {
    url: c.url!,
    lwaUrl: c.lwaUrl!,
    clientId: c.clientId!,
    clientSecret: c.clientSecret!,
    refreshToken: c.refreshToken!,
    sellerId: c.sellerId!,
    marketplaceIds: [c.marketplaceIds!],
  };
}

/** Channel configuration for a running sandbox: its credentials, its SQS queue, its 2-minute rule. */
export function amazonSandboxConfig(handle: AmazonSandboxHandle, extra: Partial<AmazonChannelConfig> = {}): AmazonChannelConfig {
  const c = handle.credentials;
  return {
    ...amazonSandboxClientOptions(c),
    sqs: {
      endpoint: c.sqsEndpoint!,
      queueUrl: c.sqsQueueUrl!,
      region: c.sqsRegion!,
      accessKeyId: c.awsAccessKeyId!,
      secretAccessKey: c.awsSecretAccessKey!,
      waitTimeSeconds: 20,
    },
    ...extra,
    // Propagation holds back, for this long, what the other channels are expected to sell.
    adapter: { appliesAfterMs: handle.applyDelayMs, ...extra.adapter },
    ingestion: { lagMs: handle.ordersLagMs + 1_000, ...extra.ingestion },
  };
}
