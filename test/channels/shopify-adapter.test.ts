import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError } from '../../companion/src/channels/port';
import { item, pushError } from './fixtures';
import { shopifyFixture, type ShopifyFixture } from './shopify-helpers';

let f: ShopifyFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('Shopify adapter against the sandbox over HTTP', () => {
  it('sets absolute available quantities and reads them back', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 1 }] });
    const out = await f.channel.adapter.push([item('A', 12, 5), item('B', 0, null)]);
    expect(out).toEqual([
      { sku: 'A', status: 'ok', quantity: 12 },
      { sku: 'B', status: 'ok', quantity: 0 },
    ]);
    expect(f.sandbox.quantities()).toEqual({ A: 12, B: 0 });
    const read = await f.channel.adapter.read(['A', 'B', 'NOPE']);
    expect(Object.fromEntries(read)).toEqual({ A: 12, B: 0, NOPE: null });
  });

  it('answers stale instead of overwriting a sale it has not heard of: unread at first, with the current value when refused again', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 3 }] });
    await f.sandbox.placeOrder('A', 2); // Shopify now shows 3; Stockline still believes 5
    const out = await f.channel.adapter.push([item('A', 4, 5), item('B', 7, 3)]);
    expect(out[0]).toEqual({ sku: 'A', status: 'stale', current: null });
    // The clean row is applied in a follow-up mutation (the failed batch applied nothing).
    expect(out[1]).toEqual({ sku: 'B', status: 'ok', quantity: 7 });
    expect(f.sandbox.quantities()).toEqual({ A: 3, B: 7 });
    // No order explained the refusal: the same compare again is refused again, and read this time.
    const again = await f.channel.adapter.push([item('A', 4, 5)]);
    expect(again).toEqual([{ sku: 'A', status: 'stale', current: 3 }]);
    expect(f.sandbox.quantities()).toEqual({ A: 3, B: 7 });
  });

  it('replays a transport retry of the same push instead of applying it twice', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    const push = [item('A', 9, 5, 'push-key-1')];
    const first = await f.channel.adapter.push(push);
    await f.sandbox.placeOrder('A', 1); // Shopify shows 8 now
    const retry = await f.channel.adapter.push(push); // same idempotency key → Shopify replays
    expect(first).toEqual([{ sku: 'A', status: 'ok', quantity: 9 }]);
    expect(retry).toEqual(first);
    expect(f.sandbox.quantities()).toEqual({ A: 8 });
    expect(f.sandbox.stats().writes).toBe(1);
    const [group] = f.sandbox.adjustments();
    expect(group!.referenceDocumentUri).toMatch(/^gid:\/\/stockline\/Push\/[0-9a-f-]{36}$/);
  });

  it('reports unlisted SKUs as not_found and SKUs shared by several variants as validation failures', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    f.sandbox.addVariant('DUP', 1);
    f.sandbox.addVariant('DUP', 1, { duplicate: true });
    f.sandbox.addVariant('ABC', 4); // a prefix match of "AB" in Shopify search must not count
    const out = await f.channel.adapter.push([item('A', 1), item('MISSING', 1), item('DUP', 1), item('AB', 2)]);
    expect(out[0]).toEqual({ sku: 'A', status: 'ok', quantity: 1 });
    expect(out.slice(1).map((o) => (o.status === 'failed' ? o.error.kind : o.status))).toEqual(['not_found', 'validation', 'not_found']);
    expect(f.sandbox.quantities().ABC).toBe(4);
  });

  it('maps per-row userErrors to failed outcomes and still applies the valid rows', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    f.sandbox.addVariant('BUNDLE', 2, { mutable: false });
    const out = await f.channel.adapter.push([item('A', 6), item('BUNDLE', 1)]);
    expect(out[0]).toEqual({ sku: 'A', status: 'ok', quantity: 6 });
    expect(out[1]!.status).toBe('failed');
    if (out[1]!.status === 'failed') {
      expect(out[1]!.error.kind).toBe('validation');
      expect(out[1]!.error.options.channelCode).toBe('NON_MUTABLE_INVENTORY_ITEM');
    }
    expect(f.sandbox.quantities()).toEqual({ A: 6, BUNDLE: 2 });
  });

  it.each([
    { throttleStatusCode: 200 as const, label: 'THROTTLED at HTTP 200' },
    { throttleStatusCode: 429 as const, label: 'HTTP 429' },
  ])('turns $label into rate_limited with retryAfterMs from throttleStatus', async ({ throttleStatusCode }) => {
    // Bucket of 10 points restoring 5/s: the SKU lookup (2 + 5 × 2 + pageInfo 1 = 13 points) cannot fit.
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }], costBucket: { max: 10, restoreRate: 5 }, throttleStatusCode });
    const err = await pushError(f.channel.adapter.push([item('A', 1)]));
    expect(err.kind).toBe('rate_limited');
    expect(err.options.channelCode).toBe('THROTTLED');
    // (requested − currently available) / restore rate = (13 − 10) / 5 s.
    expect(err.retryAfterMs).toBe(600);
    expect(f.sandbox.stats().throttled).toBe(1);
  });

  it('throttles itself from the cost budget before Shopify has to', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }], costBucket: { max: 30, restoreRate: 1 } }, { maxBudgetWaitMs: 0 });
    await f.channel.adapter.push([item('A', 1)]); // lookup (13) + mutation (10): 7 points left
    const callsBefore = f.sandbox.stats().calls;
    const err = await pushError(f.channel.adapter.push([item('A', 2)]));
    expect(err.kind).toBe('rate_limited');
    expect(err.options.channelCode).toBe('BUDGET');
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(f.sandbox.stats().calls).toBe(callsBefore);
    expect(f.sandbox.stats().throttled).toBe(0);
  });

  it('reports a rejected access token as auth', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] }, { token: 'shpat_wrong' });
    const err = await pushError(f.channel.adapter.push([item('A', 1)]));
    expect(err.kind).toBe('auth');
    expect(err.options.status).toBe(401);
    expect(err.retryable).toBe(false);
  });

  it('reports 5xx answers and dropped connections as transient', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }], faults: { errorRate: 1 } });
    const e1 = await pushError(f.channel.adapter.push([item('A', 1)]));
    expect([e1.kind, e1.options.status]).toEqual(['transient', 503]);
    f.sandbox.setFaults({ errorRate: 0, outageForMs: 60_000 });
    const e2 = await pushError(f.channel.adapter.push([item('A', 1)]));
    expect(e2.kind).toBe('transient');
    expect(e2.retryable).toBe(true);
  });

  it('pauses by showing 0 whatever Shopify shows, and relists at given quantities', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    expect(await f.channel.adapter.pause(['A'])).toEqual([{ sku: 'A', status: 'ok', quantity: 0 }]);
    expect(f.sandbox.quantities().A).toBe(0);
    expect(await f.channel.adapter.relist([item('A', 3, 0)])).toEqual([{ sku: 'A', status: 'ok', quantity: 3 }]);
    const refs = await f.channel.adapter.resolve(['A', 'Z']);
    expect(refs.get('A')?.ids.inventoryItemId).toMatch(/^gid:\/\/shopify\/InventoryItem\/\d+$/);
    expect(refs.get('Z')).toBeNull();
  });
});

