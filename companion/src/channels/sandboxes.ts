/**
 * Sandbox mode: starts a local sandbox for every channel that has no real credentials and
 * returns channel configurations pointing at them. Webhook-based sandboxes (Shopify,
 * WooCommerce) learn the companion's address once it listens (`connect`).
 */
import { amazonSandboxConfig, startAmazonSandbox, type AmazonChannelConfig } from './amazon';
import { flipkartSandboxConfig, startFlipkartSandbox, type FlipkartChannelConfig } from './flipkart';
import type { SandboxHandle } from './sandbox-kit/types';
import { startShopifySandbox, type ShopifyChannelConfig, type ShopifySandboxHandle } from './shopify';
import {
  startWooCommerceSandbox,
  wooCommerceSandboxConfig,
  type WooCommerceChannelConfig,
  type WooCommerceSandboxHandle,
} from './woocommerce';
import type { ChannelId } from './registry';

export interface SandboxChannels {
  woocommerce?: WooCommerceChannelConfig;
  shopify?: ShopifyChannelConfig;
  amazon?: AmazonChannelConfig;
  flipkart?: FlipkartChannelConfig;
  handles: Map<ChannelId, SandboxHandle>;
  /** Tells the webhook sandboxes where the companion receives (`<base>/v1/webhooks/<channel>`). */
  connect(companionBaseUrl: string): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxStartOptions {
  ids: ChannelId[];
  /** First port; channels take consecutive ones in CHANNEL_IDS order. 0 = any free port. */
  portBase: number;
  /** The tenant's Stockline secret (the WooCommerce sandbox's plugin endpoint verifies it). */
  pluginSecret: string;
  /** Enforce each channel's published rate limits (default true). */
  throttling?: boolean;
}

export async function startSandboxChannels(o: SandboxStartOptions): Promise<SandboxChannels> {
  const port = (i: number) => (o.portBase > 0 ? o.portBase + i : 0);
  const faults = { throttling: o.throttling ?? true };
  const out: SandboxChannels = { handles: new Map(), connect: async () => undefined, close: async () => undefined };
  let shopify: ShopifySandboxHandle | undefined;
  let woo: WooCommerceSandboxHandle | undefined;
  try {
    if (o.ids.includes('woocommerce')) {
      woo = await startWooCommerceSandbox({ port: port(0), faults, pluginSecret: o.pluginSecret });
      out.handles.set('woocommerce', woo);
      out.woocommerce = wooCommerceSandboxConfig(woo, { plugin: true });
    }
    if (o.ids.includes('shopify')) {
      shopify = await startShopifySandbox({ port: port(1), faults });
      out.handles.set('shopify', shopify);
      const c = shopify.credentials;
      out.shopify = { shop: c.shop!, token: c.token!, locationId: c.locationId!, webhookSecret: c.webhookSecret!, url: c.url };
    }
    if (o.ids.includes('amazon')) {
      const h = await startAmazonSandbox({ port: port(2), faults });
      out.handles.set('amazon', h);
      out.amazon = amazonSandboxConfig(h);
    }
    if (o.ids.includes('flipkart')) {
      const h = await startFlipkartSandbox({ port: port(3), faults });
      out.handles.set('flipkart', h);
      // Flipkart reports orders by polling; every 2 s keeps the sandbox demo lively.
      out.flipkart = flipkartSandboxConfig(h, { ingestion: { pollIntervalMs: 2000 } } as Partial<FlipkartChannelConfig>);
    }
  } catch (err) {
    await Promise.all([...out.handles.values()].map((h) => h.close().catch(() => undefined)));
    throw err;
  }
  out.connect = async (base) => {
    shopify?.setWebhookUrl(`${base}/v1/webhooks/shopify`);
    if (woo) await woo.createWebhook(`${base}/v1/webhooks/woocommerce`);
  };
  out.close = async () => {
    await Promise.all([...out.handles.values()].map((h) => h.close().catch(() => undefined)));
  };
  return out;
}
