import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeys, type Keys } from '../../companion/src/ledger/keys';
import { createMetrics, metricsRoutes, type Metrics } from '../../companion/src/metrics';
import { createObserver, type Observer } from '../../companion/src/propagation/observer';
import { channelsRoutes } from '../../companion/src/propagation/routes/channels';
import type { MissedWebhook } from '../../companion/src/channels/missed-webhooks';
import { createTestRedis, type TestRedis } from '../support/redis';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 35);
const config = {
  tenants: { default: { secret: 's3cret' } },
  propagation: { lagWarnMs: 2000, lagCriticalMs: 5000, failureRateAlert: 0.01, breakerFailureRate: 0.01, breakerWindowMs: 60_000 },
};
const ok = (n: number, lagMs: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, ok: true, lagMs: lagMs(i) }));

describe('GET /v1/channels and GET /metrics', () => {
  let t: TestRedis;
  let keys: Keys;
  let now = T0;
  let observer: Observer;
  let metrics: Metrics;
  let app: FastifyInstance;
  const depth: Record<string, number> = { shopify: 7, amazon: 42 };
  const dead: Record<string, number> = { shopify: 0, amazon: 3 };
  let missed: Record<string, MissedWebhook | null> = {};
  let waiting: Record<string, number | null> = {};

  beforeEach(async () => {
    t = await createTestRedis();
    keys = createKeys({ prefix: t.prefix });
    now = T0;
    missed = {};
    waiting = {};
    metrics = createMetrics();
    observer = createObserver({
      redis: t.redis,
      keys,
      config,
      logger: pino({ level: 'silent' }),
      now: () => now,
      metrics,
      channels: ['shopify', 'amazon'],
      breaker: { cacheMs: 0, minSamples: 20 },
    });
    metrics.setChannelSources({
      channels: () => ['shopify', 'amazon'],
      queueDepth: (c) => depth[c] ?? 0,
      deadLetters: (c) => dead[c] ?? 0,
      breakerState: (c) => observer.breakerState(c),
    });
    metrics.setLedgerSource({ redis: t.redis, keys });
    app = Fastify();
    await app.register(channelsRoutes, { observer, queueDepth: (c) => depth[c] ?? 0, deadLetters: (c) => dead[c] ?? 0, missedWebhook: async (c) => missed[c] ?? null, oldestWaiting: async (c) => waiting[c] ?? null });
    await app.register(metricsRoutes, { metrics });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await observer.close();
    await t.cleanup();
  });

  it('reports every channel in the documented shape with lag, success rate and last error', async () => {
    await observer.pushed({ tenant: 'default', channel: 'shopify', items: ok(100, (i) => i + 1) });
    await observer.pushed({
      tenant: 'default',
      channel: 'amazon',
      items: [...ok(3, () => 2500), { sku: 'X', ok: false, error: 'InvalidInput: quantity', code: 'validation' }],
    });
    const res = await app.inject({ method: 'GET', url: '/v1/channels' });
    expect(res.statusCode).toBe(200);
    const { channels } = res.json() as { channels: Record<string, unknown>[] };
    expect(channels.map((c) => c.id)).toEqual(['amazon', 'shopify']);
    const shopify = channels[1]!;
    expect(Object.keys(shopify).sort()).toEqual(
      ['breaker', 'deadLetters', 'downSince', 'feed', 'id', 'lag', 'lagSeries', 'lastError', 'lastOutage', 'missedWebhook', 'oldestWaitingMs', 'pushes', 'queueDepth', 'reason', 'sandbox', 'state', 'successRate', 'throttledUntil'].sort(),
    );
    expect(shopify).toMatchObject({
      id: 'shopify',
      state: 'ok',
      reason: null,
      breaker: 'closed',
      lag: { '1m': { p50: 50, p95: 95, p99: 99, count: 100 }, '5m': { count: 100 }, '60m': { count: 100 } },
      queueDepth: 7,
      feed: { unread: 0, inProgress: 0, oldestUnreadMs: null },
      deadLetters: 0,
      successRate: 1,
      lastError: null,
      pushes: 1,
      throttledUntil: null,
    });
    expect(shopify.lagSeries).toHaveLength(60);
    expect(channels[0]).toMatchObject({
      id: 'amazon',
      state: 'degraded',
      reason: '25.0 % of recent pushes failed.',
      successRate: 0.75,
      queueDepth: 42,
      deadLetters: 3,
      lastError: { message: 'InvalidInput: quantity', at: new Date(T0).toISOString() },
    });
  });

  it('shows a channel degraded for 30 min after an order reached us only through its reconciliation poll (its webhooks are not arriving)', async () => {
    await observer.pushed({ tenant: 'default', channel: 'shopify', items: ok(5, () => 1) });
    missed = { shopify: { order: '1042', createdAt: new Date(T0 - 7 * 60_000).toISOString(), foundAt: new Date(T0).toISOString(), count: 3 } };
    const read = async () => ((await app.inject({ method: 'GET', url: '/v1/channels' })).json() as { channels: Record<string, unknown>[] }).channels[1]!;
    expect(await read()).toMatchObject({
      id: 'shopify',
      state: 'degraded',
      reason: expect.stringMatching(/^Order 1042 reached Stockline only through the reconciliation poll, 7 min after it was placed: the channel's order webhooks are not arriving/),
      missedWebhook: missed.shopify,
    });
    now = T0 + 31 * 60_000;
    expect(await read()).toMatchObject({ id: 'shopify', state: 'ok', reason: null, missedWebhook: missed.shopify });
  });

  it('shows a channel degraded while a SKU has waited over a minute in line for its push, though the pushes that land are fast', async () => {
    // The pushes that land are slow too (over lagWarnMs): the waiting line is said first, it is what the owner must know.
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: ok(5, () => 2500) });
    waiting = { amazon: 95_000, shopify: 20_000 };
    const { channels } = (await app.inject({ method: 'GET', url: '/v1/channels' })).json() as { channels: Record<string, unknown>[] };
    expect(channels[0]).toMatchObject({ id: 'amazon', state: 'degraded', reason: 'Stock changes wait to be pushed: the first in line has waited 95 s.', oldestWaitingMs: 95_000 });
    expect(channels[1]).toMatchObject({ id: 'shopify', state: 'ok', oldestWaitingMs: 20_000 });
  });

  it('shows a channel as down while its breaker is open, and paused while throttled', async () => {
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: [], callError: 'ECONNREFUSED' });
    for (let i = 0; i < 20; i++) await observer.pushed({ tenant: 'default', channel: 'amazon', items: [], callError: 'ECONNREFUSED' });
    await observer.pushed({ tenant: 'default', channel: 'shopify', items: ok(5, () => 1), throttled: true, retryAfterMs: 2000 });
    expect(await observer.canPush('amazon')).toBe(false);
    const { channels } = (await app.inject({ method: 'GET', url: '/v1/channels' })).json() as { channels: Record<string, unknown>[] };
    expect(channels[0]).toMatchObject({ id: 'amazon', state: 'down', breaker: 'open', successRate: 0, lastError: { message: 'ECONNREFUSED' } });
    // A throttled call is neither a success nor a failure, and it opens no breaker.
    expect(channels[1]).toMatchObject({ id: 'shopify', state: 'paused', breaker: 'closed', successRate: 1, throttledUntil: T0 + 2000 });
  });

  it('shows stalled, before down, once a change-feed entry waited over 30 s (the default) with no worker reading', async () => {
    for (let i = 0; i < 21; i++) await observer.pushed({ tenant: 'default', channel: 'amazon', items: [], callError: 'ECONNREFUSED' });
    // Appended by the ledger 29 s ago; no worker ever created the consumer group.
    await t.redis.xadd(keys.changes('default'), `${T0 - 29_000}-0`, 'event', 'e1', 'type', 'stock.received', 'skus', '["A"]');
    const read = async () => ((await app.inject({ method: 'GET', url: '/v1/channels' })).json() as { channels: Record<string, any>[] }).channels;
    expect((await read())[0]).toMatchObject({ id: 'amazon', state: 'down', reason: expect.stringContaining('ECONNREFUSED'), feed: { unread: 1, inProgress: 0, oldestUnreadMs: 29_000 } });
    now = T0 + 2_000;
    const [amazon, shopify] = await read();
    expect(amazon).toMatchObject({ state: 'stalled', breaker: 'open', feed: { unread: 1, oldestUnreadMs: 31_000 } });
    expect(amazon!.reason).toBe('No worker has read the change feed for 31 s: 1 stock change waits and nothing reaches the channels. Start a worker: `npm start -- --role worker` (or a process with role all).');
    expect(shopify).toMatchObject({ state: 'stalled', feed: { unread: 1 } });
  });

  it('is ok again once the breaker closed and pushes succeed, though the 5-minute success rate still counts the outage', async () => {
    for (let i = 0; i < 21; i++) await observer.pushed({ tenant: 'default', channel: 'amazon', items: [], callError: 'ECONNREFUSED' });
    const read = async () => ((await app.inject({ method: 'GET', url: '/v1/channels' })).json() as { channels: Record<string, any>[] }).channels[0]!;
    expect(await read()).toMatchObject({ id: 'amazon', state: 'down', breaker: 'open', downSince: new Date(T0).toISOString(), lastOutage: null });
    now = T0 + 30_000; // a probe that fails keeps the outage's start
    expect(await observer.canPush('amazon')).toBe(true);
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: [], callError: 'ECONNREFUSED' });
    expect(await read()).toMatchObject({ breaker: 'open', downSince: new Date(T0).toISOString() });
    now = T0 + 61_000; // past the next cool-down: one probe goes out and succeeds
    expect(await observer.canPush('amazon')).toBe(true);
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: ok(1, () => 40) });
    now = T0 + 71_000;
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: ok(5, () => 40) });
    const after = await read();
    expect(after).toMatchObject({ state: 'ok', reason: null, breaker: 'closed', downSince: null });
    // The outage is kept once it is over, from the breaker opening to its closing again.
    expect(after.lastOutage).toEqual({ from: new Date(T0).toISOString(), to: new Date(T0 + 61_000).toISOString() });
    expect(after.successRate).toBeLessThan(0.5);

    // A failure after the breaker closed counts again.
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: [{ sku: 'Y', ok: false, error: '503', code: 'transient' }] });
    expect(await read()).toMatchObject({ state: 'degraded', breaker: 'closed' });
  });

  it('does not count SKUs the channel has no listing for against its health: they are dead letters, not failures', async () => {
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: [...ok(2, () => 40), ...Array.from({ length: 50 }, (_, i) => ({ sku: `U${i}`, ok: false, error: 'NOT_FOUND', code: 'not_found' }))] });
    const amazon = ((await app.inject({ method: 'GET', url: '/v1/channels' })).json() as { channels: Record<string, any>[] }).channels[0]!;
    // The last error names the SKU it is about (a merchant can tell it from one fixed since).
    expect(amazon).toMatchObject({ id: 'amazon', state: 'ok', successRate: 1, deadLetters: 3, lastError: { message: 'NOT_FOUND', sku: 'U0' } });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain('stockline_push_results_total{channel="amazon",result="failed"} 50');
  });

  it('does not let per-SKU data errors open the breaker', async () => {
    for (let i = 0; i < 30; i++) {
      await observer.pushed({ tenant: 'default', channel: 'shopify', items: [{ sku: `S${i}`, ok: false, error: 'not listed', code: 'not_found' }] });
    }
    expect(await observer.canPush('shopify')).toBe(true);
    await observer.pushed({ tenant: 'default', channel: 'shopify', items: Array.from({ length: 30 }, (_, i) => ({ sku: `S${i}`, ok: false, error: '503', code: 'transient' })) });
    expect(await observer.canPush('shopify')).toBe(false);
  });

  it('serves Prometheus metrics: lag histogram, push results, queue depth, dead letters, breaker, incidents, ledger events', async () => {
    await observer.pushed({ tenant: 'default', channel: 'shopify', items: ok(10, () => 30) });
    await observer.pushed({ tenant: 'default', channel: 'shopify', items: [{ sku: 'Z', ok: false, error: 'boom', code: 'transient' }] });
    await observer.pushed({ tenant: 'default', channel: 'amazon', items: ok(4, () => 1), throttled: true });
    for (let i = 0; i < 21; i++) await observer.pushed({ tenant: 'default', channel: 'amazon', items: [], callError: 'down' });
    // The ledger's change feed and incident keys, in the format the ledger contract documents.
    for (const type of ['order.confirmed', 'order.confirmed', 'stock.received']) {
      await t.redis.xadd(keys.changes('default'), '*', 'event', `e-${Math.random()}`, 'type', type, 'source', 'amazon', 'at', String(T0), 'skus', '["A"]');
    }
    await t.redis.hset(keys.incidents('default'), 'i1', '{}', 'i2', '{}');
    await t.redis.zadd(keys.openIncidents('default'), 1, 'i2');

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const body = res.body;
    expect(body).toContain('stockline_sync_lag_seconds_bucket{le="0.05",channel="shopify"} 10');
    expect(body).toContain('stockline_sync_lag_seconds_bucket{le="0.025",channel="shopify"} 0');
    expect(body).toContain('stockline_sync_lag_seconds_count{channel="shopify"} 10');
    expect(body).toContain('stockline_push_results_total{channel="shopify",result="ok"} 10');
    expect(body).toContain('stockline_push_results_total{channel="shopify",result="failed"} 1');
    expect(body).toContain('stockline_push_results_total{channel="amazon",result="throttled"} 4');
    expect(body).toContain('stockline_queue_depth{channel="amazon"} 42');
    expect(body).toContain('stockline_dead_letters{channel="amazon"} 3');
    expect(body).toContain('stockline_breaker_state{channel="amazon"} 2');
    expect(body).toContain('stockline_breaker_state{channel="shopify"} 0');
    expect(body).toContain('stockline_ledger_events_total{type="order.confirmed"} 2');
    expect(body).toContain('stockline_ledger_events_total{type="stock.received"} 1');
    expect(body).toContain('stockline_oversell_incidents_total{tenant="default"} 2');
    expect(body).toContain('stockline_oversell_incidents_open{tenant="default"} 1');
    // No worker read the feed here: its three entries wait, appended just now.
    expect(body).toContain('stockline_feed_unread{tenant="default"} 3');
    const oldest = Number(/stockline_feed_oldest_unread_seconds\{tenant="default"\} ([\d.e-]+)/.exec(body)?.[1]);
    expect(oldest).toBeGreaterThanOrEqual(0);
    expect(oldest).toBeLessThan(60);

    // Counted once: a second scrape after one more event adds exactly one.
    await t.redis.xadd(keys.changes('default'), '*', 'event', 'e-last', 'type', 'stock.received', 'source', 'manual', 'at', String(T0), 'skus', '["A"]');
    const again = (await app.inject({ method: 'GET', url: '/v1/metrics' })).body; // the same exposition under /v1
    expect(again).toContain('stockline_ledger_events_total{type="stock.received"} 2');
    expect(again).toContain('stockline_oversell_incidents_total{tenant="default"} 2');
  });
});
