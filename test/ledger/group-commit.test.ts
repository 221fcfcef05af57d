import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventCall, pauseCall, tenantKeys } from '../../companion/src/ledger/calls';
import { createGroupCommit } from '../../companion/src/ledger/group-commit';
import { parseReply } from '../../companion/src/ledger/ledger';
import { createScriptRunner } from '../../companion/src/ledger/scripts';
import type { StockEvent } from '../../companion/src/schemas/events';
import { ev, ledgerFixture, type LedgerFixture } from './helpers';

/** The audit entry of an event, without what differs between two otherwise equal events. */
async function entryOf(f: LedgerFixture, eventId: string) {
  const items = (await f.ledger.listAudit('default', { limit: 100 })).items;
  const e = items.find((x) => x.eventId === eventId);
  expect(e).toBeDefined();
  const { id: _id, eventId: _eventId, at: _at, occurredAt: _occurredAt, reservationId: _r, orderId: _o, ...rest } = e!;
  return { ...rest, lines: rest.lines.map(({ sku: _sku, ...line }) => line) };
}

describe('ledger group commit and fast path', () => {
  let f: LedgerFixture;
  beforeEach(async () => {
    // A fixed clock, so two events applied one after the other carry the same times.
    f = await ledgerFixture({ clock: true });
  });
  afterEach(async () => {
    await f.t.cleanup();
  });

  it('applies events handed over at the same moment in call order, each judged alone', async () => {
    await f.ledger.apply(ev.receive('A', 3));
    const results = await Promise.all([
      f.ledger.apply(ev.reserve('r1', [{ sku: 'A', qty: 2 }])),
      f.ledger.apply(ev.reserve('r2', [{ sku: 'A', qty: 2 }])),
      f.ledger.apply(ev.release('r1')),
      f.ledger.apply(ev.reserve('r3', [{ sku: 'A', qty: 3 }])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'refused', 'applied', 'applied']);
    expect(results[1]!.code).toBe('insufficient_stock');
    expect(await f.ledger.getStock('default', 'A')).toMatchObject({ onHand: 3, reserved: 3, available: 0, version: 4 });
  });

  it('sends a group once its events carry about 500 lines, so one call holds Redis for a bounded time', async () => {
    const skus = Array.from({ length: 300 }, (_, i) => `L${i}`);
    await f.ledger.applyBatch(skus.map((sku) => ev.receive(sku, 100)));
    const real = createScriptRunner(f.t.redis);
    await real.loadAll();
    // The same runner, counting what each call carries.
    const calls: { name: string; weight: number }[] = [];
    const counted = { ...real, runMany: (cs: Parameters<typeof real.runMany>[0]) => (cs.forEach((c) => calls.push({ name: c.name, weight: c.keys.length + c.args.length })), real.runMany(cs)) };
    const commits = createGroupCommit(counted);
    const ms = Date.now();
    const ctx = { keys: f.keys, tenant: 'default', nowMs: ms, nowIso: new Date(ms).toISOString(), idempotencyTtlSeconds: 60, fixed: tenantKeys(f.keys, 'default') };
    // Six holds of 300 lines each, handed over at once: 6 × ~610 keys and arguments.
    const holds = Array.from({ length: 6 }, (_, i) => ev.reserve(`big-${i}`, skus.map((sku) => ({ sku, qty: 1 }))));
    const replies = await Promise.all(holds.map((h) => commits.submit('default', eventCall(ctx, h))));
    expect(replies.map((r, i) => parseReply(r, holds[i]!.id, { event: holds[i]!, at: ctx.nowIso }).status)).toEqual(Array(6).fill('applied'));
    // Before: one call of all six (~3,700 keys and arguments). Now each hold goes alone (~610; two would pass the cap).
    expect(calls.map((c) => c.weight < 1_024)).toEqual(Array(6).fill(true));
    expect(await f.ledger.getStock('default', 'L7')).toMatchObject({ reserved: 6, available: 94 });
  });

  it('sends a pause queued right after events after them', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    const scripts = createScriptRunner(f.t.redis);
    await scripts.loadAll();
    const commits = createGroupCommit(scripts);
    const ms = Date.now();
    const ctx = { keys: f.keys, tenant: 'default', nowMs: ms, nowIso: new Date(ms).toISOString(), idempotencyTtlSeconds: 60, fixed: tenantKeys(f.keys, 'default') };
    const reserve = ev.reserve('r1', [{ sku: 'A', qty: 2 }]);
    const reserved = commits.submit('default', eventCall(ctx, reserve));
    const paused = commits.submit('default', pauseCall(ctx, 'A', true, 'stocktake'));
    expect(parseReply(await reserved, reserve.id, { event: reserve, at: ctx.nowIso }).stock[0]).toMatchObject({ version: 2 });
    expect(parseReply(await paused, 'p').stock[0]).toMatchObject({ reserved: 2, version: 3, paused: 'manual' });
  });

  it('fails only the event whose script raised an error, the others of its group are applied', async () => {
    await f.ledger.apply(ev.receive('A', 10));
    // A reservation record no script could have written: releasing it makes the script raise an error.
    await f.t.redis.hset(f.keys.reservation('default', 'broken'), 'lines', 'not json');
    const [first, broken, last] = await Promise.allSettled([
      f.ledger.apply(ev.reserve('ok1', [{ sku: 'A', qty: 1 }])),
      f.ledger.apply(ev.release('broken')),
      f.ledger.apply(ev.reserve('ok2', [{ sku: 'A', qty: 1 }])),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { status: 'applied' } });
    expect(broken).toMatchObject({ status: 'rejected', reason: { code: 'ledger_error' } });
    expect(last).toMatchObject({ status: 'fulfilled', value: { status: 'applied' } });
    expect(await f.ledger.getStock('default', 'A')).toMatchObject({ reserved: 2, version: 3 });
  });

  it('writes the same state and audit entry for a one-line event as for the same event in split lines', async () => {
    // One line on a plain SKU takes the scripts' fast path; the same quantity split over two lines
    // of one SKU takes the general path. Both must leave identical traces.
    await f.ledger.applyBatch([ev.receive('A', 10), ev.receive('B', 10)]);
    const pairs: [StockEvent, StockEvent][] = [
      [ev.reserve('ra', [{ sku: 'A', qty: 2 }]), ev.reserve('rb', [{ sku: 'B', qty: 1 }, { sku: 'B', qty: 1 }])],
      [ev.confirm('oa', [{ sku: 'A', qty: 3 }]), ev.confirm('ob', [{ sku: 'B', qty: 1 }, { sku: 'B', qty: 2 }])],
    ];
    for (const [one, split] of pairs) {
      const [a, b] = [await f.ledger.apply(one), await f.ledger.apply(split)];
      expect(a.status).toBe('applied');
      expect({ ...b, id: a.id, stock: b.stock.map((s) => ({ ...s, sku: 'A' })) }).toEqual(a);
      expect(await entryOf(f, split.id)).toEqual(await entryOf(f, one.id));
    }
    const [a, b] = await f.ledger.getStockMany('default', ['A', 'B']);
    expect({ ...b!, sku: 'A' }).toEqual(a);
  });

  it('refuses quantities that are not integers before anything is sent', async () => {
    await expect(f.ledger.apply(ev.reserve('r', [{ sku: 'A', qty: 1.5 }]))).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(f.ledger.apply(ev.delta('A', 0.5))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await f.ledger.getStock('default', 'A')).toBeNull();
  });
});
