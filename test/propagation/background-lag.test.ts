import { describe, expect, it } from 'vitest';
import type { PushedEvent, PushHooks } from '../../companion/src/propagation/worker-hooks';
import { auth, ev, useFixtures } from './helpers';

describe('the lag of background work', () => {
  const openFixture = useFixtures();

  it('counts a channel-wide rule\'s re-push from its claim, not as the channel falling behind, while a sale still counts from its change', async () => {
    // One SKU per call, 10 calls/s: re-pushing 30 SKUs takes 3 s.
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 1, requestsPerSecond: 10, burst: 2 } });
    const fake = fx.fakes[0]!;
    const skus = Array.from({ length: 30 }, (_, i) => `BG-${i}`);
    fake.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(skus.map((s) => ev.received(s, 10)));
    const events: PushedEvent[] = [];
    const hooks: PushHooks = { canPush: () => true, pushed: (e) => void events.push(e) };
    await fx.start({ hooks });
    const app = await fx.app();
    await fx.settled(30_000);

    events.length = 0;
    expect((await app.inject({ method: 'PUT', url: '/v1/rules/channels/fake-a', headers: auth, payload: { buffer: 1 } })).statusCode).toBe(200);
    await fx.settled(30_000);
    expect(skus.every((s) => fake.quantities()[s] === 9)).toBe(true);
    const lags = events.flatMap((e) => e.items.filter((i) => i.ok && typeof i.lagMs === 'number').map((i) => i.lagMs!));
    expect(lags.length).toBeGreaterThanOrEqual(30);
    console.log(`[background lag] ${lags.length} pushes, max lag ${Math.max(...lags)} ms`);
    // Was: up to ~3 s (the last SKU waited for 29 calls before it), the channel "degraded".
    expect(Math.max(...lags)).toBeLessThan(1000);

    // A real change still counts from when it happened.
    events.length = 0;
    await fx.ledger.apply(ev.sale('BG-0', 1, 'amazon'));
    await fx.settled(10_000);
    expect(fake.quantities()['BG-0']).toBe(8);
  });
});
