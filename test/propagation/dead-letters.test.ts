import { describe, expect, it } from 'vitest';
import type { StockEvent } from '../../companion/src/schemas/events';
import { auth, TENANT, useFixtures } from './helpers';

const received = (sku: string, qty: number, id = `rcv-${sku}-${Math.random()}`) =>
  ({ id, type: 'stock.received', source: 'woocommerce', occurredAt: new Date().toISOString(), sku, qty }) as StockEvent;

describe('dead letters', () => {
  const openFixture = useFixtures();

  it('dead-letters a push the channel refuses for good, with its reason, and a retry from the API delivers it', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed([{ sku: 'BAD', quantity: 0 }, { sku: 'GOOD', quantity: 0 }]);
    a.setFaults({ rejectSkus: { BAD: 'title is too long for this marketplace' } });
    await fx.start();
    const app = await fx.app();
    await fx.ledger.applyBatch([received('BAD', 5), received('GOOD', 3)]);
    await fx.settled();

    expect(a.quantities()).toEqual({ BAD: 0, GOOD: 3 });
    expect(b.quantities()).toEqual({ BAD: 5, GOOD: 3 });
    const list = await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth });
    expect(list.statusCode).toBe(200);
    const { items } = list.json() as { items: { id: string; channel: string; sku: string; error: string; code: string; attempts: number }[] };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'fake-a', sku: 'BAD', code: 'validation', error: 'title is too long for this marketplace', attempts: 1 });

    // The audit says what was pushed and why it failed, readable through the ledger's audit API.
    const failed = await fx.ledger.listAudit(TENANT, { channel: 'fake-a', type: 'channel.failed' });
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]!.reason).toContain('title is too long');
    expect(failed.items[0]!.lines).toEqual([expect.objectContaining({ sku: 'BAD', quantity: 5 })]);
    const pushes = await fx.ledger.listAudit(TENANT, { channel: 'fake-a', type: 'channel.push' });
    expect(pushes.items.flatMap((e) => e.lines.map((l) => l.sku)).sort()).toEqual(['BAD', 'GOOD']);

    // Kept: nothing retries it on its own, it does not expire.
    await fx.settled();
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=fake-a', headers: auth })).json().items).toHaveLength(1);

    a.setFaults({ rejectSkus: {} });
    const retry = await app.inject({ method: 'POST', url: `/v1/dead-letters/${items[0]!.id}/retry`, headers: auth });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ retried: 1 });
    await fx.settled();
    expect(a.quantities().BAD).toBe(5);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items).toEqual([]);
  });

  it('dead-letters an unlisted SKU as not_found and counts each failed attempt; retry-all and discard work', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'LISTED', quantity: 0 }]);
    await fx.start();
    const app = await fx.app();
    await fx.ledger.apply(received('UNLISTED', 2));
    await fx.settled();
    await fx.ledger.apply(received('UNLISTED', 1));
    await fx.settled();
    let items = (await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sku: 'UNLISTED', code: 'not_found', attempts: 2 });

    // Still unlisted: retry-all tries again and the letter stays, one attempt more.
    const all = await app.inject({ method: 'POST', url: '/v1/dead-letters/retry', headers: auth, payload: { channel: 'fake-a' } });
    expect(all.json()).toEqual({ retried: 1 });
    await fx.settled();
    items = (await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items;
    expect(items[0]).toMatchObject({ attempts: 3 });

    const del = await app.inject({ method: 'DELETE', url: `/v1/dead-letters/${items[0].id}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items).toEqual([]);
    expect((await app.inject({ method: 'DELETE', url: `/v1/dead-letters/${items[0].id}`, headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters' })).statusCode).toBe(401);
  });

  it('dead-letters every item of a call the channel refuses with an auth error', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'X1', quantity: 0 }, { sku: 'X2', quantity: 0 }]);
    fx.fakes[0]!.setFaults({ authFailure: true });
    await fx.start();
    await fx.ledger.applyBatch([received('X1', 1), received('X2', 2)]);
    await fx.settled();
    const page = await fx.runtimes[0]!.core.dead.list(TENANT);
    expect(page.items.map((d) => [d.sku, d.code]).sort()).toEqual([['X1', 'auth'], ['X2', 'auth']]);
  });
});
