import { describe, expect, it } from 'vitest';
import type { Incident } from '../../companion/src/schemas/stock';
import { ev, iso, ledgerEachTest, type LedgerFixture } from './helpers';

let f: LedgerFixture;
ledgerEachTest((fixture) => (f = fixture));
const stock = (sku: string) => f.ledger.getStock('default', sku);

describe('orders and holds', () => {
  it('treats a second cancel under another id and a ship after cancel as harmless', async () => {
    await f.ledger.apply(ev.receive('A', 10));
    await f.ledger.apply(ev.confirm('o1', [{ sku: 'A', qty: 4 }]));
    expect(await f.ledger.apply(ev.cancel('o1'))).toMatchObject({ status: 'applied', stock: [{ committed: 0, available: 10 }] });
    expect(await f.ledger.apply(ev.cancel('o1'))).toMatchObject({ status: 'duplicate', stock: [{ committed: 0, available: 10 }] });
    expect(await f.ledger.apply(ev.ship('o1'))).toMatchObject({ status: 'duplicate' });
    expect(await f.ledger.apply(ev.confirm('o1', [{ sku: 'A', qty: 4 }]))).toMatchObject({ status: 'duplicate' });
    expect(await stock('A')).toMatchObject({ onHand: 10, committed: 0, version: 3 });
  });

  it('ships part of an order, then the rest, never more than was sold', async () => {
    await f.ledger.apply(ev.receive('A', 10));
    await f.ledger.apply(ev.confirm('o1', [{ sku: 'A', qty: 4 }]));
    await f.ledger.apply(ev.ship('o1', { lines: [{ sku: 'A', qty: 1 }] }));
    expect(await stock('A')).toMatchObject({ onHand: 9, committed: 3 });
    // A SKU the order does not hold ships nothing, and the answer says what is still open.
    const other = await f.ledger.apply(ev.ship('o1', { lines: [{ sku: 'B', qty: 1 }] }));
    expect(other).toMatchObject({ status: 'duplicate', message: 'order o1 has nothing open to ship for the SKUs given; still open: A ×3' });
    await f.ledger.apply(ev.ship('o1', { lines: [{ sku: 'A', qty: 9 }] }));
    expect(await stock('A')).toMatchObject({ onHand: 6, committed: 0, available: 6 });
    // The capped line is said in the audit entry.
    const [last] = (await f.ledger.listAudit('default', { type: 'stock.shipped' })).items;
    expect(last!.reason).toBe('shipped only what the order still had open (A 9 asked, 3 open)');
    expect(await f.ledger.apply(ev.cancel('o1'))).toMatchObject({ status: 'duplicate' });
  });

  it('commits an order directly when its reservation already expired, counting the units once', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    await f.ledger.apply(ev.reserve('cart', [{ sku: 'A', qty: 3 }], { ttlSeconds: 60 }));
    f.clock.ms += 61_000;
    expect(await f.ledger.sweepExpired()).toBe(1);
    expect(await stock('A')).toMatchObject({ reserved: 0, available: 5 });
    const c = await f.ledger.apply(ev.confirm('o1', [{ sku: 'A', qty: 3 }], { reservationId: 'cart' }));
    expect(c).toMatchObject({ status: 'applied', stock: [{ onHand: 5, reserved: 0, committed: 3, available: 2 }] });
    const expired = await f.ledger.listAudit('default', { type: 'stock.released' });
    expect(expired.items).toHaveLength(1);
    expect(expired.items[0]).toMatchObject({ source: 'system', reason: 'expired', reservationId: 'cart' });
  });

  it('converts an expired hold the sweeper has not reached yet, and the sweeper then finds nothing to release', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    await f.ledger.apply(ev.reserve('cart', [{ sku: 'A', qty: 3 }], { ttlSeconds: 60 }));
    f.clock.ms += 61_000;
    const c = await f.ledger.apply(ev.confirm('o1', [{ sku: 'A', qty: 3 }], { reservationId: 'cart' }));
    expect(c.stock[0]).toMatchObject({ reserved: 0, committed: 3, available: 2 });
    expect(await f.ledger.sweepExpired()).toBe(0);
    expect(await stock('A')).toMatchObject({ reserved: 0, committed: 3, available: 2 });
  });

  it('confirms an order whose lines differ from its cart: the whole hold is dropped, the order lines committed', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    await f.ledger.apply(ev.receive('B', 5));
    await f.ledger.apply(ev.reserve('cart', [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }]));
    const c = await f.ledger.apply(ev.confirm('o1', [{ sku: 'A', qty: 3 }], { reservationId: 'cart' }));
    expect(c.status).toBe('applied');
    expect(await stock('A')).toMatchObject({ reserved: 0, committed: 3, available: 2 });
    expect(await stock('B')).toMatchObject({ reserved: 0, committed: 0, available: 5 });
    expect(await f.ledger.apply(ev.release('cart'))).toMatchObject({ status: 'refused', code: 'unknown_reservation' });
  });

  it('merges per-line marketplace confirmations of one order and skips a redelivered line', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    await f.ledger.apply(ev.receive('B', 5));
    await f.ledger.apply(ev.confirm('amz-9', [{ sku: 'A', qty: 1 }], { source: 'amazon', id: 'amazon:amz-9:A:Unshipped' }));
    await f.ledger.apply(ev.confirm('amz-9', [{ sku: 'B', qty: 2 }], { source: 'amazon', id: 'amazon:amz-9:B:Unshipped' }));
    const again = await f.ledger.apply(ev.confirm('amz-9', [{ sku: 'A', qty: 1 }], { source: 'amazon', id: 'amazon:amz-9:A:Unshipped-2' }));
    expect(again.status).toBe('duplicate');
    expect(await stock('A')).toMatchObject({ committed: 1 });
    await f.ledger.apply(ev.cancel('amz-9', { source: 'amazon' }));
    expect(await stock('A')).toMatchObject({ committed: 0, available: 5 });
    expect(await stock('B')).toMatchObject({ committed: 0, available: 5 });
  });

  it('replaces the lines of a live reservation when the same reservation id is reserved again', async () => {
    await f.ledger.apply(ev.receive('A', 3));
    await f.ledger.apply(ev.reserve('cart', [{ sku: 'A', qty: 3 }]));
    const r = await f.ledger.apply(ev.reserve('cart', [{ sku: 'A', qty: 2 }]));
    expect(r).toMatchObject({ status: 'applied', stock: [{ reserved: 2, available: 1 }] });
    await f.ledger.apply(ev.release('cart'));
    expect(await stock('A')).toMatchObject({ reserved: 0, available: 3 });
  });

  it('refuses a store order that would oversell but records a marketplace one and opens an incident', async () => {
    await f.ledger.apply(ev.receive('A', 2));
    expect(await f.ledger.apply(ev.confirm('w1', [{ sku: 'A', qty: 3 }]))).toMatchObject({
      status: 'refused',
      code: 'insufficient_stock',
      details: { shortages: [{ sku: 'A', requested: 3, available: 2 }] },
    });
    const m = await f.ledger.apply(ev.confirm('amz-1', [{ sku: 'A', qty: 5 }], { source: 'amazon' }));
    expect(m).toMatchObject({ status: 'applied', incidentId: expect.any(String), stock: [{ available: -3, paused: 'oversell' }] });
    const open = (await f.ledger.listIncidents('default', { status: 'open' })).items;
    expect(open).toEqual([
      expect.objectContaining({ id: m.incidentId, sku: 'A', status: 'open', oversoldUnits: 3, orders: [{ orderId: 'amz-1', source: 'amazon', qty: 5 }] }),
    ]);
    // Still negative: incident stays open and the SKU stays paused.
    await f.ledger.apply(ev.receive('A', 2));
    expect(await stock('A')).toMatchObject({ available: -1, paused: 'oversell' });
    // Back to zero: no unit is owed any more, which resolves it in the same step.
    const back = await f.ledger.apply(ev.receive('A', 1));
    expect(back.stock[0]).toMatchObject({ available: 0, paused: null });
    expect((await f.ledger.listIncidents('default', { status: 'open' })).items).toEqual([]);
    const [resolved] = (await f.ledger.listIncidents('default', { status: 'resolved' })).items;
    expect(resolved).toMatchObject({ id: m.incidentId, status: 'resolved', resolvedAt: iso(f.clock.ms) });
  });

  it('counts only the units an order took beyond what was there: a marketplace order converting its own hold adds none, and a cancelled order is marked in the incident', async () => {
    await f.ledger.apply(ev.receive('H', 1));
    // Amazon holds the last unit while its order is Pending; then Flipkart sells one more.
    await f.ledger.apply(ev.reserve('amz-hold', [{ sku: 'H', qty: 1 }], { source: 'amazon' }));
    const fk = await f.ledger.apply(ev.confirm('fk-1', [{ sku: 'H', qty: 1 }], { source: 'flipkart' }));
    expect(fk).toMatchObject({ status: 'applied', incidentId: expect.any(String), stock: [{ available: -1 }] });
    // Amazon's order is paid: it converts its hold, which oversells nothing more (was: "oversold by 2", both orders listed).
    const amz = await f.ledger.apply(ev.confirm('amz-1', [{ sku: 'H', qty: 1 }], { source: 'amazon', reservationId: 'amz-hold' }));
    expect(amz).toMatchObject({ status: 'applied', stock: [{ committed: 2, reserved: 0, available: -1 }] });
    let [incident] = (await f.ledger.listIncidents('default', { status: 'open' })).items;
    expect(incident).toMatchObject({ id: fk.incidentId, oversoldUnits: 1, orders: [{ orderId: 'fk-1', source: 'flipkart', qty: 1 }] });
    // Another sale oversells a second unit; cancelling one of the two listed orders marks it, and the incident stays open at -1.
    await f.ledger.apply(ev.confirm('fk-2', [{ sku: 'H', qty: 1 }], { source: 'flipkart' }));
    await f.ledger.apply(ev.cancel('fk-1', { source: 'flipkart' }));
    [incident] = (await f.ledger.listIncidents('default', { status: 'open' })).items;
    expect(incident).toMatchObject({
      oversoldUnits: 2,
      orders: [
        { orderId: 'fk-1', source: 'flipkart', qty: 1, cancelled: true },
        { orderId: 'fk-2', source: 'flipkart', qty: 1 },
      ],
    });
    expect(await stock('H')).toMatchObject({ available: -1, paused: 'oversell' });
    // Cancelling the other brings available back to 0: nothing is owed, the incident resolves.
    await f.ledger.apply(ev.cancel('fk-2', { source: 'flipkart' }));
    expect(await stock('H')).toMatchObject({ available: 0, paused: null });
    expect((await f.ledger.listIncidents('default', { status: 'open' })).items).toEqual([]);
  });

  it('keeps a store hold its units after a marketplace sale oversold the SKU: converting it, or reserving the same cart again, is applied; asking more than the hold is refused', async () => {
    await f.ledger.apply(ev.receive('G', 1));
    await f.ledger.apply(ev.reserve('checkout', [{ sku: 'G', qty: 1 }])); // the store's checkout guard holds the last unit
    const fk = await f.ledger.apply(ev.confirm('fk-9', [{ sku: 'G', qty: 1 }], { source: 'flipkart' }));
    expect(fk).toMatchObject({ status: 'applied', incidentId: expect.any(String), stock: [{ available: -1 }] });
    // The same cart reserved again keeps its unit; a bigger one asks a unit nobody has.
    expect(await f.ledger.apply(ev.reserve('checkout', [{ sku: 'G', qty: 1 }]))).toMatchObject({ status: 'applied', stock: [{ reserved: 1, available: -1 }] });
    expect(await f.ledger.apply(ev.reserve('checkout', [{ sku: 'G', qty: 2 }]))).toMatchObject({ status: 'refused', code: 'insufficient_stock' });
    // Paid: the store's order converts its hold (was: refused "1 ordered, 0 available", and once the
    // hold expired the store's sale was counted nowhere).
    const paid = await f.ledger.apply(ev.confirm('wc-9', [{ sku: 'G', qty: 1 }], { reservationId: 'checkout' }));
    expect(paid).toMatchObject({ status: 'applied', stock: [{ onHand: 1, committed: 2, reserved: 0, available: -1, paused: 'oversell' }] });
    const [incident] = (await f.ledger.listIncidents('default', { status: 'open' })).items;
    expect(incident).toMatchObject({ id: fk.incidentId, oversoldUnits: 1, orders: [{ orderId: 'fk-9', source: 'flipkart', qty: 1 }] });
  });

  it('records a store order taken on backorder (backorder: true) even when short, with an oversell incident, where the same order without it is refused', async () => {
    await f.ledger.apply(ev.receive('B', 1));
    const plain = await f.ledger.apply(ev.confirm('w-plain', [{ sku: 'B', qty: 3 }]));
    expect(plain).toMatchObject({ status: 'refused', code: 'insufficient_stock' });
    expect(await stock('B')).toMatchObject({ onHand: 1, committed: 0, available: 1 });
    const back = await f.ledger.apply(ev.confirm('w-back', [{ sku: 'B', qty: 3 }], { backorder: true }));
    expect(back).toMatchObject({ status: 'applied', incidentId: expect.any(String), stock: [{ onHand: 1, committed: 3, available: -2, paused: 'oversell' }] });
    const [incident] = (await f.ledger.listIncidents('default', { status: 'open' })).items;
    expect(incident).toMatchObject({ sku: 'B', oversoldUnits: 2, orders: [{ orderId: 'w-back', source: 'woocommerce', qty: 3, backorder: true }] });
    // A marketplace order in the same incident is not marked.
    await f.ledger.apply(ev.confirm('amz-b', [{ sku: 'B', qty: 1 }], { source: 'amazon' }));
    const [grown] = (await f.ledger.listIncidents('default', { status: 'open' })).items;
    expect(grown!.orders).toEqual([
      { orderId: 'w-back', source: 'woocommerce', qty: 3, backorder: true },
      { orderId: 'amz-b', source: 'amazon', qty: 1 },
    ]);
    // The flag changes only what happens when stock is short: within stock it is an ordinary order.
    await f.ledger.apply(ev.receive('C', 5));
    expect(await f.ledger.apply(ev.confirm('w-c', [{ sku: 'C', qty: 2 }], { backorder: true }))).toMatchObject({
      status: 'applied',
      stock: [{ available: 3, paused: null }],
    });
    expect((await f.ledger.listIncidents('default', { status: 'open' })).items).toHaveLength(1);
  });

  it('lists incidents newest first from a long history, by status, reading the newest ones', async () => {
    // 1,200 marketplace oversells of different SKUs: 1,200 incidents; every even one resolved again.
    const n = 1_200;
    await f.ledger.applyBatch(Array.from({ length: n }, (_, i) => ev.confirm(`amz-${i}`, [{ sku: `OV-${i}`, qty: 1 }], { source: 'amazon' })));
    await f.ledger.applyBatch(Array.from({ length: n / 2 }, (_, i) => ev.receive(`OV-${2 * i}`, 5)));
    const num = (id: string) => Number(id.slice(4));
    const all = (await f.ledger.listIncidents('default')).items;
    expect(all.map((i) => num(i.id))).toEqual(Array.from({ length: 100 }, (_, i) => n - i));
    const resolved = (await f.ledger.listIncidents('default', { status: 'resolved', limit: 1000 })).items;
    expect(resolved).toHaveLength(n / 2);
    expect(resolved.every((i) => i.status === 'resolved' && Number(i.sku.slice(3)) % 2 === 0)).toBe(true);
    expect(resolved.map((i) => num(i.id))).toEqual([...resolved.map((i) => num(i.id))].sort((a, b) => b - a));
    const open = (await f.ledger.listIncidents('default', { status: 'open', limit: 5 })).items;
    expect(open).toHaveLength(5);
    expect(open.every((i) => i.status === 'open')).toBe(true);
    expect(((await f.ledger.listIncidents('default', { limit: 1000 })).items).map((i) => num(i.id))).toEqual(Array.from({ length: 1000 }, (_, i) => n - i));
  });

  it('pages every incident, the resolved and the open ones with a cursor, newest first, each exactly once', async () => {
    const n = 1_200;
    await f.ledger.applyBatch(Array.from({ length: n }, (_, i) => ev.confirm(`amz-${i}`, [{ sku: `OV-${i}`, qty: 1 }], { source: 'amazon' })));
    await f.ledger.applyBatch(Array.from({ length: n / 2 }, (_, i) => ev.receive(`OV-${2 * i}`, 5)));
    const num = (id: string) => Number(id.slice(4));
    const pages = async (opts: { status?: 'open' | 'resolved'; limit: number }) => {
      const seen: Incident[][] = [];
      let cursor: string | undefined;
      do {
        const page = await f.ledger.listIncidents('default', { ...opts, cursor });
        seen.push(page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && seen.length < 50);
      return seen;
    };
    const all = await pages({ limit: 500 });
    expect(all.map((p) => p.length)).toEqual([500, 500, 200]);
    expect(all.flat().map((i) => num(i.id))).toEqual(Array.from({ length: n }, (_, i) => n - i));
    // SKU OV-k opened inc-(k+1); the even SKUs were resolved, i.e. the odd incident numbers.
    const resolved = await pages({ status: 'resolved', limit: 250 });
    expect(resolved.map((p) => p.length)).toEqual([250, 250, 100]);
    expect(resolved.flat().map((i) => num(i.id))).toEqual(Array.from({ length: n / 2 }, (_, i) => n - 1 - 2 * i));
    expect(resolved.flat().every((i) => i.status === 'resolved')).toBe(true);
    const open = await pages({ status: 'open', limit: 250 });
    expect(open.map((p) => p.length)).toEqual([250, 250, 100]);
    expect(open.flat().map((i) => num(i.id))).toEqual(Array.from({ length: n / 2 }, (_, i) => n - 2 * i));
    expect(open.flat().every((i) => i.status === 'open')).toBe(true);
  });

  it('pages open incidents stored before the open set was scored by id (by opening time) the same way', async () => {
    await f.ledger.applyBatch(Array.from({ length: 30 }, (_, i) => ev.confirm(`amz-${i}`, [{ sku: `OLD-${i}`, qty: 1 }], { source: 'amazon' })));
    // The first layout: scored by opening time in ms, several in the same ms, in no id order.
    const set = f.keys.openIncidents('default');
    const ids = await f.t.redis.zrange(set, '0', '-1');
    await f.t.redis.zadd(set, ...ids.flatMap((id, i) => [String(1_767_225_600_000 + ((i * 7) % 5)), id]));
    const first = await f.ledger.listIncidents('default', { status: 'open', limit: 20 });
    const rest = await f.ledger.listIncidents('default', { status: 'open', limit: 20, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((i) => Number(i.id.slice(4)))).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(rest.nextCursor).toBeNull();
    expect(await f.t.redis.zscore(set, 'inc-7')).toBe('7');
    // New incidents after the upgrade sort above the rescored ones.
    await f.ledger.apply(ev.confirm('amz-new', [{ sku: 'NEW-1', qty: 1 }], { source: 'amazon' }));
    expect((await f.ledger.listIncidents('default', { status: 'open', limit: 1 })).items[0]).toMatchObject({ id: 'inc-31', sku: 'NEW-1' });
  });

  it('resolves an oversell incident when the marketplace order is cancelled', async () => {
    await f.ledger.apply(ev.receive('A', 1));
    const m = await f.ledger.apply(ev.confirm('fk-1', [{ sku: 'A', qty: 2 }], { source: 'flipkart' }));
    expect(m.incidentId).toBeDefined();
    const c = await f.ledger.apply(ev.cancel('fk-1', { source: 'flipkart' }));
    expect(c.stock[0]).toMatchObject({ available: 1, paused: null });
    expect((await f.ledger.listIncidents('default', { status: 'open' })).items).toEqual([]);
  });

  it('pauses and relists a SKU by hand, audited and fed to propagation', async () => {
    await f.ledger.apply(ev.receive('A', 1));
    expect(await f.ledger.setPaused('default', 'A', true, 'recall')).toMatchObject({ paused: 'manual', version: 2 });
    expect(await f.ledger.setPaused('default', 'A', false, 'ok')).toMatchObject({ paused: null, version: 3 });
    const audit = await f.ledger.listAudit('default', { sku: 'A' });
    expect(audit.items.map((a) => a.type)).toEqual(['stock.relisted', 'stock.paused', 'stock.received']);
    await expect(f.ledger.setPaused('default', 'NOPE', true, 'x')).rejects.toMatchObject({ code: 'unknown_sku', statusCode: 404 });
  });
});

