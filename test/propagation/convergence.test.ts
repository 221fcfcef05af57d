import { describe, expect, it } from 'vitest';
import type { StockEvent } from '../../companion/src/schemas/events';
import type { PushedEvent } from '../../companion/src/propagation/worker-hooks';
import { lastAcks, TENANT, useFixtures, versionsInOrder } from './helpers';

const SOURCES = ['woocommerce', 'shopify', 'amazon', 'flipkart'] as const;

/** A seeded generator so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomEvents(n: number, skus: string[], seed: number): StockEvent[] {
  const r = rng(seed);
  const pick = <T,>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const at = new Date().toISOString();
  const out: StockEvent[] = [];
  for (let i = 0; i < n; i++) {
    const sku = pick(skus);
    const source = pick(SOURCES);
    const k = r();
    const id = `e${seed}-${i}`;
    if (k < 0.25) out.push({ id, type: 'stock.received', source: 'woocommerce', occurredAt: at, sku, qty: 1 + Math.floor(r() * 10) } as StockEvent);
    else if (k < 0.35) out.push({ id, type: 'stock.adjusted', source: 'manual', occurredAt: at, sku, delta: Math.floor(r() * 7) - 3 || 1, reason: 'count' } as StockEvent);
    else out.push({ id, type: 'order.confirmed', source, occurredAt: at, orderId: `o${seed}-${i}`, lines: [{ sku, qty: 1 + Math.floor(r() * 2) }] } as StockEvent);
  }
  return out;
}

describe('propagation convergence', () => {
  const openFixture = useFixtures();

  it('brings every channel to the ledger projection after 10,000 random events over 200 SKUs from four sources, with two workers, no double push, and each acknowledged push audited', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'], limits: { batchSize: 50 } });
    const skus = Array.from({ length: 200 }, (_, i) => `SKU-${String(i).padStart(3, '0')}`);
    for (const f of fx.fakes) f.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(skus.map((sku, i) => ({ id: `init-${i}`, type: 'stock.received', source: 'woocommerce', occurredAt: new Date().toISOString(), sku, qty: 20 }) as StockEvent));
    const pushed: PushedEvent[] = [];
    // Two worker processes' worth of runtimes share the work.
    await fx.start({ hooks: { canPush: () => true, pushed: (e) => void pushed.push(e) } });
    await fx.start({ hooks: { canPush: () => true, pushed: (e) => void pushed.push(e) } });

    const events = randomEvents(10_000, skus, 42);
    const started = Date.now();
    for (let i = 0; i < events.length; i += 250) await fx.ledger.applyBatch(events.slice(i, i + 250));
    const appliedMs = Date.now() - started;
    await fx.settled(60_000);
    const elapsed = Date.now() - started;
    console.log(`[convergence] ledger applied 10,000 events in ${appliedMs} ms; every channel settled ${elapsed - appliedMs} ms later`);

    const want = await fx.projection(skus);
    for (const f of fx.fakes) {
      const got = f.quantities();
      expect(Object.fromEntries(skus.map((s) => [s, got[s]]))).toEqual(want);
      const acks = await lastAcks(fx, f.id);
      for (const s of skus) expect(acks.get(s)?.quantity, `${f.id} ${s}`).toBe(got[s]);
      // No double push: no (SKU, version) written twice, and versions only move forward.
      const written = f.writes().map((w) => `${w.sku}@${w.version}`);
      expect(new Set(written).size).toBe(written.length);
      expect(versionsInOrder(f.writes())).toBe(true);
      const st = f.stats();
      console.log(`[convergence] ${f.id}: ${events.length} events → ${st.writeCalls} push calls, ${st.rowsWritten} rows, settled in ${elapsed} ms`);
      // Coalescing: far fewer rows than events.
      expect(st.rowsWritten).toBeLessThan(events.length);
    }
    // Every acknowledged item reached the observer hook with its lag from the ledger change.
    const okItems = pushed.flatMap((e) => e.items.filter((i) => i.ok));
    expect(okItems.length).toBe(fx.fakes.reduce((n, f) => n + f.stats().rowsWritten, 0));
    expect(okItems.every((i) => typeof i.lagMs === 'number' && i.lagMs >= 0 && i.lagMs < 60_000)).toBe(true);
    const lags = okItems.map((i) => i.lagMs!).sort((x, y) => x - y);
    console.log(`[convergence] lag p50 ${lags[Math.floor(lags.length * 0.5)]} ms, p99 ${lags[Math.floor(lags.length * 0.99)]} ms (events applied as fast as the ledger takes them)`);
    const stock = await fx.ledger.getStockMany(TENANT, skus);
    expect(stock.every((s) => s !== null)).toBe(true);
  });
});
