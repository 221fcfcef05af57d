import { describe, expect, it } from 'vitest';
import type { PushHooks, PushedEvent } from '../../companion/src/propagation/worker-hooks';
import { ev, TENANT, until, useFixtures, versionsInOrder } from './helpers';

// 3 s by default to keep the suite quick; STOCKLINE_OUTAGE_MS=30000 runs the 30 s outage.
const OUTAGE_MS = Number(process.env.STOCKLINE_OUTAGE_MS ?? 3000);

describe('channel outage', () => {
  const openFixture = useFixtures();

  it(`loses nothing while a channel is down for ${OUTAGE_MS / 1000} s and converges after it returns`, { timeout: OUTAGE_MS + 60_000 }, async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [down, up] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    const skus = Array.from({ length: 30 }, (_, i) => `O-${i}`);
    for (const f of fx.fakes) f.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    const events: PushedEvent[] = [];
    const hooks: PushHooks = { canPush: () => true, pushed: (e) => void events.push(e) };
    await fx.start({ hooks, settings: { backoff: { baseMs: 200, maxMs: Math.min(30_000, OUTAGE_MS / 2) } } });

    const outageEnds = Date.now() + OUTAGE_MS;
    down.setFaults({ outageForMs: OUTAGE_MS });
    await fx.ledger.applyBatch(skus.map((s) => ev.received(s, 20)));
    await until(() => events.some((e) => e.channel === down.id && e.callError), 5000, 'a failed call to the channel that is down');
    // More changes keep arriving during the outage.
    await fx.ledger.applyBatch(skus.map((s, i) => ev.sale(s, 1 + (i % 3), 'amazon')));
    await fx.settled(OUTAGE_MS + 45_000);
    // The healthy channel did not wait for the one that was down: it had every SKU before the
    // first value got through to the other (order of acknowledgements, not wall-clock).
    const firstDownAck = events.findIndex((e) => e.channel === down.id && e.items.some((i) => i.ok));
    expect(firstDownAck).toBeGreaterThan(0);
    const upBefore = new Set(events.slice(0, firstDownAck).filter((e) => e.channel === up.id).flatMap((e) => e.items.filter((i) => i.ok).map((i) => i.sku)));
    expect(upBefore.size).toBe(skus.length);
    expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
    const want = await fx.projection(skus);
    for (const f of fx.fakes) expect(Object.fromEntries(skus.map((s) => [s, f.quantities()[s]]))).toEqual(want);
    expect(versionsInOrder(down.writes())).toBe(true);
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toEqual([]);
    const failed = events.filter((e) => e.channel === down.id && e.callError).length;
    console.log(`[outage] ${OUTAGE_MS} ms outage: ${failed} failed calls to ${down.id}, then converged`);
  });
});
