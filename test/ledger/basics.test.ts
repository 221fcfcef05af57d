import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev, ledgerFixture, type LedgerFixture } from './helpers';

let f: LedgerFixture;
beforeEach(async () => {
  f = await ledgerFixture();
});
afterEach(async () => {
  await f.t.cleanup();
});

const stock = async (sku: string) => f.ledger.getStock('default', sku);

describe('ledger basics', () => {
  it('receives, reserves, confirms from the reservation and ships, keeping available exact', async () => {
    expect((await f.ledger.apply(ev.receive('A', 10))).status).toBe('applied');
    const r = await f.ledger.apply(ev.reserve('cart-1', [{ sku: 'A', qty: 3 }]));
    expect(r.status).toBe('applied');
    expect(r.stock[0]).toMatchObject({ sku: 'A', onHand: 10, reserved: 3, committed: 0, available: 7, version: 2 });
    const c = await f.ledger.apply(ev.confirm('o-1', [{ sku: 'A', qty: 3 }], { reservationId: 'cart-1' }));
    expect(c.stock[0]).toMatchObject({ onHand: 10, reserved: 0, committed: 3, available: 7, version: 3 });
    const s = await f.ledger.apply(ev.ship('o-1'));
    expect(s.stock[0]).toMatchObject({ onHand: 7, reserved: 0, committed: 0, available: 7, version: 4 });
    expect(await stock('A')).toMatchObject({ onHand: 7, available: 7, version: 4, paused: null });
  });

  it('refuses a reservation that would make any line negative and changes nothing', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    await f.ledger.apply(ev.receive('B', 1));
    const r = await f.ledger.apply(ev.reserve('cart-1', [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 2 }]));
    expect(r).toMatchObject({ status: 'refused', code: 'insufficient_stock', details: { shortages: [{ sku: 'B', requested: 2, available: 1 }] } });
    expect(await stock('A')).toMatchObject({ reserved: 0, version: 1 });
    expect(await stock('B')).toMatchObject({ reserved: 0, version: 1 });
  });

  it('returns the first result for a repeated event id and applies it once', async () => {
    const e = ev.receive('A', 4);
    const first = await f.ledger.apply(e);
    const again = await f.ledger.apply(e);
    expect(again).toEqual({ ...first, status: 'duplicate' });
    expect(await stock('A')).toMatchObject({ onHand: 4, version: 1 });
  });

  it('refuses release and cancel of unknown holds and orders', async () => {
    expect(await f.ledger.apply(ev.release('nope'))).toMatchObject({ status: 'refused', code: 'unknown_reservation', stock: [] });
    expect(await f.ledger.apply(ev.cancel('nope'))).toMatchObject({ status: 'refused', code: 'unknown_order' });
    expect(await f.ledger.apply(ev.ship('nope'))).toMatchObject({ status: 'refused', code: 'unknown_order' });
  });

  it('writes one audit entry and one change-feed entry per applied event', async () => {
    await f.ledger.apply(ev.receive('A', 2));
    await f.ledger.apply(ev.reserve('c', [{ sku: 'A', qty: 5 }])); // refused
    await f.ledger.apply(ev.delta('A', -1));
    const audit = await f.ledger.listAudit('default', {});
    expect(audit.items.map((a) => a.type)).toEqual(['stock.adjusted', 'stock.received']);
    expect(audit.items[0]!.lines[0]).toMatchObject({ sku: 'A', before: { onHand: 2 }, after: { onHand: 1 }, version: 2 });
    const changes = await f.t.redis.xrange(f.keys.changes('default'), '-', '+');
    expect(changes).toHaveLength(2);
    expect(changes[1]![1]).toEqual(expect.arrayContaining(['type', 'stock.adjusted', 'skus', '["A"]']));
  });

  it('keeps SKUs and reasons with quotes, backslashes, slashes and non-ASCII intact in results and audit', async () => {
    const sku = 'Tee "Größe" M\\/L ✓';
    const r = await f.ledger.apply(ev.delta(sku, 3, { reason: 'line1\nline2 "quoted"' }));
    expect(r).toMatchObject({ status: 'applied', stock: [{ sku, onHand: 3 }] });
    const [entry] = (await f.ledger.listAudit('default', { sku })).items;
    expect(entry).toMatchObject({ reason: 'line1\nline2 "quoted"', lines: [{ sku, qty: 3 }] });
    expect((await f.ledger.listStock('default', { prefix: 'Tee "Gr' })).items.map((s) => s.sku)).toEqual([sku]);
    const changes = await f.t.redis.xrange(f.keys.changes('default'), '-', '+');
    const skus = changes[0]![1][changes[0]![1].indexOf('skus') + 1]!;
    expect(JSON.parse(skus)).toEqual([sku]);
  });

  it('rejects ids that are not JSON-safe before anything is written', async () => {
    await expect(f.ledger.apply(ev.receive('A', 1, { id: 'bad"id' }))).rejects.toMatchObject({ code: 'invalid_request', statusCode: 400 });
    await expect(f.ledger.apply(ev.cancel('o\\1'))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await stock('A')).toBeNull();
  });
});
