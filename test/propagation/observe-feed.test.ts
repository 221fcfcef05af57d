/**
 * GET /v1/channels with no worker reading the change feed: an api-role process, the real ledger,
 * real worker runtimes stopped and started, the observer reading the feed's consumer group.
 * Before, the changes waiting on the feed were counted nowhere: "ok, queue depth 0".
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../companion/src/config';
import { FEED_GROUP } from '../../companion/src/propagation/feed-consumer';
import { createObserver, type Observer } from '../../companion/src/propagation/observer';
import { channelsRoutes } from '../../companion/src/propagation/routes/channels';
import type { PropagationRuntime } from '../../companion/src/propagation/runtime';
import { testEnv } from '../api/helpers';
import { ev, quietLogger, TENANT, until, useFixtures, type Fixture } from './helpers';

const STALLED_MS = 400;

describe('channel health sees the change feed no worker reads', () => {
  const openFixture = useFixtures();
  let observer: Observer | undefined;
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    await observer?.close();
    app = observer = undefined;
  });

  async function setup(fx: Fixture, api: PropagationRuntime) {
    const config = loadConfig({ ...testEnv(fx.t.prefix, fx.t.url), STOCKLINE_FEED_STALLED_MS: String(STALLED_MS) });
    observer = createObserver({ redis: fx.t.redis, keys: fx.keys, config, logger: quietLogger, channels: ['fake-a'] });
    app = Fastify();
    await app.register(channelsRoutes, { observer, queueDepth: (c) => api.core.pending(c, TENANT) });
    await app.ready();
    return async () => ((await app!.inject({ method: 'GET', url: '/v1/channels' })).json() as { channels: Record<string, any>[] }).channels[0]!;
  }

  it('reports the unread changes and "stalled" once the workers are gone, and drains back to ok when one starts', { timeout: 60_000 }, async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const skus = Array.from({ length: 50 }, (_, i) => `F-${i}`);
    fx.fakes[0]!.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    const api = await fx.start({ role: 'api' });
    const fakeA = await setup(fx, api);
    const worker = await fx.start({ role: 'worker', hooks: observer });
    await fx.ledger.applyBatch(skus.map((s) => ev.received(s, 10)));
    await fx.settled();
    expect(await fakeA()).toMatchObject({ state: 'ok', reason: null, queueDepth: 0, feed: { unread: 0, inProgress: 0, oldestUnreadMs: null } });

    // Every worker stops; the api process keeps taking events.
    await worker.close();
    fx.runtimes.splice(fx.runtimes.indexOf(worker), 1);
    for (let i = 0; i < 5; i++) await fx.ledger.applyBatch(Array.from({ length: 100 }, (_, j) => ev.sale(skus[(i * 100 + j) % skus.length]!, 1, 'manual')));
    const fresh = await fakeA();
    expect(fresh.feed.unread).toBe(500);
    expect(fresh.queueDepth).toBe(0);
    await new Promise((r) => setTimeout(r, STALLED_MS + 50));
    const stalled = await fakeA();
    expect(stalled).toMatchObject({ state: 'stalled', breaker: 'closed', queueDepth: 0, feed: { unread: 500, inProgress: 0 } });
    expect(stalled.feed.oldestUnreadMs).toBeGreaterThan(STALLED_MS);
    expect(stalled.reason).toMatch(/No worker has read the change feed for \d+ s: 500 stock changes wait.*npm start -- --role worker/);

    await fx.start({ role: 'worker', hooks: observer });
    await until(async () => (await fakeA()).state === 'ok', 20_000, 'the channel to be ok again');
    await fx.settled();
    expect(await fakeA()).toMatchObject({ state: 'ok', queueDepth: 0, feed: { unread: 0, inProgress: 0, oldestUnreadMs: null } });
    expect(fx.fakes[0]!.quantities()).toEqual(await fx.projection(skus));
  });

  it('counts the whole feed when no worker ever ran, and entries a dead worker read but never finished', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const api = await fx.start({ role: 'api' });
    const fakeA = await setup(fx, api);
    expect((await fakeA()).feed).toEqual({ unread: 0, inProgress: 0, oldestUnreadMs: null });
    for (const sku of ['N1', 'N2', 'N3']) await fx.ledger.apply(ev.received(sku, 1));
    // No consumer group yet: the first worker creates it from the start of the feed.
    expect((await fakeA()).feed).toMatchObject({ unread: 3, inProgress: 0 });

    const stream = fx.keys.changes(TENANT);
    await fx.t.redis.xgroup('CREATE', stream, FEED_GROUP, '0');
    await fx.t.redis.xreadgroup('GROUP', FEED_GROUP, 'crashed-worker', 'COUNT', 2, 'STREAMS', stream, '>');
    expect((await fakeA()).feed).toMatchObject({ unread: 1, inProgress: 2 });
    await new Promise((r) => setTimeout(r, STALLED_MS + 50));
    expect(await fakeA()).toMatchObject({ state: 'stalled', reason: expect.stringContaining('1 stock change waits') });
  });
});
