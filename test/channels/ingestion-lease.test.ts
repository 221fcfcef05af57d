import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { runWithIngestionLease } from '../../companion/src/channels/ingestion-lease';
import { createTestRedis, type TestRedis } from '../support/redis';

/**
 * One process at a time polls a channel's orders: two workers each polled Amazon's getOrders,
 * drew 429s and recorded orders up to 9 minutes late (acceptance pass 27).
 */
describe('the order ingestion lease', () => {
  let t: TestRedis;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await t?.cleanup();
  });

  /** A process's ingestion: counts how often it runs. */
  function worker(key: string, ttlMs = 300) {
    const state = { running: false, starts: 0 };
    const stop = runWithIngestionLease({
      redis: t.redis,
      key,
      ttlMs,
      checkMs: 50,
      start: async () => {
        state.running = true;
        state.starts++;
        return async () => {
          state.running = false;
        };
      },
    });
    stops.push(stop);
    return { state, stop };
  }
  const until = async (cond: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return cond();
  };

  it('runs in one process only, and in another once that one stops', async () => {
    t = await createTestRedis();
    const key = `${t.prefix}ingest-lease:amazon`;
    const a = worker(key);
    const b = worker(key);
    expect(await until(() => a.state.running || b.state.running)).toBe(true);
    await new Promise((r) => setTimeout(r, 400)); // several checks and one ttl later, still one
    expect([a.state.running, b.state.running].filter(Boolean)).toHaveLength(1);
    const [holder, other] = a.state.running ? [a, b] : [b, a];
    await holder.stop();
    expect(holder.state.running).toBe(false);
    expect(await until(() => other.state.running, 1000)).toBe(true);
    expect(other.state.starts).toBe(1);
  });

  it('is taken over at once from a process of this host that crashed (a restart does not wait out the lease)', async () => {
    t = await createTestRedis();
    const key = `${t.prefix}ingest-lease:amazon`;
    await t.redis.set(key, `${hostname()} 4194303 token-of-a-crashed-process`, 'PX', 60_000); // no such pid
    const w = worker(key, 60_000);
    expect(await until(() => w.state.running, 300)).toBe(true);
    // A live process's lease (this one's pid) is not taken.
    const other = `${t.prefix}ingest-lease:flipkart`;
    await t.redis.set(other, `${hostname()} ${process.pid} a-live-holder`, 'PX', 60_000);
    const v = worker(other, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(v.state.running).toBe(false);
  });

  it('is taken over once a holder that died stops renewing, and a holder whose lease is gone stops', async () => {
    t = await createTestRedis();
    const key = `${t.prefix}ingest-lease:flipkart`;
    await t.redis.set(key, 'a process that died', 'PX', 300); // it never renews
    const w = worker(key);
    await new Promise((r) => setTimeout(r, 150));
    expect(w.state.running).toBe(false);
    expect(await until(() => w.state.running, 1000)).toBe(true);
    // Its lease taken by someone else (say Redis lost it and another process won it): it stops.
    await t.redis.set(key, 'another process', 'PX', 60_000);
    expect(await until(() => !w.state.running, 1000)).toBe(true);
  });
});
