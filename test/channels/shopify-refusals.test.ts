/**
 * A repeated compare-and-set refusal is read (set-rows.ts), whichever worker process meets it:
 * the memory of first refusals is shared through Redis, not kept per process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createShopifyChannel, startShopifySandbox, type ShopifySandboxHandle } from '../../companion/src/channels/shopify';
import type { ChannelModule } from '../../companion/src/channels/port';
import { createKeys } from '../../companion/src/ledger/keys';
import { createTestRedis, type TestRedis } from '../support/redis';
import { item } from './fixtures';

let sandbox: ShopifySandboxHandle | undefined;
let t: TestRedis | undefined;
const channels: ChannelModule[] = [];
afterEach(async () => {
  for (const c of channels.splice(0)) await c.adapter.close();
  await sandbox?.close();
  await t?.cleanup();
  sandbox = t = undefined;
});

/** One worker process's Shopify channel: its own client, mapping and adapter; Redis shared or not. */
function worker(s: ShopifySandboxHandle, shared?: TestRedis): ChannelModule {
  const config = { shop: s.shop, token: s.credentials.token!, locationId: s.locationId, webhookSecret: s.webhookSecret, url: s.url };
  const deps = shared ? { redis: shared.redis, keys: createKeys({ prefix: shared.prefix }), tenant: 'default' } : { tenant: 'default' };
  const c = createShopifyChannel(config, deps);
  channels.push(c);
  return c;
}

describe('Shopify refusal memory across worker processes', () => {
  it('reads a repeated refusal met by another process than the first, and lowers the row', async () => {
    t = await createTestRedis();
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }] });
    const [one, two] = [worker(sandbox, t), worker(sandbox, t)];
    await one.adapter.resolve(['A']);
    await two.adapter.resolve(['A']);
    sandbox.seed([{ sku: 'A', quantity: 7 }]); // restocked by hand on Shopify; we believe 5
    expect(await one.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'stale', current: null }]);
    const calls = sandbox.stats().calls;
    expect(await two.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
    expect(sandbox.quantities().A).toBe(4);
    // The refused call, the read, the lowering.
    expect(sandbox.stats().calls - calls).toBe(3);
  });

  it('without shared memory each process answers its first refusal unread (why it is shared)', async () => {
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }] });
    const [one, two] = [worker(sandbox), worker(sandbox)];
    await one.adapter.resolve(['A']);
    await two.adapter.resolve(['A']);
    sandbox.seed([{ sku: 'A', quantity: 7 }]);
    expect(await one.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'stale', current: null }]);
    expect(await two.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'stale', current: null }]);
    expect(sandbox.quantities().A).toBe(7);
  });
});
