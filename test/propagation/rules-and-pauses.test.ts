import { describe, expect, it } from 'vitest';
import { shownQuantity, mergeRules } from '../../companion/src/propagation/rules';
import type { StockEvent } from '../../companion/src/schemas/events';
import { auth, ev, TENANT, useFixtures } from './helpers';

describe('shown quantity', () => {
  const state = (available: number, paused: 'oversell' | 'manual' | null = null) =>
    ({ sku: 'X', onHand: available, committed: 0, reserved: 0, available, version: 1, updatedAt: null, paused });

  it('applies buffer, then percent (rounded down), then the maximum, never below 0', () => {
    expect(shownQuantity(state(10), {})).toBe(10);
    expect(shownQuantity(state(10), { buffer: 3 })).toBe(7);
    expect(shownQuantity(state(10), { buffer: 3, percent: 50 })).toBe(3);
    expect(shownQuantity(state(10), { maxShown: 4 })).toBe(4);
    expect(shownQuantity(state(2), { buffer: 5 })).toBe(0);
    expect(shownQuantity(state(-3), {})).toBe(0);
  });

  it('shows 0 while paused (oversell or manual) or when the SKU is gone', () => {
    expect(shownQuantity(state(10, 'oversell'), {})).toBe(0);
    expect(shownQuantity(state(10, 'manual'), {})).toBe(0);
    expect(shownQuantity(null, {})).toBe(0);
  });

  it('lets the more specific rule win field by field', () => {
    expect(mergeRules({ buffer: 2, maxShown: 50 }, { buffer: 1 }, { percent: 10 })).toEqual({ buffer: 1, maxShown: 50, percent: 10 });
  });
});

