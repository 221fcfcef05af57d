/**
 * The WooCommerce channel (a store Stockline pushes to): adapter over REST or the Stockline
 * plugin's compare-and-set endpoint, order webhook ingestion, and the sandbox.
 */
import type { ChannelLimits, ChannelModule } from '../port';
import type { ChannelDeps } from '../shopify';
import { WebhookDedup } from '../shopify/webhook-dedup';
import { WooCommerceAdapter } from './adapter';
import { WooClient } from './client';
import { wooIngestion } from './ingestion';
import { WooMapping } from './mapping';
import type { WooCommerceSandboxHandle } from './sandbox/server';

export { startWooCommerceSandbox, type WooCommerceSandboxHandle, type WooCommerceSandboxOptions } from './sandbox/server';
export { WooCommerceAdapter } from './adapter';
export { wooOrderEvents } from './order-events';
export { signStockline, signWooWebhook, verifyStockline, verifyWooWebhook } from './signatures';

export interface WooCommerceChannelConfig {
  url: string;
  key: string;
  secret: string;
  /** Secret of the store's webhooks (X-WC-Webhook-Signature). */
  webhookSecret?: string;
  /** The tenant's Stockline secret, which the plugin verifies; enables the compare-and-set endpoint. */
  pluginSecret?: string;
  /** Use the plugin: true, false, or 'auto' (probe /wp-json/stockline/v1). Default 'auto'. */
  plugin?: boolean | 'auto';
  queryStringAuth?: boolean;
  site?: string;
  limits?: Partial<ChannelLimits>;
}

export function createWooCommerceChannel(config: WooCommerceChannelConfig, deps: ChannelDeps = {}): ChannelModule {
  const tenant = deps.tenant ?? 'default';
  const client = new WooClient({ url: config.url, consumerKey: config.key, consumerSecret: config.secret, queryStringAuth: config.queryStringAuth });
  const shared = deps.redis && deps.keys ? { redis: deps.redis, keys: deps.keys } : undefined;
  const mapping = new WooMapping(client, { redis: shared?.redis, cacheKey: shared?.keys.propagation(tenant, 'map:woocommerce') });
  const adapter = new WooCommerceAdapter({ client, mapping, plugin: config.plugin ?? 'auto', pluginSecret: config.pluginSecret, limits: config.limits });
  const dedup = new WebhookDedup({
    redis: shared?.redis,
    key: (id) => (shared ? shared.keys.propagation(tenant, `webhook:woocommerce:${id}`) : id),
  });
  const ingestion = config.webhookSecret
    ? wooIngestion({ webhookSecret: config.webhookSecret, dedup, tenant, site: config.site, logger: deps.logger })
    : {};
  return { id: 'woocommerce', adapter, ingestion };
}

/**
 * Channel configuration pointing at a running sandbox. The webhook itself is created with
 * `handle.createWebhook(<companion>/v1/webhooks/woocommerce)` once the companion listens.
 */
export function wooCommerceSandboxConfig(handle: WooCommerceSandboxHandle, extra: Partial<WooCommerceChannelConfig> = {}): WooCommerceChannelConfig {
  const c = handle.credentials;
  return { url: handle.url, key: c.key!, secret: c.secret!, webhookSecret: handle.webhookSecret, pluginSecret: c.pluginSecret, ...extra };
}
