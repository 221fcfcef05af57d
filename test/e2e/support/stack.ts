/**
 * A live companion for the end-to-end test: the real ledger on the run's Redis, the four
 * channel sandboxes (real HTTP servers speaking each channel's API), the channel adapters and
 * order ingestion, propagation with the observer, and the real app listening on 127.0.0.1 —
 * composed through wiring.ts like the companion, with sandboxes tuned for test speed.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../companion/src/app';
import { amazonSandboxConfig, createAmazonChannel, startAmazonSandbox } from '../../../companion/src/channels/amazon';
import { createFlipkartChannel, flipkartSandboxConfig, startFlipkartSandbox } from '../../../companion/src/channels/flipkart';
import type { SandboxHandle } from '../../../companion/src/channels/sandbox-kit/types';
import { createShopifyChannel, shopifySandboxConfig, startShopifySandbox } from '../../../companion/src/channels/shopify';
import { createWooCommerceChannel, startWooCommerceSandbox, wooCommerceSandboxConfig } from '../../../companion/src/channels/woocommerce';
import { loadConfig, type Config } from '../../../companion/src/config';
import { createKeys } from '../../../companion/src/ledger/keys';
import { createLedger } from '../../../companion/src/ledger/ledger';
import type { Ledger } from '../../../companion/src/ledger/types';
import { createLogger } from '../../../companion/src/logger';
import type { ChannelModule } from '../../../companion/src/channels/port';
import type { StockEvent } from '../../../companion/src/schemas/events';
import { wireChannels } from '../../../companion/src/wiring';
import { freePort } from '../../../scripts/lib/throwaway-redis.mjs';
import { createTestRedis, type TestRedis } from '../../support/redis';

export const SECRET = 'e2e-signing-secret-0123456789abcdef';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const TENANT = 'default';

export interface Stack {
  /** Where the companion listens, as the plugin should be configured (http://localhost:port). */
  url: string;
  config: Readonly<Config>;
  ledger: Ledger;
  sandboxes: Record<'woocommerce' | 'shopify' | 'amazon' | 'flipkart', SandboxHandle>;
  close(): Promise<void>;
}

/** Starts everything with `listings` on every channel and in the ledger (onHand = quantity). */
export async function startStack(listings: { sku: string; quantity: number }[]): Promise<Stack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    while (closers.length) await closers.pop()!().catch(() => undefined);
  };
  try {
    const t: TestRedis = await createTestRedis();
    closers.push(() => t.cleanup());
    const port = await freePort();
    const config = loadConfig({
      STOCKLINE_REDIS_URL: t.url,
      STOCKLINE_KEY_PREFIX: t.prefix,
      STOCKLINE_SECRET: SECRET,
      STOCKLINE_ADMIN_TOKEN: ADMIN_TOKEN,
      STOCKLINE_HOST: '127.0.0.1',
      STOCKLINE_PORT: String(port),
      STOCKLINE_LOG_LEVEL: 'silent',
    });
    const logger = createLogger({ level: 'silent' });
    const keys = createKeys({ prefix: config.keyPrefix });
    const ledger = createLedger({ redis: t.redis, keys, idempotencyTtlSeconds: config.idempotencyTtlSeconds });
    if (!(await ledger.ready())) throw new Error('ledger scripts did not load');
    const at = new Date().toISOString();
    await ledger.applyBatch(
      listings.map((l): StockEvent => ({ id: `e2e-seed-${l.sku}`, type: 'stock.received', source: 'manual', occurredAt: at, sku: l.sku, qty: l.quantity })),
    );

    const hooks = `http://127.0.0.1:${port}/v1/webhooks`;
    const woocommerce = await startWooCommerceSandbox({ webhookUrl: `${hooks}/woocommerce` });
    const shopify = await startShopifySandbox({ webhookUrl: `${hooks}/shopify` });
    const amazon = await startAmazonSandbox({ applyDelayMs: 20, pendingMs: 50, ordersLagMs: 200, feedProcessingMs: 50 });
    const flipkart = await startFlipkartSandbox();
    const sandboxes = { woocommerce, shopify, amazon, flipkart };
    for (const s of Object.values(sandboxes)) {
      closers.push(() => s.close());
      s.seed(listings);
    }

    const deps = { redis: t.redis, keys, tenant: TENANT, logger };
    const modules: ChannelModule[] = [
      createWooCommerceChannel(wooCommerceSandboxConfig(woocommerce), deps),
      createShopifyChannel(shopifySandboxConfig(shopify), deps),
      createAmazonChannel(amazonSandboxConfig(amazon, { ingestion: { pollIntervalMs: 300, initialLookbackMs: 60_000 } }), deps),
      createFlipkartChannel(flipkartSandboxConfig(flipkart, { ingestion: { pollIntervalMs: 200, initialLookbackMs: 60_000 } }), deps),
    ];
    // Composed the way the companion composes itself (wiring.ts), with these sandboxes' modules.
    const wiring = await wireChannels({
      config,
      redis: t.redis,
      connect: () => t.connect(),
      keys,
      ledger,
      logger,
      modules,
      sandboxed: Object.keys(sandboxes),
      settings: { coalesceMs: 2, backoff: { baseMs: 100, maxMs: 1000 }, itemRetryDelayMs: 100, readBlockMs: 200, breakerRecheckMs: 200 },
    });
    closers.push(() => wiring.close());
    const app: FastifyInstance = await buildApp({ config, redis: t.redis, ledger, logger, plugins: wiring.plugins });
    // 'localhost' binds every loopback address it names (127.0.0.1 and ::1).
    await app.listen({ host: 'localhost', port });
    closers.push(() => app.close());
    await wiring.started(null);
    // WordPress under WP_HTTP_BLOCK_EXTERNAL (the harness sets it) only lets PHP reach
    // "localhost" and its own host, not 127.0.0.1, so that is the name the plugin gets.
    return { url: `http://localhost:${port}`, config, ledger, sandboxes, close };
  } catch (err) {
    await close();
    throw err;
  }
}
