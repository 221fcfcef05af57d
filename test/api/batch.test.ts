import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFixture, events, type ApiFixture } from './helpers';

describe('batches over POST /v1/events', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('judges each event alone and answers 200 with applied, duplicate and every refusal code in order', async () => {
    const setup = events.set('BX-1', 10);
    const seeded = await f.post({ events: [setup, events.received('BX-2', 2)] });
    expect(seeded.statusCode).toBe(200);
    const version = seeded.json().results[0].stock[0].version;
    const hour = 3600_000;

    const batch = [
      events.reserved('cart-ok', [{ sku: 'BX-1', qty: 3 }]), // applied
      setup, // duplicate of the seeding event
      events.reserved('cart-big', [
        { sku: 'BX-1', qty: 5 },
        { sku: 'BX-2', qty: 3 },
      ]), // insufficient_stock on BX-2 only
      events.set('BX-1', 99, { occurredAt: new Date(Date.now() - hour).toISOString() }), // stale_event
      events.set('BX-1', 50, { expectedVersion: version + 40 }), // version_conflict
      events.released('cart-never-made'), // unknown_reservation
      events.cancelled('order-never-made'), // unknown_order
      events.confirmed('order-1', [{ sku: 'BX-1', qty: 1 }], { reservationId: 'cart-ok' }), // applied, converts the hold
    ];
    const res = await f.post({ events: batch });
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results.map((r: { id: string }) => r.id)).toEqual(batch.map((e) => e.id));
    expect(results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'applied',
      'duplicate',
      'insufficient_stock',
      'stale_event',
      'version_conflict',
      'unknown_reservation',
      'unknown_order',
      'applied',
    ]);
    expect(results[2]).toMatchObject({
      status: 'refused',
      details: { shortages: [{ sku: 'BX-2', requested: 3, available: 2 }] },
      message: expect.any(String),
    });
    // The refusals changed nothing: only the hold and its conversion did.
    const stock = (await f.admin('GET', '/v1/stock/BX-1')).json();
    expect(stock).toMatchObject({ onHand: 10, committed: 1, reserved: 0, available: 9 });
    expect((await f.admin('GET', '/v1/stock/BX-2')).json()).toMatchObject({ onHand: 2, reserved: 0 });
    const audit = (await f.admin('GET', '/v1/audit?limit=100')).json();
    expect(audit.items).toHaveLength(4); // set, received, reserved, confirmed
  });

  it('answers a resent batch with the first results as duplicates and applies nothing twice', async () => {
    const batch = [events.received('BD-1', 4), events.reserved('cart-d', [{ sku: 'BD-1', qty: 1 }])];
    const first = await f.post({ events: batch });
    const again = await f.post({ events: batch });
    expect(again.json().results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(again.json().results[0].stock).toEqual(first.json().results[0].stock);
    expect((await f.admin('GET', '/v1/stock/BD-1')).json()).toMatchObject({ onHand: 4, reserved: 1, version: 2 });
  });

  it('applies events of one batch in order, so later events see earlier ones', async () => {
    const res = await f.post({
      events: [
        events.received('BO-1', 1),
        events.reserved('cart-o', [{ sku: 'BO-1', qty: 1 }]),
        events.reserved('cart-p', [{ sku: 'BO-1', qty: 1 }]),
      ],
    });
    expect(res.json().results.map((r: { code?: string; status: string }) => r.code ?? r.status)).toEqual([
      'applied',
      'applied',
      'insufficient_stock',
    ]);
  });

  it('accepts a batch of exactly 500 events', async () => {
    const batch = Array.from({ length: 500 }, (_, i) => events.received(`B5-${i % 50}`, 1));
    const res = await f.post({ events: batch });
    expect(res.statusCode).toBe(200);
    expect(res.json().results.filter((r: { status: string }) => r.status === 'applied')).toHaveLength(500);
    expect((await f.admin('GET', '/v1/stock/B5-7')).json()).toMatchObject({ onHand: 10 });
  });
});
