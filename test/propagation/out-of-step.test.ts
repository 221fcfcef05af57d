import { describe, expect, it } from 'vitest';
import { outOfStep } from '../../companion/src/propagation/out-of-step';
import { auth, ev, useFixtures } from './helpers';

describe('GET /v1/sync/out-of-step: the SKUs some channel does not show what it should', () => {
  const openFixture = useFixtures();

  it('lists only them, in SKU order, paged by cursor, with a bounded scan per request', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const skus = Array.from({ length: 30 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    for (const f of fx.fakes) f.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(skus.map((sku) => ev.received(sku, 5)));
    const rt = await fx.start();
    const app = await fx.app();
    await fx.settled();
    // Channel a refuses two SKUs for good: their next change does not get there.
    fx.fakes[0]!.setFaults({ rejectSkus: { S05: 'title too long', S17: 'title too long' } });
    await fx.ledger.applyBatch(skus.map((sku) => ev.received(sku, 1)));
    await fx.settled();

    const page = async (cursor?: string) =>
      (await app.inject({ method: 'GET', url: `/v1/sync/out-of-step?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: auth })).json();
    const first = await page();
    expect(first.items.map((i: { state: { sku: string } }) => i.state.sku)).toEqual(['S05']);
    expect(first.items[0].channels['fake-a']).toMatchObject({ shown: 5, expected: 6, matches: false });
    expect(first.items[0].channels['fake-b']).toMatchObject({ matches: true });
    const second = await page(first.nextCursor);
    expect(second.items.map((i: { state: { sku: string } }) => i.state.sku)).toEqual(['S17']);
    const third = await page(second.nextCursor);
    expect(third).toEqual({ items: [], nextCursor: null, scanned: 12 });

    // One request looks at no more than scanMax SKUs, and says where to go on.
    const bounded = await outOfStep(rt.core, 'default', { limit: 25, scanMax: 10 });
    expect(bounded).toMatchObject({ items: [expect.objectContaining({ state: expect.objectContaining({ sku: 'S05' }) })], nextCursor: 'S09', scanned: 10 });
    expect((await app.inject({ method: 'GET', url: '/v1/sync/out-of-step?limit=0', headers: auth })).statusCode).toBe(400);
  });
});
