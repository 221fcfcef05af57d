import { describe, expect, it } from 'vitest';
import { ev, useFixtures } from './helpers';

describe("a channel's own budget (ChannelAdapter.readyInMs)", () => {
  const openFixture = useFixtures();

  it('waits for the budget before claiming, so the SKUs that changed meanwhile go out together in one push', async () => {
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 100 } });
    const [fake] = fx.fakes;
    const skus = Array.from({ length: 40 }, (_, i) => `B-${i}`);
    fake!.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(skus.map((sku) => ev.received(sku, 10)));
    // The channel's budget (as Shopify's cost mirror would say) is spent until `openAt`.
    let openAt = 0;
    const adapter = { ...fx.adapters[0]!, readyInMs: () => Math.max(0, openAt - Date.now()) };
    await fx.start({ adapters: [adapter] });
    await fx.settled();
    const before = fake!.stats().writeCalls;

    openAt = Date.now() + 800;
    // Forty changes spread over the closed window, each on its own SKU.
    for (const sku of skus) {
      await fx.ledger.apply(ev.sale(sku, 1, 'woocommerce'));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(Date.now()).toBeLessThan(openAt);
    expect(fake!.stats().writeCalls - before).toBe(0);
    await fx.settled();

    const calls = fake!.stats().writeCalls - before;
    console.log(`[channel-budget] 40 changes while the budget was spent → ${calls} push call(s) once it refilled`);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2);
    for (const sku of skus) expect(fake!.quantities()[sku]).toBe(9);
  });
});
