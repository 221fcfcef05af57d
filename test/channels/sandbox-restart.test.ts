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

/** One sandbox run: start it on `port`, wire a fresh adapter on the shared Redis, run `body`, stop both. */
async function run<S extends { close(): Promise<void> }, C extends { adapter: { close?(): Promise<void> } }>(
  start: () => Promise<S>,
  wire: (sandbox: S) => C,
  body: (sandbox: S, channel: C) => Promise<void>,
): Promise<void> {
  const sandbox = await start();
  const channel = wire(sandbox);
  try {
    await body(sandbox, channel);
  } finally {
    await channel.adapter.close?.();
    await sandbox.close();
  }
}

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

describe('a sandbox channel restarted on the same Stockline data', () => {
  it('Shopify: a push after the restart lands on its own SKU, and new orders get ids the first run never used', async () => {
    const keys = createKeys({ prefix: r.prefix });
    let port = 0;
    const firstOrders: string[] = [];
    const wire = (s: Awaited<ReturnType<typeof startShopifySandbox>>) =>
      createShopifyChannel({ shop: s.shop, token: s.credentials.token!, locationId: s.locationId, webhookSecret: s.webhookSecret, url: s.url }, { tenant: 'default', redis: r.redis, keys });
    await run(
      () => startShopifySandbox({ listings: listings(FIRST) }),
      wire,
      async (sandbox, channel) => {
        port = Number(new URL(sandbox.url).port);
        expect(await channel.adapter.push([item('MUG', 7)])).toEqual([{ sku: 'MUG', status: 'ok', quantity: 7 }]);
        for (const sku of FIRST) firstOrders.push(String((await sandbox.placeOrder(sku, 1)).orderId));
      },
    );
    await run(
      () => startShopifySandbox({ port, listings: listings(AFTER_RESTART) }),
      wire,
      async (sandbox, channel) => {
        expect(await pushAfterRestart(channel.adapter, 'MUG', 4)).toEqual([{ sku: 'MUG', status: 'ok', quantity: 4 }]);
        expect(sandbox.quantities()).toEqual({ CAP: 10, SOCKS: 10, MUG: 4 });
        const later = [];
        for (const sku of AFTER_RESTART) later.push(String((await sandbox.placeOrder(sku, 1)).orderId));
        expect(later.filter((id) => firstOrders.includes(id))).toEqual([]);
      },
    );
  });

  it('WooCommerce: the same, for product ids and order ids', async () => {
    const keys = createKeys({ prefix: r.prefix });
    let port = 0;
    const firstOrders: string[] = [];
    const wire = (s: Awaited<ReturnType<typeof startWooCommerceSandbox>>) =>
      createWooCommerceChannel({ url: s.url, key: s.credentials.key!, secret: s.credentials.secret!, webhookSecret: s.webhookSecret }, { tenant: 'default', redis: r.redis, keys });
    await run(
      () => startWooCommerceSandbox({ listings: listings(FIRST) }),
      wire,
      async (sandbox, channel) => {
        port = Number(new URL(sandbox.url).port);
        expect(await channel.adapter.push([item('MUG', 7)])).toEqual([{ sku: 'MUG', status: 'ok', quantity: 7 }]);
        for (const sku of FIRST) firstOrders.push(String((await sandbox.placeOrder(sku, 1)).orderId));
      },
    );
    await run(
      () => startWooCommerceSandbox({ port, listings: listings(AFTER_RESTART) }),
      wire,
      async (sandbox, channel) => {
        expect(await pushAfterRestart(channel.adapter, 'MUG', 4)).toEqual([{ sku: 'MUG', status: 'ok', quantity: 4 }]);
        expect(sandbox.quantities()).toEqual({ CAP: 10, SOCKS: 10, MUG: 4 });
        const later = [];
        for (const sku of AFTER_RESTART) later.push(String((await sandbox.placeOrder(sku, 1)).orderId));
        expect(later.filter((id) => firstOrders.includes(id))).toEqual([]);
      },
    );
  });
});
