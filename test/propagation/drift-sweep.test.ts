import { describe, expect, it } from 'vitest';
import { startDriftSweep } from '../../companion/src/propagation/drift-sweep';
import { ev, useFixtures } from './helpers';

describe('drift sweep: what each channel really shows, read through the catalogue', () => {
  const openFixture = useFixtures();

  it('pushes back a channel showing more than it should at once, and one showing less only after the wait for a sale report', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed(['D1', 'D2', 'D3'].map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(['D1', 'D2', 'D3'].map((sku) => ev.received(sku, 10)));
    const rt = await fx.start({ settings: { unreportedSaleWaitMs: 300 } });
    await fx.settled();
    expect(a.quantities()).toEqual({ D1: 10, D2: 10, D3: 10 });

    // Behind Stockline's back: channel a lost its state and came back at 999 for D1, and shows 4 of D2
    // (maybe a sale whose order has not reached us). Nothing changes in the ledger.
    a.seed([{ sku: 'D1', quantity: 999 }, { sku: 'D2', quantity: 4 }]);
    const sweep = startDriftSweep(rt.core, { perMinute: 600, everyMs: 1_000, settleMs: 0 }); // 10 SKUs a pass, no timer of its own here
    try {
      const first = await sweep.round();
      expect(first.find((r) => r.channel === 'fake-a')).toEqual({ channel: 'fake-a', read: 3, pushedAgain: ['D1'], waiting: ['D2'] });
      expect(first.find((r) => r.channel === 'fake-b')).toEqual({ channel: 'fake-b', read: 3, pushedAgain: [], waiting: [] });
      await fx.settled();
      // Too much on sale: put right at once. Too little: left while its order may still come.
      expect(a.quantities()).toEqual({ D1: 10, D2: 4, D3: 10 });
      expect(b.quantities()).toEqual({ D1: 10, D2: 10, D3: 10 });

      // No order came within unreportedSaleWaitMs: the next pass pushes it over.
      await new Promise((r) => setTimeout(r, 400));
      const again = await sweep.round();
      expect(again.find((r) => r.channel === 'fake-a')).toMatchObject({ pushedAgain: ['D2'], waiting: [] });
      await fx.settled();
      expect(a.quantities()).toEqual({ D1: 10, D2: 10, D3: 10 });
    } finally {
      sweep.stop();
    }
  });
});
