import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '../../companion/src/channels/fake/adapter';
import { auth, ev, startWithStock, TENANT, until, useFixtures } from './helpers';

describe("a channel's own sales", () => {
  const openFixture = useFixtures();

  it('are expected by the next compare-and-set once the ledger records them: no conflict, and the channel gets the new number', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes;
    await startWithStock(fx, 'S', 10);
    expect(a!.quantities().S).toBe(10);
    const staleBefore = a!.stats().staleRows;

    // Channel A sells 3 units in three orders (it lowers its own number) and reports each one,
    // then stock arrives, so A must be told a new number.
    for (let i = 0; i < 3; i++) {
      a!.seed([{ sku: 'S', quantity: 9 - i }]);
      await fx.ledger.apply(ev.sale('S', 1, 'fake-a'));
    }
    await fx.ledger.apply(ev.received('S', 5));
    await until(() => a!.quantities().S === 12 && b!.quantities().S === 12, 5000, 'both channels to show 12');
    await fx.settled();
    // Expecting what we last told A (10) would meet a conflict (it shows 7) and, taken for an
    // unreported sale, hold A at 7 until the next ledger change.
    expect(a!.stats().staleRows).toBe(staleBefore);
    expect(a!.quantities().S).toBe(12);
  });

  it('are put right when the ledger ends where we last told the channel (a sale, then a return of as many)', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const a = fx.fakes[0]!;
    await startWithStock(fx, 'S', 10);
    // A sells 1 and reports it; at once 1 unit comes back into stock: the ledger says 10 again.
    a.seed([{ sku: 'S', quantity: 9 }]);
    await fx.ledger.applyBatch([ev.sale('S', 1, 'fake-a'), ev.received('S', 1)]);
    await until(() => a.quantities().S === 10, 5000, 'the channel to show 10 again');
    expect(a.quantities().S).toBe(10);
  });

  it('are expected below 0 on a store whose count goes there: a hold pushed off, then the paid order reduced again, gets the ledger\'s number at once', async () => {
    // The trial: an order set back to Pending (its 3 units held, WooCommerce told 7), Shopify sold
    // 5 (told 2), the order paid again with 4 units: WooCommerce reduced 2 → −2 while the ledger
    // says 1. Expecting 0 met −2, was taken for 2 unreported sales, and WooCommerce waited 5 min.
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes;
    for (const f of fx.fakes) f.seed([{ sku: 'PE', quantity: 0 }]);
    await fx.ledger.apply(ev.received('PE', 10));
    const adapters = fx.fakes.map((f, i) => createFakeAdapter({ id: f.id, url: f.url, token: f.token, limits: f.limits, timeoutMs: 5000, showsBelowZero: i === 0 }));
    await fx.start({ adapters });
    await fx.settled();
    const at = () => new Date().toISOString();
    await fx.ledger.apply({ id: 'pe-hold', type: 'stock.reserved', source: 'fake-a', occurredAt: at(), reservationId: 'pe:hold.2', lines: [{ sku: 'PE', qty: 3 }], ttlSeconds: 86400 });
    await fx.ledger.apply(ev.sale('PE', 5, 'fake-b'));
    b!.seed([{ sku: 'PE', quantity: 2 }]);
    await until(() => a!.quantities().PE === 2, 5000, 'the store to be told 2');
    await fx.settled();

    a!.seed([{ sku: 'PE', quantity: -2 }]); // the store reduces 4 for the order paid again
    await fx.ledger.apply({ id: 'pe-paid', type: 'order.confirmed', source: 'fake-a', occurredAt: at(), orderId: 'pe.2', reservationId: 'pe:hold.2', lines: [{ sku: 'PE', qty: 4 }] });
    expect(await fx.ledger.getStock(TENANT, 'PE')).toMatchObject({ onHand: 10, committed: 9, reserved: 0, available: 1 });
    await until(() => a!.quantities().PE === 1, 5000, 'the store to show the ledger\'s 1');
    expect(a!.quantities().PE).toBe(1);
  });

  it('leave a channel that sold below 0 (a store taking backorders) where it is, and give it the restock once stock comes', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const a = fx.fakes[0]!;
    await startWithStock(fx, 'BO', 1);
    expect(a.quantities().BO).toBe(1);
    // The store takes an order of 3 on backorder: its own count goes to -2, and the sale (a fact,
    // recorded although short) leaves the ledger at available -2, paused for the oversell.
    a.seed([{ sku: 'BO', quantity: -2 }]);
    await fx.ledger.apply(ev.sale('BO', 3, 'fake-a'));
    await fx.settled();
    expect(await fx.ledger.getStock(TENANT, 'BO')).toMatchObject({ available: -2, paused: 'oversell' });
    // Told 0 it would forget the 2 units it owes (a restock typed there would count them again).
    expect(a.quantities().BO).toBe(-2);
    // …and that is in step: nothing to sell either way.
    const app = await fx.app();
    const sync = await app.inject({ method: 'GET', url: '/v1/sync?skus=BO', headers: auth });
    expect(sync.statusCode, sync.body).toBe(200);
    expect(sync.json().items[0].channels['fake-a']).toMatchObject({ shown: -2, expected: 0, matches: true });
    // Five units arrive: the ledger has 3 free, and so must the store.
    await fx.ledger.apply(ev.received('BO', 5));
    await until(() => a.quantities().BO === 3, 5000, 'the store to show the 3 units free after the restock');
    expect(a.quantities().BO).toBe(3);
  });
});
