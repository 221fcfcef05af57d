import { describe, expect, it } from 'vitest';
import { FEED_GROUP } from '../../companion/src/propagation/feed-consumer';
import { acknowledgedBelow, trimFeed } from '../../companion/src/propagation/feed-trim';
import { ev, TENANT, until, useFixtures } from './helpers';

describe('change-feed trimming', () => {
  const openFixture = useFixtures();

  it('drops only entries every group acknowledged and older than the retention', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const { redis } = fx.t;
    const stream = fx.keys.changes(TENANT);
    const now = Date.now();
    const hourAgo = now - 3_600_000;
    // 500 entries an hour old (several of Redis' 100-entry stream nodes), then 50 fresh ones.
    for (let i = 1; i <= 500; i++) await redis.xadd(stream, `${hourAgo}-${i}`, 'type', 'stock.received', 'skus', '["A"]');
    for (let i = 1; i <= 50; i++) await redis.xadd(stream, `${now}-${i}`, 'type', 'stock.received', 'skus', '["A"]');

    // No group yet: propagation has not read anything, so nothing may go.
    expect(await acknowledgedBelow(redis, stream)).toBeNull();
    expect(await trimFeed(redis, stream, 600_000, now)).toBe(0);

    // A group that has not read yet keeps everything too.
    await redis.xgroup('CREATE', stream, FEED_GROUP, '0');
    expect(await trimFeed(redis, stream, 600_000, now)).toBe(0);
    expect(await redis.xlen(stream)).toBe(550);

    // Everything read; all acknowledged but the 150th old entry (a consumer died holding it).
    const read = (await redis.xreadgroup('GROUP', FEED_GROUP, 'c1', 'COUNT', 1000, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
    const ids = read[0]![1].map(([id]) => id);
    expect(ids).toHaveLength(550);
    await redis.xack(stream, FEED_GROUP, ...ids.filter((id) => id !== `${hourAgo}-150`));
    expect(await acknowledgedBelow(redis, stream)).toBe(`${hourAgo}-150`);
    await trimFeed(redis, stream, 600_000, now);
    expect(await redis.xrange(stream, `${hourAgo}-150`, `${hourAgo}-150`)).toHaveLength(1);
    const afterFirst = await redis.xlen(stream);
    expect(afterFirst).toBeLessThanOrEqual(550 - 100); // the first whole node went
    expect(afterFirst).toBeGreaterThanOrEqual(550 - 149);

    // A second group that is behind holds the cut back on its own.
    await redis.xgroup('CREATE', stream, 'slow-reader', `${hourAgo}-300`);
    await redis.xack(stream, FEED_GROUP, `${hourAgo}-150`);
    expect(await acknowledgedBelow(redis, stream)).toBe(`${hourAgo}-300`);
    await trimFeed(redis, stream, 600_000, now);
    expect(await redis.xrange(stream, `${hourAgo}-300`, `${hourAgo}-300`)).toHaveLength(1);

    // Once every group is past them, old entries go; the fresh ones stay for the retention.
    await redis.xgroup('DESTROY', stream, 'slow-reader');
    await trimFeed(redis, stream, 600_000, now);
    const left = await redis.xrange(stream, '-', '+');
    expect(left.filter(([id]) => id.startsWith(`${now}-`))).toHaveLength(50);
    expect(left.length).toBeLessThan(150); // at most the last partly old node remains
    // With no retention, everything acknowledged may go except the node holding the newest entry.
    await trimFeed(redis, stream, 0, now + 1);
    expect((await redis.xrange(stream, `${now}-50`, `${now}-50`)).length).toBe(1);
  });

  it('a running consumer trims the feed behind itself and propagation still delivers every change', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'T1', quantity: 0 }]);
    await fx.start({ settings: { feedRetentionMs: 0, feedTrimEveryMs: 50, readBlockMs: 100 } });
    for (let i = 0; i < 300; i++) await fx.ledger.apply(ev.received('T1', 1));
    await fx.settled();
    expect(fx.fakes[0]!.quantities().T1).toBe(300);
    const stream = fx.keys.changes(TENANT);
    await until(async () => (await fx.t.redis.xlen(stream)) <= 100, 10_000, 'the acknowledged entries to be trimmed');
    const pending = (await fx.t.redis.xpending(stream, FEED_GROUP)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
    // The audit keeps every event: trimming the feed loses none of them.
    expect(await fx.t.redis.xlen(fx.keys.audit(TENANT))).toBeGreaterThanOrEqual(300);
  });
});
