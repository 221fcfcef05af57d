import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startWooCommerceSandbox } from '../../companion/src/channels/woocommerce';
import { WooCommerceAdapter } from '../../companion/src/channels/woocommerce/adapter';
import { PLUGIN_PRESENCE_TTL_MS as PLUGIN_REPROBE_MS } from '../../companion/src/channels/woocommerce/plugin-presence';
import { WooClient } from '../../companion/src/channels/woocommerce/client';
import { WooMapping } from '../../companion/src/channels/woocommerce/mapping';
import { createTestRedis } from '../support/redis';
import { item, pushError } from './fixtures';
import { wooFixture, type WooFixture } from './woocommerce-helpers';

let f: WooFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('WooCommerce adapter over REST (no plugin)', () => {
  it('sets stock on simple products and variations through the batch endpoints and reads it back', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    f.sandbox.addVariable('SHIRT', [{ sku: 'SHIRT-S', quantity: 1 }, { sku: 'SHIRT-M', quantity: 2 }]);
    const out = await f.channel.adapter.push([item('A', 9), item('SHIRT-M', 7), item('NOPE', 1)]);
    expect(out.slice(0, 2)).toEqual([
      { sku: 'A', status: 'ok', quantity: 9 },
      { sku: 'SHIRT-M', status: 'ok', quantity: 7 },
    ]);
    expect(out[2]!.status === 'failed' && out[2]!.error.kind).toBe('not_found');
    expect(f.sandbox.quantities()).toEqual({ A: 9, 'SHIRT-S': 1, 'SHIRT-M': 7 });
    expect(Object.fromEntries(await f.channel.adapter.read(['A', 'SHIRT-M', 'NOPE']))).toEqual({ A: 9, 'SHIRT-M': 7, NOPE: null });
    const refs = await f.channel.adapter.resolve(['SHIRT-S']);
    expect(refs.get('SHIRT-S')?.ids).toEqual({ productId: expect.any(String), variationId: expect.any(String) });
  });

  it("refuses a variation that uses its parent's stock instead of giving it stock of its own", async () => {
    f = await wooFixture({ listings: [] });
    f.sandbox.addVariable('CAP', [{ sku: 'CAP-S', quantity: 0, parentStock: true }, { sku: 'CAP-M', quantity: 2 }]);
    const out = await f.channel.adapter.push([item('CAP-S', 0), item('CAP-M', 5)]);
    expect(out[0]).toMatchObject({ sku: 'CAP-S', status: 'failed', error: { kind: 'not_found', message: expect.stringContaining("counted under its parent product") } });
    expect(out[1]).toEqual({ sku: 'CAP-M', status: 'ok', quantity: 5 });
    // Left on its parent's stock, and CAP-M took its number.
    expect(f.sandbox.quantities()).toMatchObject({ 'CAP-S': 0, 'CAP-M': 5 });
  });

  it('looks SKUs up once for a burst of concurrent pushes on a cold cache', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    f.sandbox.addVariable('SHIRT', [{ sku: 'SHIRT-S', quantity: 1 }]);
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => f!.channel.adapter.push([item(i % 2 ? 'A' : 'SHIRT-S', i)])));
    expect(out.every(([o]) => o!.status === 'ok')).toBe(true);
    // One SKU search per SKU (not per push; it finds the variation too, so no variation index is built), twenty batch writes.
    expect(f.sandbox.stats().calls).toBe(2 + 20);
  });

  it('looks a SKU up again when a cached mapping names a variation as a product (WooCommerce: woocommerce_rest_invalid_product_id)', async () => {
    const sandbox = await startWooCommerceSandbox();
    onTestFinished(() => sandbox.close());
    const { productId, variationIds } = sandbox.addVariable('SHIRT', [{ sku: 'SHIRT-S', quantity: 1 }]);
    const t = await createTestRedis();
    onTestFinished(() => t.cleanup());
    const cacheKey = `${t.prefix}map:woocommerce`;
    await t.redis.hset(cacheKey, 'SHIRT-S', JSON.stringify({ ids: { productId: variationIds[0] }, at: Date.now() }));
    const client = new WooClient({ url: sandbox.url, consumerKey: sandbox.credentials.key!, consumerSecret: sandbox.credentials.secret! });
    const mapping = new WooMapping(client, { redis: t.redis, cacheKey });
    const adapter = new WooCommerceAdapter({ client, mapping, plugin: false });
    const [first] = await adapter.push([item('SHIRT-S', 4)]);
    expect(first!.status === 'failed' && [first!.error.kind, first!.error.options.channelCode]).toEqual(['transient', 'woocommerce_rest_invalid_product_id']);
    expect(await adapter.push([item('SHIRT-S', 4)])).toEqual([{ sku: 'SHIRT-S', status: 'ok', quantity: 4 }]); // the retry
    expect(sandbox.quantities()['SHIRT-S']).toBe(4);
    expect(JSON.parse((await t.redis.hget(cacheKey, 'SHIRT-S'))!).ids).toEqual({ productId, variationId: variationIds[0] });
  });

  it('says to check the URL and turn on pretty permalinks when nothing answers under /wp-json/ (an HTML 404)', async () => {
    const site = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => site.close(() => r())));
    const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const client = new WooClient({ url, consumerKey: 'ck_x', consumerSecret: 'cs_x' });
    const adapter = new WooCommerceAdapter({ client, mapping: new WooMapping(client), plugin: 'auto', pluginSecret: 'tenant-secret' });
    const err = await pushError(adapter.push([item('A', 1)]));
    expect(err.kind).toBe('not_found');
    expect(err.message).toMatch(/STOCKLINE_WOOCOMMERCE_URL.*pretty permalinks/);
  });

  it("passes on the plugin's reason for a SKU it takes no quantity for (a variation counted under its parent)", async () => {
    const reason = "The stock of SKU V-M is counted under its parent's SKU V (the variation uses the parent's stock)";
    const site = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ results: [{ sku: 'V-M', status: 'not_found', quantity: null, message: reason }] }));
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => site.close(() => r())));
    const client = new WooClient({ url: `http://127.0.0.1:${(site.address() as AddressInfo).port}`, consumerKey: 'ck_x', consumerSecret: 'cs_x' });
    const adapter = new WooCommerceAdapter({ client, mapping: new WooMapping(client), plugin: true, pluginSecret: 'tenant-secret' });
    const [out] = await adapter.push([item('V-M', 0)]);
    expect(out).toMatchObject({ sku: 'V-M', status: 'failed', error: { kind: 'not_found', message: reason } });
  });

  it('splits a batch the store refuses with 413 and still sets every item', async () => {
    f = await wooFixture({ listings: Array.from({ length: 30 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })), batchLimit: 8 });
    const out = await f.channel.adapter.push(Array.from({ length: 30 }, (_, i) => item(`S${i}`, i + 10)));
    expect(out.every((o) => o.status === 'ok')).toBe(true);
    expect(f.sandbox.quantities().S29).toBe(39);
    expect(f.sandbox.stats().writes).toBe(4); // 30 and 15 refused (413); 8 + 7 + 8 + 7 accepted
  });

  it('reports a wrong consumer secret as auth', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }] }, { secret: 'cs_wrong' });
    const err = await pushError(f.channel.adapter.push([item('A', 1)]));
    expect([err.kind, err.options.status, err.options.channelCode]).toEqual(['auth', 401, 'woocommerce_rest_authentication_error']);
  });

  it('reports 5xx and outages as transient', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }], faults: { errorRate: 1 } });
    expect((await pushError(f.channel.adapter.push([item('A', 1)]))).kind).toBe('transient');
    f.sandbox.setFaults({ errorRate: 0, outageForMs: 60_000 });
    expect((await pushError(f.channel.adapter.push([item('A', 1)]))).kind).toBe('transient');
  });

  it('signs with query-string keys when asked (a proxy stripping Authorization)', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }], httpsTerminated: true }, { queryStringAuth: true });
    expect(await f.channel.adapter.push([item('A', 2)])).toEqual([{ sku: 'A', status: 'ok', quantity: 2 }]);
  });
});

