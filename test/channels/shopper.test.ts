/**
 * The shopper simulator places small random orders on every sandbox at about the asked rate;
 * sandboxes accept only what their local stock allows, so stock moves and never goes negative.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAmazonSandbox } from '../../companion/src/channels/amazon';
import { startFlipkartSandbox } from '../../companion/src/channels/flipkart';
import type { SandboxHandle } from '../../companion/src/channels/sandbox-kit/types';
import { seededRng, startShopper } from '../../companion/src/channels/shopper';

const open: SandboxHandle[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('shopper simulator', () => {
  it('places orders on every channel at about the asked rate, and each sandbox decrements what it accepted', async () => {
    const amazon = await startAmazonSandbox({ pendingMs: 10 });
    const flipkart = await startFlipkartSandbox();
    open.push(amazon, flipkart);
    const skus = ['A', 'B', 'C'];
    for (const s of open) s.seed(skus.map((sku) => ({ sku, quantity: 1000 })));
    const started = Date.now();
    const shopper = startShopper({ sandboxes: open, skus, ordersPerSecond: 100, rng: seededRng(7) });
    await vi.waitFor(() => expect(shopper.stats().accepted).toBeGreaterThanOrEqual(60), { timeout: 5000, interval: 20 });
    await shopper.stop();
    const stats = shopper.stats();
    const perSecond = stats.placed / ((Date.now() - started) / 1000);
    expect(perSecond).toBeGreaterThan(30);
    expect(perSecond).toBeLessThan(300);
    expect(stats.errors).toBe(0);
    expect(stats.refused).toBe(0);
    expect(stats.byChannel.amazon!.accepted).toBeGreaterThan(10);
    expect(stats.byChannel.flipkart!.accepted).toBeGreaterThan(10);
    for (const s of open) {
      const sold = Object.values(s.quantities()).reduce((n, q) => n + (1000 - q), 0);
      expect(s.stats().ordersAccepted).toBe(stats.byChannel[s.channel]!.accepted);
      // Orders are for 1 or 2 units.
      expect(sold).toBeGreaterThanOrEqual(s.stats().ordersAccepted);
      expect(sold).toBeLessThanOrEqual(2 * s.stats().ordersAccepted);
    }
    // Stopped means stopped: nothing more is placed.
    const placed = stats.placed;
    await new Promise((r) => setTimeout(r, 100));
    expect(shopper.stats().placed).toBe(placed);
  });

  it('gets refusals once a channel runs out, and never drives a quantity below zero', async () => {
    const flipkart = await startFlipkartSandbox();
    open.push(flipkart);
    flipkart.seed([{ sku: 'LAST', quantity: 5 }]);
    const shopper = startShopper({ sandboxes: [flipkart], skus: ['LAST'], ordersPerSecond: 200, rng: seededRng(3), maxQty: 1 });
    await vi.waitFor(() => expect(shopper.stats().refused).toBeGreaterThan(3), { timeout: 5000, interval: 20 });
    await shopper.stop();
    expect(shopper.stats().accepted).toBe(5);
    expect(flipkart.quantities().LAST).toBe(0);
  });

  it('places nothing at rate 0', async () => {
    const amazon = await startAmazonSandbox();
    open.push(amazon);
    amazon.seed([{ sku: 'A', quantity: 5 }]);
    const shopper = startShopper({ sandboxes: [amazon], skus: ['A'], ordersPerSecond: 0 });
    await shopper.stop();
    expect(shopper.stats().placed).toBe(0);
    expect(amazon.quantities().A).toBe(5);
  });
});
