/**
 * The Shopify channel: adapter (push/read/resolve), webhook ingestion, and the sandbox.
 * `createShopifyChannel(config.channels.shopify, deps)` builds the ChannelModule.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../../ledger/keys';
import type { ChannelLimits, ChannelModule, EventSink } from '../port';
import { ShopifyAdapter } from './adapter';
import { ShopifyClient } from './client';
import { shopifyIngestion } from './ingestion';
import { ShopifyMapping } from './mapping';
import { redisRefusals } from './refusals';
import { MISSED_WEBHOOKS_POLL_MS, ShopifyOrderPoller } from './poller';
import { cursorStore, startPolling } from './polling';
import type { ShopifySandboxHandle } from './sandbox/server';
import { WebhookDedup } from './webhook-dedup';
import { missedWebhooks } from '../missed-webhooks';

export { startShopifySandbox, type ShopifySandboxHandle, type ShopifySandboxOptions } from './sandbox/server';
export { ShopifyAdapter, pushKey } from './adapter';
export { shopifyWebhookEvents } from './order-events';
export { ShopifyOrderPoller } from './poller';
export { signShopifyWebhook, verifyShopifyWebhook } from './webhook-hmac';

export interface ShopifyChannelConfig {
  shop: string;
  /** Admin API access token; or leave it empty and give clientId + clientSecret (client-credentials grant, 24 h tokens). */
  token?: string;
  clientId?: string;
  clientSecret?: string;
  locationId: string;
  webhookSecret: string;
  /** Base URL replacing https://<shop> (the sandbox). */
  url?: string;
  apiVersion?: string;
  /** Previous webhook secret, accepted while a rotation settles. */
  previousWebhookSecret?: string;
  limits?: Partial<ChannelLimits>;
  maxBudgetWaitMs?: number;
  /** Reconciliation poll of orders (backstop for lost or late webhooks); 0 turns it off. Default 5 min. */
  pollIntervalMs?: number;
  /** An order the poll records first this long after it was placed counts as a missed webhook (missed-webhooks.ts). Default 2 min. */
  webhookGraceMs?: number;
}

export interface ShopifyChannelModule extends ChannelModule {
  adapter: ShopifyAdapter;
  /** The reconciliation poll (`ingestion.start` runs it every pollIntervalMs). */
  poller: ShopifyOrderPoller;
}

export interface ChannelDeps {
  redis?: Redis;
  keys?: Keys;
  logger?: { warn: (obj: object, msg?: string) => void };
  tenant?: string;
}

export function createShopifyChannel(config: ShopifyChannelConfig, deps: ChannelDeps = {}): ShopifyChannelModule {
  const tenant = deps.tenant ?? 'default';
  const client = new ShopifyClient({
    shop: config.shop,
    token: config.token,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    apiVersion: config.apiVersion,
    baseUrl: config.url,
    maxBudgetWaitMs: config.maxBudgetWaitMs,
  });
  const shared = deps.redis && deps.keys ? { redis: deps.redis, keys: deps.keys } : undefined;
  const mapping = new ShopifyMapping(client, {
    redis: shared?.redis,
    cacheKey: shared?.keys.propagation(tenant, 'map:shopify'),
  });
  const adapter = new ShopifyAdapter({
    client,
    mapping,
    locationId: config.locationId,
    limits: config.limits,
    refusals: shared ? redisRefusals(shared.redis, shared.keys.propagation(tenant, 'refused:shopify')) : undefined,
  });
  const dedup = new WebhookDedup({
    redis: shared?.redis,
    key: (id) => (shared ? shared.keys.propagation(tenant, `webhook:shopify:${id}`) : id),
  });
  const ingestion = shopifyIngestion({
    webhookSecrets: [config.webhookSecret, ...(config.previousWebhookSecret ? [config.previousWebhookSecret] : [])],
    dedup,
    tenant,
    logger: deps.logger,
  });
  const poller = new ShopifyOrderPoller(client, {
    tenant,
    cursor: cursorStore(shared?.redis, shared ? shared.keys.propagation(tenant, 'ingest:shopify:cursor') : ''),
    webhookGraceMs: config.webhookGraceMs,
    ...(shared && {
      onMissedWebhooks: async (orders: { id: string; createdAt: string }[]) => {
        await missedWebhooks(shared.redis, shared.keys).record(tenant, 'shopify', orders);
        deps.logger?.warn({ channel: 'shopify', orders: orders.map((o) => o.id) }, 'orders reached Stockline only through the reconciliation poll: are the webhooks subscribed?');
      },
    }),
  });
  const interval = config.pollIntervalMs ?? 300_000;
  // Sooner while webhooks are not arriving (MISSED_WEBHOOKS_POLL_MS), back to the interval once they do.
  const nextPoll = () => (poller.missedLastPass ? Math.min(interval, MISSED_WEBHOOKS_POLL_MS) : interval);
  if (interval > 0) ingestion.start = async (sink: EventSink) => startPolling(() => poller.pollOnce(sink), interval, deps.logger, nextPoll);
  return { id: 'shopify', adapter, ingestion, poller };
}

/** Channel configuration pointing at a running sandbox (sandbox mode, tests, the bench). */
export function shopifySandboxConfig(handle: ShopifySandboxHandle, extra: Partial<ShopifyChannelConfig> = {}): ShopifyChannelConfig {
  return { shop: handle.shop, token: handle.credentials.token!, locationId: handle.locationId, webhookSecret: handle.webhookSecret, url: handle.url, ...extra };
}