describe('Shopify SKU mapping cache', () => {
  it('shares resolved SKUs through Redis so another worker does not look them up again', async () => {
    const { createTestRedis } = await import('../support/redis');
    const { createKeys } = await import('../../companion/src/ledger/keys');
    const { createShopifyChannel, shopifySandboxConfig } = await import('../../companion/src/channels/shopify');
    const t = await createTestRedis();
    try {
      f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }] });
      const deps = { redis: t.redis, keys: createKeys({ prefix: t.prefix }), tenant: 'default' };
      const first = createShopifyChannel(shopifySandboxConfig(f.sandbox), deps);
      await first.adapter.resolve(['A', 'B', 'GONE']);
      const calls = f.sandbox.stats().calls;
      const second = createShopifyChannel(shopifySandboxConfig(f.sandbox), deps);
      const refs = await second.adapter.resolve(['A', 'B']);
      expect(refs.get('A')?.ids.inventoryItemId).toMatch(/^gid:\/\/shopify\/InventoryItem\//);
      expect(f.sandbox.stats().calls).toBe(calls);
    } finally {
      await t.cleanup();
    }
  });

  it('looks a SKU up once for a burst of concurrent pushes on a cold cache', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }] });
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => f!.channel.adapter.push([item(i % 2 ? 'A' : 'B', i)])));
    expect(out.every(([o]) => o!.status === 'ok')).toBe(true);
    expect(f.sandbox.stats().calls).toBe(2 + 20); // one search per SKU (not per push), twenty mutations
  });

  it('resolves 250 SKUs within one 1000-point bucket, yet still sees every variant of a SKU listed six times', async () => {
    const skus = Array.from({ length: 250 }, (_, i) => `M${i}`);
    f = await shopifyFixture({ listings: skus.map((sku) => ({ sku, quantity: 1 })) });
    for (let i = 0; i < 5; i++) f.sandbox.addVariant('M7', 1, { duplicate: true });
    const refs = await f.channel.adapter.resolve(skus);
    expect(f.sandbox.stats().throttled).toBe(0);
    expect(refs.get('M7')).toBeNull();
    expect([...refs.values()].filter((r) => r !== null)).toHaveLength(249);
    const out = await f.channel.adapter.push([item('M7', 3)]);
    expect(out[0]!.status === 'failed' && out[0]!.error.message).toMatch(/matches 6 Shopify variants/);
  });

  it('keeps the searches that answered when the cost budget refuses others, so a cold catalogue larger than the bucket resolves', async () => {
    const skus = Array.from({ length: 250 }, (_, i) => `K${i}`);
    // A bucket a third the size of the lookups: each attempt only gets some searches through.
    f = await shopifyFixture({ listings: skus.map((sku) => ({ sku, quantity: 1 })), costBucket: { max: 300, restoreRate: 100 } }, { maxBudgetWaitMs: 500 });
    let attempts = 0;
    let refs: Map<string, unknown> | null = null;
    while (!refs && attempts < 8) {
      attempts++;
      try {
        refs = await f.channel.adapter.resolve(skus);
      } catch (err) {
        expect((err as ChannelError).kind).toBe('rate_limited');
        await new Promise((r) => setTimeout(r, (err as ChannelError).retryAfterMs ?? 1000));
      }
    }
    // Before the fix every attempt searched all ten chunks again and threw them away: it never finished.
    expect(refs).not.toBeNull();
    expect([...refs!.values()].filter((r) => r !== null)).toHaveLength(250);
    expect(attempts).toBeGreaterThan(1);
    // Ten searches, plus the odd one Shopify throttled: never the whole catalogue again per attempt.
    expect(f.sandbox.stats().calls).toBeLessThanOrEqual(20);
  }, 30_000);

  it('pushes a sale at once while a background listings check of 600 SKUs runs: the check leaves a quarter of the bucket to pushes', async () => {
    const skus = Array.from({ length: 600 }, (_, i) => `L${i}`);
    f = await shopifyFixture({ listings: [...skus, 'HOT'].map((sku) => ({ sku, quantity: 5 })) });
    await f.channel.adapter.resolve(['HOT']); // listed and cached, as a SKU that sold before is
    // 24 searches of ~61 points against a 1,000-point bucket restoring 100/s: ~15 s of budget (6 ms for the push here; 1.5 s before).
    const checkStart = Date.now();
    const check = f.channel.adapter.resolve(skus, { fresh: true, background: true }).then(
      (refs) => ({ refs, ms: Date.now() - checkStart }),
      (err: unknown) => ({ err, ms: Date.now() - checkStart }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const sale = Date.now();
    const out = await f.channel.adapter.push([item('HOT', 4, 5)]);
    const pushMs = Date.now() - sale;
    // Before: the check's searches had reserved the budget ahead of it, and the push was refused rate_limited (then retried for a minute).
    expect(out).toEqual([{ sku: 'HOT', status: 'ok', quantity: 4 }]);
    expect(pushMs).toBeLessThan(500);
    const done = await check;
    expect('refs' in done && [...done.refs.values()].filter((r) => r !== null)).toHaveLength(600);
    expect(done.ms).toBeGreaterThan(pushMs);
    expect(f.sandbox.stats().throttled).toBe(0);
  }, 60_000);

  it('asks Shopify again when the listings check wants a fresh answer (a product deleted and re-created meanwhile)', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }] });
    const cached = (await f.channel.adapter.resolve(['A', 'B'])).get('A')?.ids.inventoryItemId;
    f.sandbox.removeVariant(String(cached));
    const { inventoryItemId: fresh } = f.sandbox.addVariant('A', 2);
    f.sandbox.removeVariant((await f.channel.adapter.resolve(['B'])).get('B')!.ids.inventoryItemId as string);
    // The cache still answers the old id; a fresh resolve reads Shopify and keeps what it found.
    expect((await f.channel.adapter.resolve(['A'])).get('A')?.ids.inventoryItemId).toBe(cached);
    const now = await f.channel.adapter.resolve(['A', 'B'], { fresh: true });
    expect(now.get('A')?.ids.inventoryItemId).toBe(fresh);
    expect(now.get('B')).toBeNull();
    expect((await f.channel.adapter.resolve(['A'])).get('A')?.ids.inventoryItemId).toBe(fresh);
  });

  it('looks a SKU up again when Shopify says its inventory item is gone, and pushes to the new one in the same push', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 5 }, { sku: 'C', quantity: 5 }] });
    const cached = await f.channel.adapter.resolve(['A', 'B', 'C']);
    // The merchant deletes and recreates product A (same SKU, new inventory item) and deletes C for good.
    f.sandbox.removeVariant(cached.get('A')!.ids.inventoryItemId as string);
    const { inventoryItemId: fresh } = f.sandbox.addVariant('A', 2);
    f.sandbox.removeVariant(cached.get('C')!.ids.inventoryItemId as string);
    const out = await f.channel.adapter.push([item('A', 4), item('B', 6), item('C', 1)]);
    expect(out.slice(0, 2)).toEqual([
      { sku: 'A', status: 'ok', quantity: 4 },
      { sku: 'B', status: 'ok', quantity: 6 },
    ]);
    // C is gone for good: not_found from the fresh lookup, a dead letter for a person.
    expect(out[2]!.status === 'failed' && [out[2]!.error.kind, out[2]!.error.message]).toEqual(['not_found', 'SKU C is not listed on Shopify']);
    expect(f.sandbox.quantities()).toEqual({ A: 4, B: 6 });
    expect((await f.channel.adapter.resolve(['A'])).get('A')?.ids.inventoryItemId).toBe(fresh);
  });

  it('takes a retried push to a re-created item under a key of its own, not the key the old item was sent with', async () => {
    f = await shopifyFixture({ listings: [{ sku: 'A', quantity: 5 }] });
    const cached = await f.channel.adapter.resolve(['A']);
    f.sandbox.removeVariant(cached.get('A')!.ids.inventoryItemId as string);
    f.sandbox.addVariant('A', 2);
    // A job's push meets the gone item and is looked up again; then the job is retried (a worker
    // died before its answer was recorded) with the same item keys, now mapped to the new item.
    const retried = item('A', 4);
    expect(await f.channel.adapter.push([retried])).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
    // Was: IDEMPOTENCY_KEY_PARAMETER_MISMATCH (the key had gone out with the old item's id), a dead letter.
    expect(await f.channel.adapter.push([retried])).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
    expect(f.sandbox.quantities()).toEqual({ A: 4 });
  });
});

