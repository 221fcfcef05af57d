/**
 * The whole loop for Amazon and Flipkart on real pieces: shoppers buy on both sandboxes, orders
 * come back through each channel's own reporting (ORDER_CHANGE queue + getOrders; shipments
 * filter) into the real ledger exactly once, and propagation pushes the new counts to both
 * channels until every sandbox shows what the ledger says.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { amazonSandboxConfig, createAmazonChannel, startAmazonSandbox } from '../../companion/src/channels/amazon';
import { createFlipkartChannel, flipkartSandboxConfig, startFlipkartSandbox } from '../../companion/src/channels/flipkart';
import type { EventSink } from '../../companion/src/channels/port';
import type { SandboxHandle } from '../../companion/src/channels/sandbox-kit/types';
import { seededRng, startShopper } from '../../companion/src/channels/shopper';
import { createKeys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import { shownQuantity } from '../../companion/src/propagation/rules';
import { startPropagation } from '../../companion/src/propagation/runtime';
import type { StockEvent } from '../../companion/src/schemas/events';
import { createTestRedis } from '../support/redis';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('Amazon + Flipkart loop', () => {
  it('ingests every accepted order once and converges both channels on the ledger', async () => {
    const t = await createTestRedis();
    closers.push(() => t.cleanup());
    const keys = createKeys({ prefix: t.prefix });
    const ledger = createLedger({ redis: t.redis, keys });
    await ledger.ready();
    const skus = ['LOOP-A', 'LOOP-B', 'LOOP-C'];
    const at = new Date().toISOString();
    await ledger.applyBatch(skus.map((sku): StockEvent => ({ id: `seed-${sku}`, type: 'stock.received', source: 'manual', occurredAt: at, sku, qty: 30 })));

    const amazon = await startAmazonSandbox({ applyDelayMs: 20, pendingMs: 50, ordersLagMs: 200 });
    const flipkart = await startFlipkartSandbox();
    closers.push(() => amazon.close(), () => flipkart.close());
    for (const s of [amazon, flipkart]) s.seed(skus.map((sku) => ({ sku, quantity: 30 })));

    const deps = { redis: t.redis, keys, tenant: 'default' };
    const amazonModule = createAmazonChannel(amazonSandboxConfig(amazon, { ingestion: { pollIntervalMs: 300, initialLookbackMs: 60_000 } }), deps);
    const flipkartModule = createFlipkartChannel(flipkartSandboxConfig(flipkart, { ingestion: { pollIntervalMs: 100, initialLookbackMs: 60_000 } }), deps);
    const runtime = await startPropagation({
      redis: t.connect(),
      connection: () => t.connect(),
      keys,
      ledger,
      channels: [amazonModule, flipkartModule],
      config: { keyPrefix: t.prefix, tenants: { default: {} }, propagation: { rateOverrides: {} } },
      logger: pino({ level: 'silent' }),
      role: 'all',
      settings: { coalesceMs: 2, backoff: { baseMs: 100, maxMs: 1000 }, itemRetryDelayMs: 50, readBlockMs: 200 },
    });
    closers.push(() => runtime.close());
    const sink: EventSink = (events) => ledger.applyBatch(events);
    const stops = [await amazonModule.ingestion.start!(sink), await flipkartModule.ingestion.start!(sink)];
    closers.push(async () => Promise.all(stops.map((s) => s())));

    // Count what each channel really sold, so the ledger can be checked against it.
    const sold: Record<string, number> = { amazon: 0, flipkart: 0 };
    const counting = (h: SandboxHandle): SandboxHandle => ({
      ...h,
      placeOrder: async (sku, qty) => {
        const r = await h.placeOrder(sku, qty);
        if (r.accepted) sold[h.channel]! += qty;
        return r;
      },
    });
    const shopper = startShopper({ sandboxes: [counting(amazon), counting(flipkart)], skus, ordersPerSecond: 25, rng: seededRng(11) });
    await vi.waitFor(() => expect(shopper.stats().accepted).toBeGreaterThanOrEqual(30), { timeout: 10_000, interval: 50 });
    await shopper.stop();
    expect(sold.amazon).toBeGreaterThan(0);
    expect(sold.flipkart).toBeGreaterThan(0);

    // Every unit sold is in the ledger once (Amazon orders end Unshipped: committed, not held).
    await vi.waitFor(async () => {
      const states = await ledger.getStockMany('default', skus);
      const committed = states.reduce((n, s) => n + s!.committed, 0);
      const reserved = states.reduce((n, s) => n + s!.reserved, 0);
      expect({ committed, reserved }).toEqual({ committed: sold.amazon! + sold.flipkart!, reserved: 0 });
    }, { timeout: 15_000, interval: 100 });

    // And both channels show what the ledger says.
    await vi.waitFor(async () => {
      const states = await ledger.getStockMany('default', skus);
      const want = Object.fromEntries(skus.map((s, i) => [s, shownQuantity(states[i] ?? null, {})]));
      expect(amazon.quantities()).toEqual(want);
      expect(flipkart.quantities()).toEqual(want);
    }, { timeout: 15_000, interval: 100 });
  });
});