describe('rules and pauses on live channels', () => {
  const openFixture = useFixtures();

  it('follows channel and SKU rules set through the API, and reports shown vs expected in GET /v1/sync', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed([{ sku: 'P1', quantity: 0 }, { sku: 'P2', quantity: 0 }]);
    await fx.ledger.applyBatch([ev.received('P1', 20), ev.received('P2', 100)]);
    await fx.start();
    const app = await fx.app();
    await fx.settled();
    expect(a.quantities()).toEqual({ P1: 20, P2: 100 });

    const put1 = await app.inject({ method: 'PUT', url: '/v1/rules/channels/fake-a', headers: auth, payload: { buffer: 2 } });
    expect(put1.statusCode).toBe(200);
    const put2 = await app.inject({ method: 'PUT', url: '/v1/rules/skus/P2', headers: auth, payload: { maxShown: 30 } });
    expect(put2.statusCode).toBe(200);
    const put3 = await app.inject({ method: 'PUT', url: '/v1/rules/skus/P1', headers: auth, payload: { channel: 'fake-b', percent: 50 } });
    expect(put3.statusCode).toBe(200);
    await fx.settled();

    expect(a.quantities()).toEqual({ P1: 18, P2: 30 });
    expect(b.quantities()).toEqual({ P1: 10, P2: 30 });
    const rules = (await app.inject({ method: 'GET', url: '/v1/rules', headers: auth })).json();
    expect(rules).toEqual({ channels: { 'fake-a': { buffer: 2 } }, skus: { P2: { '*': { maxShown: 30 } }, P1: { 'fake-b': { percent: 50 } } } });

    const sync = (await app.inject({ method: 'GET', url: '/v1/sync?skus=P1,P2', headers: auth })).json();
    expect(sync.items[0]).toMatchObject({ sku: 'P1', channels: { 'fake-a': { shown: 18, expected: 18, matches: true }, 'fake-b': { shown: 10, expected: 10, matches: true } } });
    expect(typeof sync.items[0].channels['fake-a'].at).toBe('string');
    // Each cell carries the SKU's own rule on that channel (the admin page's stop/sell-again), not the channel-wide or all-channel one.
    expect(sync.items[0].channels['fake-b'].skuRule).toEqual({ percent: 50 });
    expect([sync.items[0].channels['fake-a'].skuRule, sync.items[1].channels['fake-a'].skuRule]).toEqual([undefined, undefined]);

    // Stopped on one channel: a SKU rule of maxShown 0 there; the other channel keeps selling it.
    await app.inject({ method: 'PUT', url: '/v1/rules/skus/P1', headers: auth, payload: { channel: 'fake-b', percent: 50, maxShown: 0, maxShownBeforeStop: 7 } });
    await fx.settled();
    expect([a.quantities().P1, b.quantities().P1]).toEqual([18, 0]);
    // The cap kept aside travels with the rule (the page puts it back) and shapes nothing meanwhile.
    const stopped = (await app.inject({ method: 'GET', url: '/v1/sync?skus=P1', headers: auth })).json();
    expect(stopped.items[0].channels['fake-b'].skuRule).toEqual({ percent: 50, maxShown: 0, maxShownBeforeStop: 7 });
    await app.inject({ method: 'PUT', url: '/v1/rules/skus/P1', headers: auth, payload: { channel: 'fake-b', percent: 50 } });
    await fx.settled();
    expect([a.quantities().P1, b.quantities().P1]).toEqual([18, 10]);

    expect((await app.inject({ method: 'PUT', url: '/v1/rules/channels/nope', headers: auth, payload: { buffer: 1 } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PUT', url: '/v1/rules/channels/fake-a', headers: auth, payload: { percent: 150 } })).statusCode).toBe(400);
  });

  it('refuses a SKU rule naming a channel it does not run: 400 with pointer /channel and the channels, no rule stored', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    await fx.start({ role: 'api' });
    const app = await fx.app();
    const bad = await app.inject({ method: 'PUT', url: '/v1/rules/skus/P1', headers: auth, payload: { channel: 'ebay', buffer: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      code: 'invalid_request',
      pointer: '/channel',
      message: expect.stringMatching(/^\/channel "ebay" is not a known channel — use one of fake-a, fake-b/),
    });
    expect((await app.inject({ method: 'GET', url: '/v1/rules', headers: auth })).json()).toEqual({ channels: {}, skus: {} });
    // A path naming no channel is a resource that is not there: still 404.
    expect((await app.inject({ method: 'PUT', url: '/v1/rules/channels/ebay', headers: auth, payload: { buffer: 1 } })).statusCode).toBe(404);
    // A path part longer than the router takes is named as a channel id, not a SKU.
    const long = await app.inject({ method: 'PUT', url: `/v1/rules/channels/${'x'.repeat(2000)}`, headers: auth, payload: { buffer: 1 } });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toBe('A part of the path is too long (a channel id has at most 32 characters) — check the URL');
  });

  it('shows 0 everywhere during an oversell incident and the real number once stock returns; same for a manual pause', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    for (const f of fx.fakes) f.seed([{ sku: 'OV', quantity: 0 }]);
    await fx.ledger.apply(ev.received('OV', 1));
    await fx.start();
    await fx.settled();
    for (const f of fx.fakes) expect(f.quantities().OV).toBe(1);

    // Two marketplaces sell the last unit: the second sale oversells and pauses the SKU.
    await fx.ledger.apply(ev.sale('OV', 1, 'amazon'));
    await fx.ledger.apply(ev.sale('OV', 1, 'flipkart'));
    expect((await fx.ledger.getStock(TENANT, 'OV'))!.paused).toBe('oversell');
    await fx.ledger.apply(ev.received('OV', 1));
    await fx.settled();
    for (const f of fx.fakes) expect(f.quantities().OV).toBe(0);

    await fx.ledger.apply(ev.received('OV', 5));
    expect((await fx.ledger.getStock(TENANT, 'OV'))!.paused).toBeNull();
    await fx.settled();
    for (const f of fx.fakes) expect(f.quantities().OV).toBe(5);

    await fx.ledger.setPaused(TENANT, 'OV', true, 'photo shoot');
    await fx.settled();
    for (const f of fx.fakes) expect(f.quantities().OV).toBe(0);
    await fx.ledger.setPaused(TENANT, 'OV', false, 'back');
    await fx.settled();
    for (const f of fx.fakes) expect(f.quantities().OV).toBe(5);
  });

  it('puts a paused or buffered SKU right on the channel where someone typed a count, though we told it that number before', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed([{ sku: 'PZ', quantity: 0 }, { sku: 'BF', quantity: 0 }]);
    await fx.ledger.applyBatch([ev.received('PZ', 10), ev.received('BF', 20)]);
    await fx.start();
    const app = await fx.app();
    await app.inject({ method: 'PUT', url: '/v1/rules/channels/fake-a', headers: auth, payload: { buffer: 2 } });
    await fx.ledger.setPaused(TENANT, 'PZ', true, 'photo shoot');
    await fx.settled();
    expect(a.quantities()).toEqual({ PZ: 0, BF: 18 });

    // Someone types counts in fake-a's own screen: it shows them, and reports them as edits.
    a.seed([{ sku: 'PZ', quantity: 30 }, { sku: 'BF', quantity: 20 }]);
    const typed = (sku: string, set: number) =>
      ({ id: `typed-${sku}-${Math.random()}`, type: 'stock.adjusted', source: 'fake-a', occurredAt: new Date().toISOString(), sku, set, basis: 'available', reason: 'typed in the store' }) as StockEvent;
    await fx.ledger.applyBatch([typed('PZ', 30), typed('BF', 20)]);
    await fx.settled();
    // Still paused: 0; the buffer still holds back 2 of the 20 typed.
    expect(a.quantities()).toEqual({ PZ: 0, BF: 18 });
    expect(b.quantities()).toEqual({ PZ: 0, BF: 20 });
  });
  it('puts a paused or capped SKU right on the channel that put a cancelled order\'s units back on sale itself', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed([{ sku: 'PC', quantity: 0 }, { sku: 'CAP', quantity: 0 }]);
    await fx.ledger.applyBatch([ev.received('PC', 6), ev.received('CAP', 12)]);
    await fx.start();
    const app = await fx.app();
    await app.inject({ method: 'PUT', url: '/v1/rules/skus/CAP', headers: auth, payload: { channel: 'fake-a', maxShown: 5 } });
    await fx.settled();
    expect(a.quantities()).toEqual({ PC: 6, CAP: 5 });

    // fake-a sells 2 of each (its own count goes down), then the SKU PC is paused.
    a.seed([{ sku: 'PC', quantity: 4 }, { sku: 'CAP', quantity: 3 }]);
    const pc = ev.sale('PC', 2, 'fake-a');
    const cap = ev.sale('CAP', 2, 'fake-a');
    await fx.ledger.applyBatch([pc, cap]);
    await fx.ledger.setPaused(TENANT, 'PC', true, 'photo shoot');
    await fx.settled();
    expect(a.quantities()).toEqual({ PC: 0, CAP: 5 });

    // Both orders are cancelled on fake-a, which puts their units back on sale itself (0 + 2, 5 + 2).
    a.seed([{ sku: 'PC', quantity: 2 }, { sku: 'CAP', quantity: 7 }]);
    const cancel = (orderId: string) =>
      ({ id: `cxl-${orderId}`, type: 'order.cancelled', source: 'fake-a', occurredAt: new Date().toISOString(), orderId }) as StockEvent;
    await fx.ledger.applyBatch([cancel((pc as { orderId: string }).orderId), cancel((cap as { orderId: string }).orderId)]);
    await fx.settled();
    // What Stockline wants shown did not change (paused: 0; capped: 5), yet fake-a is told again.
    expect(a.quantities()).toEqual({ PC: 0, CAP: 5 });
    expect(b.quantities()).toEqual({ PC: 0, CAP: 12 });
  });
});
