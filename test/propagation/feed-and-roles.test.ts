import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../companion/src/propagation/backoff';
import { FEED_GROUP } from '../../companion/src/propagation/feed-consumer';
import type { PushHooks } from '../../companion/src/propagation/worker-hooks';
import { auth, ev, TENANT, until, useFixtures } from './helpers';

describe('retry backoff', () => {
  it('doubles from 1 s up to 30 s, plus at most 20 % jitter', () => {
    const s = { baseMs: 1000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelay(n, s, () => 0))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffDelay(2, s, () => 0.999)).toBeLessThanOrEqual(4800);
    expect(backoffDelay(2, s, () => 0.5)).toBe(4400);
  });
});

describe('change feed and roles', () => {
  const openFixture = useFixtures();

  it('takes over change-feed entries a crashed consumer read but never acknowledged', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'C1', quantity: 0 }]);
    await fx.ledger.apply(ev.received('C1', 4));
    // A consumer that read the entry and died before acknowledging it.
    const stream = fx.keys.changes(TENANT);
    await fx.t.redis.xgroup('CREATE', stream, FEED_GROUP, '0', 'MKSTREAM');
    const read = (await fx.t.redis.xreadgroup('GROUP', FEED_GROUP, 'dead-consumer', 'COUNT', 10, 'STREAMS', stream, '>')) as unknown[];
    expect(read).toHaveLength(1);
    await fx.start({ settings: { claimIdleMs: 50 } });
    await fx.settled();
    expect(fx.fakes[0]!.quantities().C1).toBe(4);
    const pending = (await fx.t.redis.xpending(stream, FEED_GROUP)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it('consumes every tenant’s change feed, including tenants that appear while it runs', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'D1', quantity: 0 }, { sku: 'N1', quantity: 0 }]);
    await fx.start({ settings: { readBlockMs: 100 } });
    await fx.ledger.apply(ev.received('D1', 3));
    await fx.ledger.apply({ ...ev.received('N1', 6), tenant: 'newcomer' });
    const core = fx.runtimes[0]!.core;
    await until(async () => (await core.acked('newcomer', 'fake-a', ['N1'])).get('N1')?.q === 6, 10_000, 'the new tenant’s push to be acknowledged');
    await fx.settled();
    expect(fx.fakes[0]!.quantities()).toEqual({ D1: 3, N1: 6 });
  });

  it('delays (does not fail) pushes while the breaker says no, then delivers', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'B1', quantity: 0 }]);
    let open = true;
    let asked = 0;
    const hooks: PushHooks = {
      canPush: () => {
        asked++;
        return !open;
      },
      pushed: () => undefined,
    };
    const rt = await fx.start({ hooks, settings: { breakerRecheckMs: 50 } });
    let failed = 0;
    rt.workers[0]!.on('failed', () => failed++);
    await fx.ledger.apply(ev.received('B1', 3));
    await until(() => asked >= 3, 5000, 'the breaker to be asked again');
    expect(fx.fakes[0]!.stats().calls).toBe(0);
    open = false;
    await fx.settled();
    expect(fx.fakes[0]!.quantities().B1).toBe(3);
    expect(failed).toBe(0);
  });

  it('an api-role process serves the routes and queues work without consuming it; a worker process does the pushing', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'M1', quantity: 0 }]);
    await fx.ledger.apply(ev.received('M1', 2));
    await fx.ledger.apply(ev.received('NOT-LISTED', 2));
    const api = await fx.start({ role: 'api' });
    expect(api.workers).toHaveLength(0);
    expect(api.consumer).toBeNull();
    const app = await fx.app();

    const before = (await app.inject({ method: 'GET', url: '/v1/mapping', headers: auth })).json();
    expect(before).toEqual({ channels: { 'fake-a': { listed: 0, notListed: [] } }, checkedAt: null });
    const refreshed = await app.inject({ method: 'POST', url: '/v1/mapping/refresh', headers: auth });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().channels['fake-a']).toEqual({ listed: 1, notListed: ['NOT-LISTED'] });
    expect((await app.inject({ method: 'GET', url: '/v1/mapping', headers: auth })).json().checkedAt).toBe(refreshed.json().checkedAt);

    // Nothing consumes yet: the channel still shows 0, and nothing is even marked pending.
    expect(fx.fakes[0]!.quantities().M1).toBe(0);
    expect(await api.core.pending('fake-a')).toBe(0);
    // A rule change from the api role marks work that waits for a worker.
    await app.inject({ method: 'PUT', url: '/v1/rules/channels/fake-a', headers: auth, payload: { buffer: 0 } });
    expect(await api.core.pending('fake-a')).toBe(2);
    await fx.start({ role: 'worker' });
    await fx.settled();
    expect(fx.fakes[0]!.quantities().M1).toBe(2);
    expect(await api.core.pending('fake-a')).toBe(0);
  });
});

describe('propagation routes in the OpenAPI document', () => {
  const openFixture = useFixtures();

  it('lists every propagation route with the admin bearer scheme', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    await fx.start({ role: 'api' });
    const app = await fx.app();
    const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    const routes: [string, string][] = [
      ['/v1/dead-letters', 'get'],
      ['/v1/dead-letters/{id}/retry', 'post'],
      ['/v1/dead-letters/retry', 'post'],
      ['/v1/dead-letters/{id}', 'delete'],
      ['/v1/sync', 'get'],
      ['/v1/sync/{sku}/check', 'post'],
      ['/v1/sync/out-of-step', 'get'],
      ['/v1/rules', 'get'],
      ['/v1/rules/channels/{channel}', 'put'],
      ['/v1/rules/skus/{sku}', 'put'],
      ['/v1/mapping', 'get'],
      ['/v1/mapping/refresh', 'post'],
    ];
    for (const [path, method] of routes) expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ adminToken: [] }]);
    // What each answers when it succeeds is documented too (a discard answers 204, no body).
    expect(Object.keys(doc.paths['/v1/dead-letters/{id}'].delete.responses)).toContain('204');
  });
});
