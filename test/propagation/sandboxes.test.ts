/**
 * Propagation against the four channel sandboxes (real adapters, real HTTP, published rate
 * limits enforced by the sandboxes), not only the conformance fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../companion/src/config';
import { CHANNEL_IDS, createChannelModules } from '../../companion/src/channels/registry';
import { startSandboxChannels, type SandboxChannels } from '../../companion/src/channels/sandboxes';
import type { ChannelModule } from '../../companion/src/channels/port';
import { createKeys, type Keys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import type { Ledger } from '../../companion/src/ledger/types';
import { deadLetterId } from '../../companion/src/propagation/dead-letters';
import { FEED_GROUP } from '../../companion/src/propagation/feed-consumer';
import { shownQuantity } from '../../companion/src/propagation/rules';
import { startPropagation, type PropagationRuntime } from '../../companion/src/propagation/runtime';
import type { StockEvent } from '../../companion/src/schemas/events';
import { createTestRedis, type TestRedis } from '../support/redis';
import { SECRET, testEnv } from '../api/helpers';
import { ev, quietLogger, TENANT, testSettings, until } from './helpers';

describe('propagation to the four channel sandboxes', () => {
  let t: TestRedis;
  let keys: Keys;
  let ledger: Ledger;
  let sandboxes: SandboxChannels;
  let modules: ChannelModule[];
  let rt: PropagationRuntime;

  beforeAll(async () => {
    t = await createTestRedis();
    const config = loadConfig(testEnv(t.prefix, t.url));
    keys = createKeys({ prefix: config.keyPrefix });
    ledger = createLedger({ redis: t.redis, keys, idempotencyTtlSeconds: 3600 });
    sandboxes = await startSandboxChannels({ ids: [...CHANNEL_IDS], portBase: 0, pluginSecret: SECRET, throttling: true });
    modules = createChannelModules(config, { redis: t.redis, keys, logger: quietLogger, tenant: TENANT }, sandboxes);
    rt = await startPropagation({ redis: t.connect(), connection: () => t.connect(), keys, ledger, channels: modules, config, logger: quietLogger, role: 'all', settings: testSettings });
  });
  afterAll(async () => {
    await rt?.close();
    for (const m of modules ?? []) await m.adapter.close();
    await sandboxes?.close();
    await t?.cleanup();
  });

  const settled = async (timeoutMs: number) => {
    const stream = keys.changes(TENANT);
    await until(
      async () => {
        const groups = ((await t.redis.xinfo('GROUPS', stream)) as unknown[][]).map((row) => Object.fromEntries(Array.from({ length: row.length / 2 }, (_, i) => [row[2 * i], row[2 * i + 1]])));
        const g = groups.find((x) => x.name === FEED_GROUP);
        if (!g || Number(g.pending) !== 0 || Number(g.lag ?? 0) !== 0) return false;
        for (const m of modules) if ((await rt.core.pending(m.id, TENANT)) > 0) return false;
        return true;
      },
      timeoutMs,
      'every channel to be in sync',
    );
  };

  it('brings every sandbox to the ledger projection at its published rate limit without a single 429', { timeout: 120_000 }, async () => {
    const skus = Array.from({ length: 20 }, (_, i) => `SBX-${i}`);
    for (const h of sandboxes.handles.values()) h.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await ledger.applyBatch(skus.map((s) => ev.received(s, 30)));
    const sources = ['woocommerce', 'shopify', 'amazon', 'flipkart'];
    const events: StockEvent[] = [];
    for (let i = 0; i < 400; i++) events.push(ev.sale(skus[(i * 7) % skus.length]!, 1 + (i % 2), sources[i % 4]));
    const t0 = Date.now();
    // Steady load for ~2 s: more changes than Amazon's 5 requests/s (one SKU each) can carry.
    for (let i = 0; i < events.length; i += 20) {
      await ledger.applyBatch(events.slice(i, i + 20));
      await new Promise((r) => setTimeout(r, 100)); // the load's own pace
    }
    await settled(90_000);
    const states = await ledger.getStockMany(TENANT, skus);
    const want = Object.fromEntries(skus.map((s, i) => [s, shownQuantity(states[i] ?? null, {})]));
    for (const [id, h] of sandboxes.handles) {
      // Amazon applies an accepted patch a moment later (as the real one does): read until it has.
      await until(() => skus.every((s) => h.quantities()[s] === want[s]), 10_000, `${id} to show the projection`);
      const st = h.stats();
      console.log(`[sandboxes] ${id}: ${st.calls} API calls, ${st.writes} writes, 429s/throttles: ${st.throttled}, in sync ${Date.now() - t0} ms after the first sale`);
      expect(Object.fromEntries(skus.map((s) => [s, h.quantities()[s]]))).toEqual(want);
      expect(st.throttled).toBe(0);
    }
    expect((await rt.core.dead.list(TENANT)).items).toEqual([]);
  });

  it('pushes a retried letter to the listing the merchant just made, though Shopify answered "not listed" moments before', { timeout: 60_000 }, async () => {
    await ledger.apply(ev.received('SBX-LATE', 4));
    await settled(30_000);
    const letter = deadLetterId('shopify', 'SBX-LATE');
    expect((await rt.core.dead.list(TENANT, { channel: 'shopify' })).items.map((l) => l.id)).toContain(letter);

    // The merchant lists it on Shopify and retries the letter at once (well within the adapter's minute of caching "not listed").
    sandboxes.handles.get('shopify')!.seed([{ sku: 'SBX-LATE', quantity: 0 }]);
    await rt.core.dead.markRetrying(TENANT, [letter]);
    await rt.core.markDirty(TENANT, new Map([['SBX-LATE', Date.now()]]), ['shopify'], true);
    await settled(30_000);
    await until(() => sandboxes.handles.get('shopify')!.quantities()['SBX-LATE'] === 4, 10_000, 'Shopify to show SBX-LATE');
    expect((await rt.core.dead.list(TENANT, { channel: 'shopify' })).items.map((l) => l.id)).not.toContain(letter);
  });
});