describe('Shopify client-credentials grant', () => {
  it('gets a token from the app credentials and a fresh one when it expires mid-run, without losing a push', async () => {
    const { createShopifyChannel, startShopifySandbox } = await import('../../companion/src/channels/shopify');
    const sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }] });
    const c = sandbox.credentials;
    const channel = createShopifyChannel({ shop: c.shop!, clientId: c.clientId, clientSecret: c.clientSecret, locationId: c.locationId!, webhookSecret: 'x', url: c.url });
    try {
      expect(await channel.adapter.push([item('A', 3)])).toEqual([{ sku: 'A', status: 'ok', quantity: 3 }]);
      expect(sandbox.tokensGranted()).toBe(1);
      sandbox.expireTokens();
      expect(await channel.adapter.push([item('A', 4)])).toEqual([{ sku: 'A', status: 'ok', quantity: 4 }]);
      expect(sandbox.tokensGranted()).toBe(2);
      expect(sandbox.quantities().A).toBe(4);
    } finally {
      await sandbox.close();
    }
  });

  it('reports refused app credentials as auth', async () => {
    const { createShopifyChannel, startShopifySandbox } = await import('../../companion/src/channels/shopify');
    const sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }] });
    const c = sandbox.credentials;
    const channel = createShopifyChannel({ shop: c.shop!, clientId: c.clientId, clientSecret: 'shpss_wrong', locationId: c.locationId!, webhookSecret: 'x', url: c.url });
    try {
      const err = await pushError(channel.adapter.push([item('A', 3)]));
      expect([err.kind, err.options.status, err.options.channelCode]).toEqual(['auth', 400, 'invalid_client']);
    } finally {
      await sandbox.close();
    }
  });
});
