import { describe, expect, it } from 'vitest';
import { startDriftSweep } from '../../companion/src/propagation/drift-sweep';
import { syncKeys } from '../../companion/src/propagation/sync-keys';
import { ev, useFixtures } from './helpers';

describe('drift sweep: what each channel really shows, read through the catalogue', () => {
  const openFixture = useFixtures();

  it('pushes back a channel showing more than it should at once, and one showing less only after the wait for a sale report', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed(['D1', 'D2', 'D3'].map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(['D1', 'D2', 'D3'].map((sku) => ev.received(sku, 10)));
    const rt = await fx.start({ settings: { unreportedSaleWaitMs: 1_500 } });
    await fx.settled();
    expect(a.quantities()).toEqual({ D1: 10, D2: 10, D3: 10 });

    // Behind Stockline's back: channel a lost its state and came back at 999 for D1, shows 4 of D2
    // (maybe a sale whose order has not reached us), and has no listing for D3 any more.
    a.seed([{ sku: 'D1', quantity: 999 }, { sku: 'D2', quantity: 4 }]);
    a.unlist(['D3']);
    const sweep = startDriftSweep(rt.core, { perMinute: 600, everyMs: 1_000, settleMs: 0 }); // 10 SKUs a pass, no timer of its own here
    try {
      const t0 = Date.now();
      const first = await sweep.round();
      expect(first.find((r) => r.channel === 'fake-a')).toEqual({ channel: 'fake-a', read: 3, pushedAgain: ['D1'], waiting: ['D2'], notListed: ['D3'] });
      expect(first.find((r) => r.channel === 'fake-b')).toEqual({ channel: 'fake-b', read: 3, pushedAgain: [], waiting: [], notListed: [] });
      // Too much on sale: put right at once. Too little: left while its order may still come.
      for (const t = Date.now(); a.quantities().D1 !== 10 && Date.now() - t < 5_000; ) await new Promise((r) => setTimeout(r, 20));
      expect(a.quantities()).toMatchObject({ D1: 10, D2: 4 });
      expect(b.quantities()).toEqual({ D1: 10, D2: 10, D3: 10 });
      // Not listed any more: no longer believed to show 10.
      const sync = (await rt.core.syncStatus('default', ['D3']))[0]!.channels['fake-a']!;
      expect(sync).toMatchObject({ shown: null, matches: false });

      // No order came within unreportedSaleWaitMs: a recheck queued by the sweep pushes it over, not a whole pass later.
      await fx.settled();
      expect(a.quantities().D2).toBe(10);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500);
    } finally {
      sweep.stop();
    }
  });

  it('reads SKUs whose push the channel accepted for later (Amazon) once long past, and leaves alone a SKU whose push is on its way', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const [a] = fx.fakes as [typeof fx.fakes[0]];
    a.seed(['E1', 'E2'].map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(['E1', 'E2'].map((sku) => ev.received(sku, 10)));
    const rt = await fx.start();
    await fx.settled();
    const k = syncKeys(fx.keys, 'default', 'fake-a');
    // E1's last push was accepted for later, 10 s ago (no `l`: Amazon's ACCEPTED). Before, such SKUs were never read.
    const e1 = JSON.parse((await fx.t.redis.hget(k.acked, 'E1'))!) as { v: number };
    await fx.t.redis.hset(k.acked, 'E1', JSON.stringify({ q: 10, v: e1.v, at: Date.now() - 10_000 }));
    // E2 has a push on its way (dirty): what the channel shows now is not to be judged.
    await fx.t.redis.zadd(k.dirty, Date.now(), 'E2');
    a.seed([{ sku: 'E1', quantity: 999 }, { sku: 'E2', quantity: 3 }]);
    const sweep = startDriftSweep(rt.core, { perMinute: 600, everyMs: 1_000, settleMs: 1_000 });
    try {
      const [round] = await sweep.round();
      expect(round).toEqual({ channel: 'fake-a', read: 1, pushedAgain: ['E1'], waiting: [], notListed: [] });
      await fx.settled();
      // E2 untouched by the sweep: its own push (queued in life; only marked dirty here) is its business.
      expect(a.quantities()).toEqual({ E1: 10, E2: 3 });
      // One pass per everyMs whatever the number of processes: a second at once does nothing.
      expect(await sweep.round()).toEqual([]);
    } finally {
      sweep.stop();
    }
  });
});