describe('WooCommerce adapter through the Stockline plugin (compare-and-set)', () => {
  it('finds the plugin by probing and answers stale instead of overwriting a sale', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }], pluginSecret: 'tenant-secret' });
    await f.sandbox.placeOrder('A', 2); // the store shows 3; Stockline believes 5
    const out = await f.channel.adapter.push([item('A', 4, 5), item('B', 8, 5), item('C', 1)]);
    expect(out[0]).toEqual({ sku: 'A', status: 'stale', current: 3 });
    expect(out[1]).toEqual({ sku: 'B', status: 'ok', quantity: 8 });
    expect(out[2]!.status === 'failed' && out[2]!.error.kind).toBe('not_found');
    expect(f.sandbox.quantities()).toEqual({ A: 3, B: 8 });
  });

  it('falls back to REST when the store has no plugin', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }] }, { pluginSecret: 'tenant-secret', plugin: 'auto' });
    await f.sandbox.placeOrder('A', 2);
    // REST cannot compare: the value is written (the order webhook brings the sale in).
    expect(await f.channel.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
  });

  it('writes through REST at once when the plugin is deactivated between two pushes, instead of failing the push', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }], pluginSecret: 'tenant-secret' }, { pluginSecret: 'tenant-secret', plugin: 'auto' });
    expect(await f.channel.adapter.push([item('A', 4, 5)])).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
    f.sandbox.setPluginActive(false);
    expect(await f.channel.adapter.push([item('A', 3, 4)])).toEqual([{ sku: 'A', status: 'ok', quantity: 3 }]);
    expect(f.sandbox.quantities()).toEqual({ A: 3 });
    // Activated again: within the re-probe interval REST still writes; after it, compare-and-set is back.
    f.sandbox.setPluginActive(true);
    expect(await f.channel.adapter.push([item('A', 2, 3)])).toEqual([{ sku: 'A', status: 'ok', quantity: 2 }]);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + PLUGIN_REPROBE_MS);
      expect(await f.channel.adapter.push([item('A', 1, 5)])).toEqual([{ sku: 'A', status: 'stale', current: 2 }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a plugin refusing the signature as auth', async () => {
    f = await wooFixture({ listings: [{ sku: 'A', quantity: 5 }], pluginSecret: 'tenant-secret' }, { pluginSecret: 'other-secret', plugin: true });
    const err = await pushError(f.channel.adapter.push([item('A', 1)]));
    expect([err.kind, err.options.status]).toEqual(['auth', 401]);
  });
});
