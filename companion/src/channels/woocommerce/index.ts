/**
 * The WooCommerce channel (a store Stockline pushes to): adapter over REST or the Stockline
 * plugin's compare-and-set endpoint, order webhook ingestion, and the sandbox.
 */
import type { ChannelLimits, ChannelModule, EventSink, OrderIngestion } from '../port';
import type { ChannelDeps } from '../shopify';
import { WebhookDedup } from '../shopify/webhook-dedup';
import { WooCommerceAdapter } from './adapter';
import { WooClient } from './client';
import { wooIngestion } from './ingestion';
import { siteId } from './order-events';
import { WooOrderPoller } from './poller';
import { cursorStore, startPolling } from '../shopify/polling';
import { WooMapping } from './mapping';
import { StorePluginPresence } from './plugin-presence';
import { PluginSiteMemory } from './plugin-site';
import type { WooCommerceSandboxHandle } from './sandbox/server';

export { startWooCommerceSandbox, type WooCommerceSandboxHandle, type WooCommerceSandboxOptions } from './sandbox/server';
export { WooCommerceAdapter } from './adapter';
export { wooOrderEvents, siteId } from './order-events';
export { WooOrderPoller } from './poller';
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
  /**
   * A store that runs the Stockline plugin reports its own orders (default true): while the plugin
   * answers, the poll and the webhooks record nothing, or each sale would count twice. The sandbox
   * sets false: its plugin endpoint stands in only for the compare-and-set write.
   */
  pluginReportsOrders?: boolean;
  queryStringAuth?: boolean;
  /** Site id in event ids; default the host of `url`. */
  site?: string;
  /** Reconciliation poll of orders (backstop for lost webhooks); 0 turns it off. Default 60 s. */
  pollIntervalMs?: number;
  limits?: Partial<ChannelLimits>;
}

export interface WooCommerceChannelModule extends ChannelModule {
  adapter: WooCommerceAdapter;
  /** The reconciliation poll (`ingestion.start` runs it every pollIntervalMs). */
  poller: WooOrderPoller;
}

export function createWooCommerceChannel(config: WooCommerceChannelConfig, deps: ChannelDeps = {}): WooCommerceChannelModule {
  const tenant = deps.tenant ?? 'default';
  const client = new WooClient({ url: config.url, consumerKey: config.key, consumerSecret: config.secret, queryStringAuth: config.queryStringAuth });
  const shared = deps.redis && deps.keys ? { redis: deps.redis, keys: deps.keys } : undefined;
  const mapping = new WooMapping(client, { redis: shared?.redis, cacheKey: shared?.keys.propagation(tenant, 'map:woocommerce') });
  // One answer to "does the store run the plugin?" for pushes (compare-and-set) and for order ingestion.
  const pluginSite = new PluginSiteMemory(shared ? { redis: shared.redis, key: shared.keys.propagation(tenant, 'woocommerce:plugin-site') } : undefined);
  const presence = new StorePluginPresence(client, { site: pluginSite });
  const pluginSiteId = () => pluginSite.get();
  const adapter = new WooCommerceAdapter({ client, mapping, plugin: config.plugin ?? 'auto', pluginSecret: config.pluginSecret, presence, limits: config.limits });
  const dedup = new WebhookDedup({
    redis: shared?.redis,
    key: (id) => (shared ? shared.keys.propagation(tenant, `webhook:woocommerce:${id}`) : id),
  });
  const site = config.site ?? siteId(config.url);
  // The plugin reports the store's orders itself; polling or webhooks as well would count each twice.
  const standAside = config.pluginReportsOrders === false ? undefined : () => presence.active();
  const poller = new WooOrderPoller(client, {
    site,
    tenant,
    standAside,
    pluginSite: pluginSiteId,
    cursor: cursorStore(shared?.redis, shared ? shared.keys.propagation(tenant, 'ingest:woocommerce:cursor') : ''),
  });
  const interval = config.pollIntervalMs ?? 60_000;
  const ingestion: OrderIngestion = {
    ...(config.webhookSecret ? wooIngestion({ webhookSecret: config.webhookSecret, dedup, tenant, site, logger: deps.logger, standAside, pluginSite: pluginSiteId }) : {}),
    ...(interval > 0 ? { start: async (sink: EventSink) => startPolling(() => poller.pollOnce(sink), interval, deps.logger) } : {}),
  };
  return { id: 'woocommerce', adapter, ingestion, poller };
}

/**
 * Channel configuration pointing at a running sandbox. The webhook itself is created with
 * `handle.createWebhook(<companion>/v1/webhooks/woocommerce)` once the companion listens. The
 * sandbox's orders come by webhook even when it stands in for the plugin's compare-and-set write.
 */
export function wooCommerceSandboxConfig(handle: WooCommerceSandboxHandle, extra: Partial<WooCommerceChannelConfig> = {}): WooCommerceChannelConfig {
  const c = handle.credentials;
  return { url: handle.url, key: c.key!, secret: c.secret!, webhookSecret: handle.webhookSecret, pluginSecret: c.pluginSecret, pluginReportsOrders: false, ...extra };
}
