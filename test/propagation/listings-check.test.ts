/**
 * The listings check (POST /v1/mapping/refresh, GET /v1/mapping) on the real pieces: an api-role
 * runtime over the test Redis and a fake channel over HTTP. A check that outlasts the request
 * goes on in the background with its progress shown; a failing channel is named; one check runs
 * at a time across processes.
 */
import { describe, expect, it } from 'vitest';
import type { MappingReport } from '../../companion/src/propagation/mapping';
import { auth, ev, TENANT, until, useFixtures } from './helpers';

describe('listings check', () => {
  const openFixture = useFixtures();

  /** An api-role runtime whose check answers within `answerWithinMs`; `n` ledger SKUs, the first `listed` on the channel. */
  async function setUp(n: number, listed: number, answerWithinMs = 5_000) {
    const fx = await openFixture({ channels: ['fake-a'] });
    const skus = Array.from({ length: n }, (_, i) => `LC-${String(i).padStart(3, '0')}`);
    fx.fakes[0]!.seed(skus.slice(0, listed).map((sku) => ({ sku, quantity: 0 })));
    await fx.ledger.applyBatch(skus.map((sku) => ev.received(sku, 1)));
    await fx.start({ role: 'api', settings: { mapping: { answerWithinMs, patienceMs: 8_000, lockMs: 60_000 } } });
    const app = await fx.app();
    const get = async () => (await app.inject({ method: 'GET', url: '/v1/mapping', headers: auth })).json() as MappingReport;
    const refresh = () => app.inject({ method: 'POST', url: '/v1/mapping/refresh', headers: auth });
    return { fx, app, get, refresh, skus };
  }

  it('answers a small catalogue at once (200 with the report)', async () => {
    const { get, refresh } = await setUp(3, 2);
    const res = await refresh();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ channels: { 'fake-a': { listed: 2, notListed: ['LC-002'] } }, checkedAt: expect.any(String) });
    expect(await get()).toEqual(res.json());
  });

  it('reports what the channel lists now, not what was cached: a listing deleted on the channel shows as not listed', async () => {
    const { fx, refresh } = await setUp(3, 3);
    expect((await refresh()).json()).toMatchObject({ channels: { 'fake-a': { listed: 3, notListed: [] } } });
    fx.fakes[0]!.unlist(['LC-001']);
    const again = await refresh();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ channels: { 'fake-a': { listed: 2, notListed: ['LC-001'] } } });
  });

  it('goes on in the background when it outlasts the request: 202 with progress, GET shows it until the report replaces it', async () => {
    const { fx, get, refresh } = await setUp(120, 100, 50);
    // Each lookup of 50 SKUs takes ≥ 150 ms, so the 120 SKUs take three lookups, ≥ 450 ms.
    fx.fakes[0]!.setFaults({ latencyMs: 150 });
    const callsBefore = fx.fakes[0]!.stats().calls;
    const started = await refresh();
    expect(started.statusCode).toBe(202);
    const running = started.json() as MappingReport;
    expect(running.checkedAt).toBeNull();
    expect(running.running).toMatchObject({ total: 120, checked: expect.any(Number) });
    expect(running.running!.checked).toBeLessThan(120);

    // A second request joins the check under way instead of starting another.
    const again = await refresh();
    expect(again.statusCode).toBe(202);
    expect(again.json().running.startedAt).toBe(running.running!.startedAt);

    const seen = new Set<number>();
    await until(
      async () => {
        const m = await get();
        if (m.running) seen.add(m.running.checked);
        return m.checkedAt !== null;
      },
      10_000,
      'the background check to finish',
    );
    const done = await get();
    expect(done.running).toBeUndefined();
    expect(done.failed).toBeUndefined();
    expect(done.channels['fake-a']!.listed).toBe(100);
    expect(done.channels['fake-a']!.notListed).toEqual(Array.from({ length: 20 }, (_, i) => `LC-${100 + i}`));
    // Progress moved while it ran (50 after the first lookup, 100 after the second).
    expect([...seen].some((c) => c > 0 && c < 120)).toBe(true);
    // One check, three lookups: the joining request started nothing.
    expect(fx.fakes[0]!.stats().calls - callsBefore).toBe(3);
  });

  it('names the channel when a background check fails, and clears that once a check succeeds', async () => {
    // A second's wait, and a second per lookup while the first check runs (so it outlasts the
    // wait): the last check, at full speed, must then finish its three lookups within that second
    // even on a loaded machine (the listings check asks the channel afresh, no cache to help).
    const { fx, get, refresh } = await setUp(120, 120, 1_000);
    fx.fakes[0]!.setFaults({ latencyMs: 1_000 });
    expect((await refresh()).statusCode).toBe(202);
    // The credentials are revoked while the check runs: its next lookup is refused for good.
    fx.fakes[0]!.setFaults({ authFailure: true });
    await until(async () => (await get()).failed !== undefined, 10_000, 'the check to record its failure');
    const failed = await get();
    expect(failed.failed).toMatchObject({ channel: 'fake-a', message: expect.stringMatching(/^could not reach fake-a for this: the listings check failed: .+; try again in a moment$/) });
    expect(failed.running).toBeUndefined();
    expect(failed.checkedAt).toBeNull();

    fx.fakes[0]!.setFaults({ authFailure: false, latencyMs: 0 });
    const ok = await refresh();
    expect(ok.statusCode).toBe(200);
    expect(ok.json().channels['fake-a']).toEqual({ listed: 120, notListed: [] });
    expect((await get()).failed).toBeUndefined();
  });

  it('waits out a channel that is down or throttling for a moment instead of failing the person who asked', async () => {
    const { fx, get, refresh } = await setUp(2, 1);
    // The channel drops every connection for 600 ms: the check tries again and then answers.
    fx.fakes[0]!.setFaults({ outageForMs: 600 });
    const started = Date.now();
    const refreshed = await refresh();
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().channels['fake-a']).toEqual({ listed: 1, notListed: ['LC-001'] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);

    // A channel that refuses for good (revoked credentials) is named at once, not a bare 500.
    fx.fakes[0]!.setFaults({ authFailure: true });
    const refused = await refresh();
    expect(refused.statusCode).toBe(502);
    expect(refused.json()).toMatchObject({ code: 'channel_unavailable', message: expect.stringMatching(/^could not reach fake-a for this: the listings check failed: .+; try again in a moment$/) });
    // The last good check is still what GET answers, with the failure beside it.
    const after = await get();
    expect(after.checkedAt).toBe(refreshed.json().checkedAt);
    expect(after.failed?.channel).toBe('fake-a');
  });

  it('starts no second check while another process runs one, and stops showing progress a dead process left', async () => {
    const { fx, get, refresh } = await setUp(3, 3);
    const lock = fx.keys.propagation(TENANT, 'mapping:lock');
    const report = fx.keys.propagation(TENANT, 'mapping');
    const progress = { startedAt: new Date().toISOString(), checked: 1, total: 3 };
    // Another process holds the lock and has written its progress.
    await fx.t.redis.set(lock, 'other-process', 'PX', 60_000);
    await fx.t.redis.hset(report, 'running', JSON.stringify(progress));
    const callsBefore = fx.fakes[0]!.stats().calls;
    const joined = await refresh();
    expect(joined.statusCode).toBe(202);
    expect(joined.json().running).toEqual(progress);
    expect(fx.fakes[0]!.stats().calls).toBe(callsBefore);

    // That process died: once its lock lapses, its progress is no longer shown and a check can start.
    await fx.t.redis.del(lock);
    expect((await get()).running).toBeUndefined();
    const fresh = await refresh();
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().channels['fake-a']).toEqual({ listed: 3, notListed: [] });
    expect(await fx.t.redis.exists(lock)).toBe(0);
  });

  it('lets its lock go when the companion shuts down mid-check, so a restarted one can check at once', async () => {
    const { fx, app, refresh } = await setUp(120, 120, 50);
    fx.fakes[0]!.setFaults({ latencyMs: 150 });
    expect((await refresh()).statusCode).toBe(202);
    await app.close();
    const lock = fx.keys.propagation(TENANT, 'mapping:lock');
    const report = fx.keys.propagation(TENANT, 'mapping');
    expect(await fx.t.redis.exists(lock)).toBe(0);
    expect(await fx.t.redis.hget(report, 'running')).toBeNull();
    expect(JSON.parse((await fx.t.redis.hget(report, 'failed'))!)).toMatchObject({ channel: null, message: 'the companion stopped during the check; check again' });
    // The lookup that was in flight ends without writing progress or a report.
    await new Promise((r) => setTimeout(r, 400));
    expect(await fx.t.redis.hget(report, 'running')).toBeNull();
    expect(await fx.t.redis.hget(report, 'checkedAt')).toBeNull();
  });
});
