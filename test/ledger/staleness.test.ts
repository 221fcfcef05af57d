/**
 * What the ledger refuses or keeps apart by time, version and identity: staleness against the last
 * absolute count, expectedVersion, unknown SKUs, refusals not remembered, deltas below zero.
 */
import { describe, expect, it } from 'vitest';
import { ev, iso, ledgerEachTest, type LedgerFixture } from './helpers';

let f: LedgerFixture;
ledgerEachTest((fixture) => (f = fixture));
const stock = (sku: string) => f.ledger.getStock('default', sku);

describe('staleness and version checks', () => {
  it('refuses a receipt or adjustment that happened before the last absolute count and changes nothing', async () => {
    const t0 = f.clock.ms;
    await f.ledger.apply(ev.set('A', 10, { occurredAt: iso(t0) }));
    const before = await stock('A');
    const late = await f.ledger.apply(ev.receive('A', 5, { occurredAt: iso(t0 - 1000) }));
    expect(late).toMatchObject({ status: 'refused', code: 'stale_event', details: { lastSetAt: iso(t0) } });
    const lateDelta = await f.ledger.apply(ev.delta('A', -2, { occurredAt: iso(t0 - 1) }));
    expect(lateDelta).toMatchObject({ status: 'refused', code: 'stale_event' });
    expect(await stock('A')).toEqual(before);
    expect(await f.ledger.apply(ev.receive('A', 5, { occurredAt: iso(t0 + 1) }))).toMatchObject({ status: 'applied' });
  });

  it('closes an order line shipped before the last count without taking the units off onHand twice', async () => {
    const t0 = f.clock.ms;
    await f.ledger.apply(ev.receive('A', 10, { occurredAt: iso(t0 - 5000) }));
    await f.ledger.apply(ev.receive('B', 10, { occurredAt: iso(t0 - 5000) }));
    await f.ledger.apply(ev.receive('C', 10, { occurredAt: iso(t0 - 5000) }));
    await f.ledger.apply(ev.confirm('o-1', [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 3 }, { sku: 'C', qty: 1 }], { occurredAt: iso(t0 - 4000) }));
    // Counts taken after the parcel left: A's shelf holds 8. C is counted as WooCommerce counts,
    // what is free to sell (9), which leaves the order's unit in committed. B is not counted.
    await f.ledger.apply(ev.set('A', 8, { occurredAt: iso(t0) }));
    await f.ledger.apply(ev.set('C', 9, { occurredAt: iso(t0), basis: 'available' }));
    expect(await stock('C')).toMatchObject({ onHand: 10, committed: 1 });
    const ship = await f.ledger.apply(ev.ship('o-1', { occurredAt: iso(t0 - 1000) }));
    expect(ship).toMatchObject({ status: 'applied' });
    expect(await stock('A')).toMatchObject({ onHand: 8, committed: 0, available: 8 });
    expect(await stock('B')).toMatchObject({ onHand: 7, committed: 0, available: 7 });
    expect(await stock('C')).toMatchObject({ onHand: 9, committed: 0, available: 9 });
    const [entry] = (await f.ledger.listAudit('default', { type: 'stock.shipped' })).items;
    expect(entry).toMatchObject({ orderId: 'o-1', reason: expect.stringMatching(/count of A, which/) });
    // A shipment after the count takes its units off as usual.
    await f.ledger.apply(ev.confirm('o-2', [{ sku: 'A', qty: 1 }], { occurredAt: iso(t0 + 100) }));
    await f.ledger.apply(ev.ship('o-2', { occurredAt: iso(t0 + 200) }));
    expect(await stock('A')).toMatchObject({ onHand: 7, committed: 0 });
  });

  it('judges staleness by no later than now, so a count dated in the future does not freeze its SKU', async () => {
    const t0 = f.clock.ms;
    // Dated a day ahead (a channel's or a sender's clock): counted as made now.
    expect(await f.ledger.apply(ev.set('A', 10, { occurredAt: iso(t0 + 86_400_000) }))).toMatchObject({ status: 'applied' });
    f.clock.ms = t0 + 1000;
    expect(await f.ledger.apply(ev.receive('A', 5, { occurredAt: iso(t0 + 500) }))).toMatchObject({ status: 'applied', stock: [{ onHand: 15 }] });
    expect(await f.ledger.apply(ev.set('A', 7, { occurredAt: iso(t0 + 900) }))).toMatchObject({ status: 'applied', stock: [{ onHand: 7 }] });
    // What happened before that count is still stale.
    expect(await f.ledger.apply(ev.receive('A', 1, { occurredAt: iso(t0 + 800) }))).toMatchObject({ status: 'refused', code: 'stale_event' });
    // A leap second is a time like any other.
    expect(await f.ledger.apply(ev.receive('A', 1, { occurredAt: '2026-12-31T23:59:60Z' }))).toMatchObject({ status: 'applied' });
  });

  it('refuses a hold or store sale of a SKU the ledger has never seen as unknown_sku, and records a marketplace sale of it', async () => {
    await f.ledger.apply(ev.set('A', 1));
    const hold = await f.ledger.apply(ev.reserve('cart-u', [{ sku: 'NEW', qty: 1 }]));
    expect(hold).toMatchObject({ status: 'refused', code: 'unknown_sku', details: { skus: ['NEW'] } });
    expect(hold.status === 'refused' && hold.message).toMatch(/no SKU NEW: send stock.received or stock.adjusted/);
    expect(await f.ledger.apply(ev.confirm('o-u', [{ sku: 'NEW', qty: 1 }, { sku: 'A', qty: 1 }]))).toMatchObject({ status: 'refused', code: 'unknown_sku', details: { skus: ['NEW'] } });
    // A known SKU short as well: the quantities left, every short line named.
    expect(await f.ledger.apply(ev.reserve('cart-v', [{ sku: 'A', qty: 2 }, { sku: 'NEW', qty: 1 }]))).toMatchObject({
      status: 'refused',
      code: 'insufficient_stock',
      details: { shortages: [{ sku: 'A', requested: 2, available: 1 }, { sku: 'NEW', requested: 1, available: 0 }] },
    });
    expect(await stock('NEW')).toBeNull();
    expect(await stock('A')).toMatchObject({ onHand: 1, reserved: 0, committed: 0, version: 1 });
    // A marketplace sale already happened: recorded, the SKU created oversold.
    expect(await f.ledger.apply(ev.confirm('amz-u', [{ sku: 'NEW', qty: 1 }], { source: 'amazon' }))).toMatchObject({ status: 'applied', stock: [{ sku: 'NEW', available: -1 }] });
  });

  it('lets a refused event id be retried later, because refusals are not remembered', async () => {
    await f.ledger.apply(ev.set('A', 0));
    const e = ev.reserve('cart', [{ sku: 'A', qty: 2 }]);
    expect(await f.ledger.apply(e)).toMatchObject({ status: 'refused', code: 'insufficient_stock' });
    await f.ledger.apply(ev.receive('A', 2));
    expect(await f.ledger.apply(e)).toMatchObject({ status: 'applied' });
  });

  it('refuses a delta that would leave fewer than no units on hand and changes nothing, on the fast and the general path', async () => {
    await f.ledger.apply(ev.set('A', 3));
    await f.ledger.apply(ev.set('P', 3));
    await f.ledger.setPaused('default', 'P', true, 'recall'); // a paused SKU takes the general path
    for (const sku of ['A', 'P']) {
      const before = await stock(sku);
      const audited = (await f.ledger.listAudit('default', { sku })).items.length;
      const r = await f.ledger.apply(ev.delta(sku, -5));
      expect(r).toMatchObject({ status: 'refused', code: 'insufficient_stock', details: { shortages: [{ sku, requested: 5, available: 3 }] } });
      expect(r.status === 'refused' && r.message).toMatch(/has 3 on hand.*at most 3/);
      expect(await stock(sku)).toEqual(before);
      expect((await f.ledger.listAudit('default', { sku })).items).toHaveLength(audited);
      // Down to exactly none is a count like any other.
      expect(await f.ledger.apply(ev.delta(sku, -3))).toMatchObject({ status: 'applied', stock: [{ onHand: 0 }] });
    }
    // A SKU the ledger has never seen is named as such (and a delta up creates it, as a receipt would).
    expect(await f.ledger.apply(ev.delta('NEW', -1))).toMatchObject({ status: 'refused', code: 'unknown_sku', details: { skus: ['NEW'] } });
    expect(await stock('NEW')).toBeNull();
    expect(await f.ledger.apply(ev.delta('NEW', 2))).toMatchObject({ status: 'applied', stock: [{ onHand: 2 }] });
  });

  it("sets what is free to sell with basis 'available': onHand becomes the count plus what is committed and held, on both paths", async () => {
    for (const sku of ['A', 'P']) {
      await f.ledger.apply(ev.set(sku, 10));
      await f.ledger.apply(ev.confirm(`o-${sku}`, [{ sku, qty: 2 }]));
      await f.ledger.apply(ev.reserve(`cart-${sku}`, [{ sku, qty: 1 }]));
    }
    await f.ledger.setPaused('default', 'P', true, 'recall'); // the general path
    for (const sku of ['A', 'P']) {
      // WooCommerce's stock field showed 7 (10 − 2 sold − 1 held); the owner typed 20.
      const r = await f.ledger.apply(ev.set(sku, 20, { basis: 'available', reason: 'woocommerce stock edit' }));
      expect(r).toMatchObject({ status: 'applied', stock: [{ onHand: 23, committed: 2, reserved: 1, available: 20 }] });
      // The same count as onHand (the default) is every unit held.
      expect(await f.ledger.apply(ev.set(sku, 20))).toMatchObject({ status: 'applied', stock: [{ onHand: 20, available: 17 }] });
    }
    // A SKU the ledger has never seen has nothing committed: the count is its onHand.
    expect(await f.ledger.apply(ev.set('NEW', 4, { basis: 'available' }))).toMatchObject({ status: 'applied', stock: [{ onHand: 4, available: 4 }] });
    await expect(f.ledger.apply(ev.delta('A', 1, { basis: 'available' }))).rejects.toMatchObject({ pointer: '/basis' });
  });

  it('refuses an adjustment whose expectedVersion is not the current version and changes nothing', async () => {
    await f.ledger.apply(ev.set('A', 10));
    await f.ledger.apply(ev.receive('A', 1));
    const r = await f.ledger.apply(ev.set('A', 3, { expectedVersion: 1 }));
    expect(r).toMatchObject({ status: 'refused', code: 'version_conflict', details: { expectedVersion: 1, version: 2 } });
    expect(await stock('A')).toMatchObject({ onHand: 11, version: 2 });
    expect(await f.ledger.apply(ev.set('A', 3, { expectedVersion: 2 }))).toMatchObject({ status: 'applied', stock: [{ onHand: 3, version: 3 }] });
  });
});
