/**
 * `npm start` keeps Stockline's Redis (AOF) across restarts while its sandbox channels start
 * afresh. The adapters keep what they learnt in Redis (SKU → listing ids) and the ledger keeps the
 * event ids built from channel order ids, as they must for the real services, whose ids are never
 * reused. So a restarted sandbox must not reuse them either: before, the Shopify and WooCommerce
 * sandboxes counted ids from a constant, a restart that listed the SKUs in another order gave a
 * cached id to another SKU (pushes landed on the wrong product and were acknowledged), and new
 * orders got the ids of the first run's (dropped as duplicates).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError, type ChannelAdapter, type PushOutcome } from '../../companion/src/channels/port';
import { createShopifyChannel, startShopifySandbox } from '../../companion/src/channels/shopify';
import { createWooCommerceChannel, startWooCommerceSandbox } from '../../companion/src/channels/woocommerce';
import { createKeys } from '../../companion/src/ledger/keys';
import { createTestRedis, type TestRedis } from '../support/redis';
import { item } from './fixtures';

const FIRST = ['MUG', 'CAP', 'SOCKS'];
const AFTER_RESTART = ['CAP', 'SOCKS', 'MUG']; // the same SKUs, listed in another order

let r: TestRedis;
beforeEach(async () => {
  r = await createTestRedis();
});
afterEach(async () => {
  await r.cleanup();
});

const listings = (skus: string[]) => skus.map((sku) => ({ sku, quantity: 10 }));

/**
 * The first push after the restart may meet a dead keep-alive socket (transient: the worker
 * retries it, and so does this). Its cached id is gone on the restarted channel: the adapter looks
 * the SKU up again within the same push, so no outcome may be a failure.
 */
async function pushAfterRestart(adapter: ChannelAdapter, sku: string, quantity: number): Promise<PushOutcome[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await adapter.push([item(sku, quantity)]);
    } catch (err) {
      if (attempt > 1 || !(err instanceof ChannelError && err.kind === 'transient')) throw err;
    }
  }
}

interface RestartableSandbox {
  url: string;
  quantities(): Record<string, number>;
  placeOrder(sku: string, qty: number): Promise<{ orderId?: string }>;
  close(): Promise<void>;
}

/**
 * Two runs of one sandbox on the same port and the same Stockline Redis: the first lists FIRST
 * and takes a push and an order per SKU; the second lists the same SKUs in another order. A push
 * after the restart must land on its own SKU, and the new orders' ids must be new.
 */
async function restartScenario<S extends RestartableSandbox>(
  start: (opts: { port?: number; listings: { sku: string; quantity: number }[] }) => Promise<S>,
  wire: (sandbox: S, deps: { tenant: string; redis: TestRedis['redis']; keys: ReturnType<typeof createKeys> }) => { adapter: ChannelAdapter },
) {
  const deps = { tenant: 'default', redis: r.redis, keys: createKeys({ prefix: r.prefix }) };
  const runOnce = async (sandbox: S, body: (adapter: ChannelAdapter) => Promise<void>) => {
    const { adapter } = wire(sandbox, deps);
    try {
      await body(adapter);
    } finally {
      await adapter.close();
      await sandbox.close();
    }
  };
  const orders = async (sandbox: S, skus: string[]) => {
    const ids: string[] = [];
    for (const sku of skus) ids.push(String((await sandbox.placeOrder(sku, 1)).orderId));
    return ids;
  };
  const first = await start({ listings: listings(FIRST) });
  const port = Number(new URL(first.url).port);
  let firstOrders: string[] = [];
  await runOnce(first, async (adapter) => {
    expect(await adapter.push([item('MUG', 7)])).toEqual([{ sku: 'MUG', status: 'ok', quantity: 7 }]);
    firstOrders = await orders(first, FIRST);
  });
  const second = await start({ port, listings: listings(AFTER_RESTART) });
  await runOnce(second, async (adapter) => {
    expect(await pushAfterRestart(adapter, 'MUG', 4)).toEqual([{ sku: 'MUG', status: 'ok', quantity: 4 }]);
    expect(second.quantities()).toEqual({ CAP: 10, SOCKS: 10, MUG: 4 });
    expect((await orders(second, AFTER_RESTART)).filter((id) => firstOrders.includes(id))).toEqual([]);
  });
}

describe('a sandbox channel restarted on the same Stockline data', () => {
  it('Shopify: a push after the restart lands on its own SKU, and new orders get ids the first run never used', async () => {
    await restartScenario(startShopifySandbox, (s, deps) =>
      createShopifyChannel({ shop: s.shop, token: s.credentials.token!, locationId: s.locationId, webhookSecret: s.webhookSecret, url: s.url }, deps),
    );
  });

  it('WooCommerce: the same, for product ids and order ids', async () => {
    await restartScenario(startWooCommerceSandbox, (s, deps) =>
      createWooCommerceChannel({ url: s.url, key: s.credentials.key!, secret: s.credentials.secret!, webhookSecret: s.webhookSecret }, deps),
    );
  });
});
