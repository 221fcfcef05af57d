/**
 * The four sandbox channels as the benchmark uses them: the parent process starts each sandbox
 * (its shoppers buy there), the Stockline process builds the real channel module pointed at it.
 * A channel whose folder has not landed yet is skipped and reported as missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelModule } from '../../companion/src/channels/port';
import type { SandboxHandle } from '../../companion/src/channels/sandbox-kit/types';
import type { Keys } from '../../companion/src/ledger/keys';
import type { Redis } from 'ioredis';

export const ALL_CHANNELS = ['woocommerce', 'shopify', 'amazon', 'flipkart'] as const;
const ROOT = join(import.meta.dirname, '..', '..');

export function availableChannels(): { present: string[]; missing: string[] } {
  const present = ALL_CHANNELS.filter((c) => existsSync(join(ROOT, 'companion/src/channels', c, 'index.ts')));
  return { present, missing: ALL_CHANNELS.filter((c) => !present.includes(c)) };
}

export interface SandboxStartOptions {
  /** Enforce the channel's published limits with its own throttle signals. */
  throttling: boolean;
  /** Where the channel's order webhooks go (Stockline's /v1/webhooks/<channel>); none: not sent. */
  webhookUrl?: string;
  /** The tenant secret, for the WooCommerce plugin's compare-and-set endpoint. */
  pluginSecret: string;
  listings: { sku: string; quantity: number }[];
}

export interface StartedSandbox {
  id: string;
  handle: SandboxHandle;
  /** Serializable: what the Stockline process needs to build this channel. */
  childConfig: Record<string, unknown>;
}

export async function startSandbox(id: string, o: SandboxStartOptions): Promise<StartedSandbox> {
  const faults = { throttling: o.throttling };
  switch (id) {
    case 'shopify': {
      const m = await import('../../companion/src/channels/shopify');
      // Limits off: a bucket so large it never empties (the client paces itself by the cost it reports).
      const costBucket = o.throttling ? undefined : { max: 1e9, restoreRate: 1e9 };
      const h = await m.startShopifySandbox({ faults, webhookUrl: o.webhookUrl, listings: o.listings, ...(costBucket ? { costBucket } : {}) });
      return { id, handle: h, childConfig: { shop: h.shop, token: h.credentials.token, locationId: h.locationId, webhookSecret: h.webhookSecret, url: h.url } };
    }
    case 'woocommerce': {
      const m = await import('../../companion/src/channels/woocommerce');
      const h = await m.startWooCommerceSandbox({ faults, webhookUrl: o.webhookUrl, pluginSecret: o.pluginSecret, listings: o.listings });
      return {
        id,
        handle: h,
        childConfig: { url: h.url, key: h.credentials.key, secret: h.credentials.secret, webhookSecret: h.webhookSecret, pluginSecret: o.pluginSecret, pluginReportsOrders: false },
      };
    }
    case 'amazon': {
      const m = await import('../../companion/src/channels/amazon');
      const h = await m.startAmazonSandbox({ faults });
      h.seed(o.listings);
      return { id, handle: h, childConfig: { url: h.url, credentials: h.credentials, ordersLagMs: h.ordersLagMs, applyDelayMs: h.applyDelayMs } };
    }
    case 'flipkart': {
      const m = await import('../../companion/src/channels/flipkart');
      const h = await m.startFlipkartSandbox({ faults, ...(o.throttling ? {} : { rateLimit: null }) });
      h.seed(o.listings);
      return { id, handle: h, childConfig: { credentials: h.credentials } };
    }
    default:
      throw new Error(`no sandbox for channel ${id}`);
  }
}

export interface ChildDeps {
  redis: Redis;
  keys: Keys;
  tenant: string;
  logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };
}

/** Inside the Stockline process: the real channel module pointed at the sandbox. */
export async function buildChannel(id: string, cfg: Record<string, any>, deps: ChildDeps, limitsOff: boolean): Promise<ChannelModule> {
  switch (id) {
    case 'shopify': {
      const m = await import('../../companion/src/channels/shopify');
      return m.createShopifyChannel(cfg as never, deps);
    }
    case 'woocommerce': {
      const m = await import('../../companion/src/channels/woocommerce');
      return m.createWooCommerceChannel({ ...(cfg as Record<string, unknown>), plugin: true } as never, deps);
    }
    case 'amazon': {
      const m = await import('../../companion/src/channels/amazon');
      const handleLike = { url: cfg.url, credentials: cfg.credentials, ordersLagMs: cfg.ordersLagMs, applyDelayMs: cfg.applyDelayMs } as never;
      // Limits off: the client's own pacing (5 PATCH/s) is lifted too, or it would still be the cap.
      const adapter = limitsOff ? { patchRate: 100_000, patchBurst: 100_000 } : undefined;
      return m.createAmazonChannel(m.amazonSandboxConfig(handleLike, adapter ? { adapter } : {}), deps);
    }
    case 'flipkart': {
      const m = await import('../../companion/src/channels/flipkart');
      // Orders are polled; every second instead of the default 30 s (Flipkart's push
      // notifications would report them sooner still).
      const config = m.flipkartSandboxConfig({ credentials: cfg.credentials } as never, {
        ingestion: { pollIntervalMs: 1000, initialLookbackMs: 60_000, overlapMs: 5_000, pageSize: 20 },
        ...(limitsOff ? { adapter: { requestsPerSecond: 100_000, burst: 100_000 } } : {}),
      });
      return m.createFlipkartChannel(config, deps);
    }
    default:
      throw new Error(`no channel module for ${id}`);
  }
}
