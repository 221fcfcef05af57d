import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replayAudit } from '../../companion/src/ledger/replay';
import type { EventResult } from '../../companion/src/schemas/stock';
import { ev, ledgerFixture, type LedgerFixture } from './helpers';

let f: LedgerFixture;
beforeEach(async () => {
  f = await ledgerFixture();
});
afterEach(async () => {
  await f.t.cleanup();
});

const settled = (rs: PromiseSettledResult<EventResult>[]) => {
  const ok = rs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  return {
    rejected: rs.length - ok.length,
    applied: ok.filter((r) => r.status === 'applied'),
    duplicate: ok.filter((r) => r.status === 'duplicate'),
    refused: ok.filter((r) => r.status === 'refused'),
  };
};

describe('ledger under concurrency', () => {
  it('applies exactly 100 of 1,000 concurrent one-unit reservations from four sources against onHand 100', async () => {
    await f.ledger.apply(ev.set('HOT', 100));
    const sources = ['woocommerce', 'shopify', 'amazon', 'flipkart'];
    const ledgers = sources.map(() => f.another());
    const rs = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) =>
        ledgers[i % 4]!.apply(ev.reserve(`cart-${i}`, [{ sku: 'HOT', qty: 1 }], { source: sources[i % 4] })),
      ),
    );
    const s = settled(rs);
    expect(s.rejected).toBe(0);
    expect(s.applied).toHaveLength(100);
    expect(s.refused).toHaveLength(900);
    expect(s.refused.every((r) => r.code === 'insufficient_stock')).toBe(true);
    const state = await f.ledger.getStock('default', 'HOT');
    expect(state).toMatchObject({ onHand: 100, reserved: 100, committed: 0, available: 0, version: 101 });

    const replay = await replayAudit(f.t.redis, f.keys, 'default');
    expect(replay.gaps).toEqual([]);
    expect(replay.entries).toBe(101);
    expect(replay.stock.get('HOT')).toEqual({ onHand: 100, committed: 0, reserved: 100, version: 101 });
  });

  it('applies an event id sent 20 times at once exactly once and answers the other 19 with the first result', async () => {
    await f.ledger.apply(ev.receive('A', 10));
    const e = ev.reserve('cart-x', [{ sku: 'A', qty: 4 }]);
    const ledgers = [f.ledger, f.another(), f.another(), f.another()];
    const rs = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => ledgers[i % 4]!.apply(e)));
    const s = settled(rs);
    expect(s.applied).toHaveLength(1);
    expect(s.duplicate).toHaveLength(19);
    for (const d of s.duplicate) expect(d).toEqual({ ...s.applied[0], status: 'duplicate' });
    expect(await f.ledger.getStock('default', 'A')).toMatchObject({ reserved: 4, available: 6, version: 2 });
    const audit = await f.ledger.listAudit('default', { type: 'stock.reserved' });
    expect(audit.items).toHaveLength(1);
  });

  it('judges each event of a pipelined batch alone, in order', async () => {
    const results = await f.ledger.applyBatch([
      ev.receive('A', 2),
      ev.reserve('c1', [{ sku: 'A', qty: 2 }]),
      ev.reserve('c2', [{ sku: 'A', qty: 1 }]),
      ev.release('c1'),
      ev.reserve('c2', [{ sku: 'A', qty: 1 }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'refused', 'applied', 'applied']);
    expect(await f.ledger.getStock('default', 'A')).toMatchObject({ reserved: 1, available: 1 });
  });
});
