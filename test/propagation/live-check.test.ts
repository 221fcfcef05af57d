import { describe, expect, it } from 'vitest';
import { auth, ev, useFixtures } from './helpers';

describe('POST /v1/sync/:sku/check: what each channel shows now, read from it', () => {
  const openFixture = useFixtures();

  it('finds a channel whose count was changed there (GET /v1/sync still says "last set 10 ✓") and pushes it back to what it should show', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed([{ sku: 'D1', quantity: 0 }]);
    await fx.ledger.applyBatch([ev.received('D1', 10)]);
    await fx.start();
    const app = await fx.app();
    await fx.settled();
    expect([a.quantities().D1, b.quantities().D1]).toEqual([10, 10]);

    // Someone types 50 on channel a; Stockline's memory of what it set there is unchanged.
    a.seed([{ sku: 'D1', quantity: 50 }]);
    const believed = (await app.inject({ method: 'GET', url: '/v1/sync?skus=D1', headers: auth })).json();
    expect(believed.items[0].channels['fake-a']).toMatchObject({ shown: 10, matches: true });

    const res = await app.inject({ method: 'POST', url: '/v1/sync/D1/check', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sku: 'D1',
      channels: {
        'fake-a': { shown: 50, expected: 10, matches: false, pushedAgain: true },
        'fake-b': { shown: 10, expected: 10, matches: true, pushedAgain: false },
      },
    });
    await fx.settled();
    expect([a.quantities().D1, b.quantities().D1]).toEqual([10, 10]);
    // Not listed on a channel: said, not pushed (nothing to correct there).
    b.unlist(['D1']);
    const again = (await app.inject({ method: 'POST', url: '/v1/sync/D1/check', headers: auth })).json();
    expect(again.channels['fake-b']).toEqual({ shown: null, expected: 10, matches: false, pushedAgain: false });
    // And the page no longer says it shows 10 there.
    const after = (await app.inject({ method: 'GET', url: '/v1/sync?skus=D1', headers: auth })).json();
    expect(after.items[0].channels['fake-b']).toMatchObject({ shown: null, matches: false });
    expect((await app.inject({ method: 'POST', url: '/v1/sync/D1/check' })).statusCode).toBe(401);
  });
});
