/**
 * Property: any interleaving of every event type — with resent ids, several connections at once and
 * expiry sweeps — keeps the ledger's books straight.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayAudit } from '../../companion/src/ledger/replay';
import type { StockEvent } from '../../companion/src/schemas/events';
import type { EventResult } from '../../companion/src/schemas/stock';
import { ev, ledgerFixture } from './helpers';

const SKUS = ['A', 'B', 'C'];
const sku = fc.constantFrom(...SKUS);
const lines = fc.uniqueArray(fc.record({ sku, qty: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3, selector: (l) => l.sku });
const reservationId = fc.constantFrom('r1', 'r2', 'r3', 'r4');
const orderId = fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5');
const source = fc.constantFrom('woocommerce', 'manual', 'amazon', 'shopify');
const occurredAt = fc.constantFrom('now', 'now', 'now', 'past').map((w) => (w === 'past' ? '2020-01-01T00:00:00Z' : undefined));

type Op = { event: StockEvent } | { sweep: true };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ sku, qty: fc.integer({ min: 1, max: 8 }), at: occurredAt }).map((o) => ({ event: ev.receive(o.sku, o.qty, o.at ? { occurredAt: o.at } : {}) })),
  fc.record({ sku, set: fc.integer({ min: 0, max: 15 }), v: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }) }).map((o) => ({
    event: ev.set(o.sku, o.set, o.v === undefined ? {} : { expectedVersion: o.v }),
  })),
  fc.record({ sku, d: fc.integer({ min: -3, max: 5 }).filter((d) => d !== 0), at: occurredAt }).map((o) => ({ event: ev.delta(o.sku, o.d, o.at ? { occurredAt: o.at } : {}) })),
  fc.record({ r: reservationId, lines, source }).map((o) => ({ event: ev.reserve(o.r, o.lines, { source: o.source }) })),
  fc.record({ r: reservationId }).map((o) => ({ event: ev.release(o.r) })),
  fc.record({ o: orderId, lines, source, r: fc.option(reservationId, { nil: undefined }) }).map((o) => ({
    event: ev.confirm(o.o, o.lines, { source: o.source, ...(o.r ? { reservationId: o.r } : {}) }),
  })),
  fc.record({ o: orderId }).map((o) => ({ event: ev.cancel(o.o) })),
  fc.record({ o: orderId, lines: fc.option(lines, { nil: undefined }) }).map((o) => ({ event: ev.ship(o.o, o.lines ? { lines: o.lines } : {}) })),
  fc.constant({ sweep: true as const }),
);

// Each op goes to one of three connections (lanes run concurrently); some ops are sent twice.
const programArb = fc.record({
  ops: fc.array(fc.record({ op: opArb, lane: fc.integer({ min: 0, max: 2 }), resend: fc.boolean() }), { minLength: 5, maxLength: 40 }),
});

describe('ledger invariants (property)', () => {
  it('keeps available = onHand − committed − reserved, holds within stock and one audit entry per applied event', async () => {
    await fc.assert(
      fc.asyncProperty(programArb, async ({ ops }) => {
        const f = await ledgerFixture();
        try {
          const ledgers = [f.ledger, f.another(), f.another()];
          const results: EventResult[] = [];
          let swept = 0;
          const lanes = ledgers.map(async (ledger, lane) => {
            for (const { op, lane: l, resend } of ops) {
              if (l !== lane) continue;
              if ('sweep' in op) {
                // Not `swept += await …`: that reads `swept` before the await and loses a racing lane's count.
                const n = await ledger.sweepExpired(Date.now() + 3_600_000);
                swept += n;
                continue;
              }
              results.push(await ledger.apply(op.event));
              // The resend races on another connection.
              if (resend) results.push(await ledgers[(lane + 1) % 3]!.apply(op.event));
            }
          });
          await Promise.all(lanes);

          // Every state the ledger reports is self-consistent.
          for (const r of results) for (const s of r.stock) expect(s.available).toBe(s.onHand - s.committed - s.reserved);
          // An event id is applied at most once.
          const appliedIds = results.filter((r) => r.status === 'applied').map((r) => r.id);
          expect(new Set(appliedIds).size).toBe(appliedIds.length);

          const audit = await f.ledger.listAudit('default', { order: 'asc', limit: 1000 });
          expect(audit.items.filter((a) => !a.type.startsWith('channel.'))).toHaveLength(appliedIds.length + swept);
          for (const a of audit.items) {
            for (const line of a.lines) {
              expect(line.after!.reserved).toBeGreaterThanOrEqual(0);
              expect(line.after!.committed).toBeGreaterThanOrEqual(0);
              // A hold, or a store's own order, never takes a line below zero available, nor lower
              // when a marketplace sale already took it there (a hold kept or converted moves nothing).
              const guarded = a.type === 'stock.reserved' || (a.type === 'order.confirmed' && ['woocommerce', 'manual'].includes(a.source!));
              if (guarded && line.qty !== undefined) {
                const before = line.before!.onHand - line.before!.committed - line.before!.reserved;
                expect(line.after!.onHand - line.after!.committed - line.after!.reserved).toBeGreaterThanOrEqual(Math.min(0, before));
              }
            }
          }

          // The audit alone rebuilds the live state.
          const replay = await replayAudit(f.t.redis, f.keys, 'default');
          expect(replay.gaps).toEqual([]);
          const live = await f.ledger.getStockMany('default', SKUS);
          for (const s of live) {
            if (!s) continue;
            const { onHand, committed, reserved, version } = s;
            expect(replay.stock.get(s.sku)).toEqual({ onHand, committed, reserved, version });
          }

          // Draining every hold and order leaves nothing reserved or committed: no unit leaked.
          for (const r of ['r1', 'r2', 'r3', 'r4']) await f.ledger.apply(ev.release(r));
          for (const o of ['o1', 'o2', 'o3', 'o4', 'o5']) await f.ledger.apply(ev.cancel(o));
          for (const s of await f.ledger.getStockMany('default', SKUS)) {
            if (s) expect(s).toMatchObject({ reserved: 0, committed: 0, available: s.onHand });
          }
        } finally {
          await f.t.cleanup();
        }
      }),
      { numRuns: 30 },
    );
  });
});
