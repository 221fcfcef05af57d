import { describe, expect, it } from 'vitest';
import type { PushHooks, PushedEvent } from '../../companion/src/propagation/worker-hooks';
import { createFakeAdapter } from '../../companion/src/channels/fake';
import { ev, TENANT, useFixtures } from './helpers';

describe('rate limiting', () => {
  const openFixture = useFixtures();

  it('draws zero 429s under steady load above the channel’s published rate limit, and still converges', async () => {
    // One SKU per call and 20 calls/s: 40 SKUs changing every 100 ms need more than the channel allows.
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 1, requestsPerSecond: 20, burst: 10 }, faults: { throttling: true } });
    const fake = fx.fakes[0]!;
    const skus = Array.from({ length: 40 }, (_, i) => `R-${i}`);
    fake.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(skus.map((s) => ev.received(s, 100)));
    // Two worker processes share one limiter in Redis.
    await fx.start();
    await fx.start();
    const t0 = Date.now();
    for (let round = 0; round < 20; round++) {
      await fx.ledger.applyBatch(skus.map((s) => ev.sale(s, 1, 'shopify')));
      await new Promise((r) => setTimeout(r, 100)); // the load itself: one round of sales every 100 ms
    }
    await fx.settled(30_000);
    const seconds = (Date.now() - t0) / 1000;
    const st = fake.stats();
    console.log(`[rate-limit] ${st.writeCalls} write calls in ${seconds.toFixed(1)} s (${(st.writeCalls / seconds).toFixed(1)}/s, limit 20/s), 429s: ${st.throttled}`);
    expect(st.throttled).toBe(0);
    expect(st.writeCalls / seconds).toBeLessThanOrEqual(20 * 1.05 + 10 / seconds);
    const want = await fx.projection(skus);
    expect(Object.fromEntries(skus.map((s) => [s, fake.quantities()[s]]))).toEqual(want);
  });

  it('follows config.propagation.rateOverrides over the adapter’s published limit', async () => {
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 1, requestsPerSecond: 10, burst: 4 }, faults: { throttling: true } });
    const fake = fx.fakes[0]!;
    const skus = Array.from({ length: 20 }, (_, i) => `V-${i}`);
    fake.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    // The adapter claims 1000/s; the merchant's plan allows 10/s, and configuration says so.
    const optimistic = createFakeAdapter({ id: 'fake-a', url: fake.url, token: fake.token, limits: { batchSize: 1, requestsPerSecond: 1000, burst: 1000 } });
    await fx.start({ adapters: [optimistic], rateOverrides: { 'fake-a': { requestsPerSecond: 10, burst: 4 } } });
    await fx.ledger.applyBatch(skus.map((s) => ev.received(s, 3)));
    await fx.settled(30_000);
    expect(fake.stats().throttled).toBe(0);
    expect(skus.every((s) => fake.quantities()[s] === 3)).toBe(true);
    await optimistic.close();
  });

  it('pauses the channel’s queue for Retry-After when the channel throttles anyway, without failures or dead letters', async () => {
    // The adapter believes in a far higher limit than the channel enforces.
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 1, requestsPerSecond: 10, burst: 2 }, faults: { throttling: true } });
    const fake = fx.fakes[0]!;
    const skus = Array.from({ length: 20 }, (_, i) => `T-${i}`);
    fake.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    const optimistic = createFakeAdapter({ id: 'fake-a', url: fake.url, token: fake.token, limits: { batchSize: 1, requestsPerSecond: 1000, burst: 1000 } });
    const events: PushedEvent[] = [];
    const hooks: PushHooks = { canPush: () => true, pushed: (e) => void events.push(e) };
    await fx.start({ adapters: [optimistic], hooks });
    await fx.ledger.applyBatch(skus.map((s) => ev.received(s, 7)));
    await fx.settled(30_000);
    expect(fake.stats().throttled).toBeGreaterThan(0);
    expect(events.some((e) => e.throttled)).toBe(true);
    expect(skus.every((s) => fake.quantities()[s] === 7)).toBe(true);
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toEqual([]);
    // Throttled calls are not hammered: the channel's Retry-After sets our pace, the calls that were
    // in flight with the first 429 do not each cut it again, and the pace recovers gently, so after
    // the first 429s calls follow the channel's pace (was 13-20 429s over 33-40 calls: a burst after
    // every pause, as the pace came back by a tenth of the believed 1,000 calls/s each second).
    console.log(`[rate-limit] optimistic adapter: ${fake.stats().throttled} 429s over ${fake.stats().calls} calls`);
    expect(fake.stats().throttled).toBeLessThanOrEqual(fake.stats().calls / 4);
    await optimistic.close();
  });
});