describe('tenants and reads', () => {
  it('keeps tenants apart and pages stock by prefix', async () => {
    for (const sku of ['shirt-s', 'shirt-m', 'shirt-l', 'mug']) await f.ledger.apply(ev.receive(sku, 1));
    await f.ledger.apply(ev.receive('shirt-s', 7, { tenant: 'other' }));
    expect(await f.ledger.getStock('other', 'shirt-s')).toMatchObject({ onHand: 7 });
    expect(await f.ledger.getStock('default', 'shirt-s')).toMatchObject({ onHand: 1 });
    const p1 = await f.ledger.listStock('default', { prefix: 'shirt-', limit: 2 });
    expect(p1.items.map((s) => s.sku)).toEqual(['shirt-l', 'shirt-m']);
    const p2 = await f.ledger.listStock('default', { prefix: 'shirt-', limit: 2, cursor: p1.nextCursor! });
    expect(p2).toMatchObject({ items: [{ sku: 'shirt-s' }], nextCursor: null });
    expect(await f.t.redis.smembers(f.keys.tenants())).toEqual(expect.arrayContaining(['default', 'other']));
  });

  it('judges the same event id separately per tenant', async () => {
    const e = ev.receive('A', 2);
    expect(await f.ledger.apply(e)).toMatchObject({ status: 'applied' });
    expect(await f.ledger.apply({ ...e, tenant: 'shop2' })).toMatchObject({ status: 'applied' });
    expect(await f.ledger.apply({ ...e, tenant: 'shop2' })).toMatchObject({ status: 'duplicate' });
    expect(await f.ledger.getStock('shop2', 'A')).toMatchObject({ onHand: 2, version: 1 });
  });

  it('filters and pages the audit newest first', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    await f.ledger.apply(ev.confirm('o1', [{ sku: 'A', qty: 1 }]));
    await f.ledger.apply(ev.confirm('o2', [{ sku: 'A', qty: 1 }]));
    f.clock.ms += 10_000;
    await f.ledger.apply(ev.cancel('o1'));
    const byOrder = await f.ledger.listAudit('default', { orderId: 'o1' });
    expect(byOrder.items.map((a) => a.type)).toEqual(['order.cancelled', 'order.confirmed']);
    const page1 = await f.ledger.listAudit('default', { limit: 3 });
    const page2 = await f.ledger.listAudit('default', { limit: 3, cursor: page1.nextCursor! });
    expect([...page1.items, ...page2.items].map((a) => a.orderId ?? '-')).toEqual(['o1', 'o2', 'o1', '-']);
    const recent = await f.ledger.listAudit('default', { from: f.clock.ms - 1 });
    expect(recent.items.map((a) => a.type)).toEqual(['order.cancelled']);
  });
});
