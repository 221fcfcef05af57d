import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../companion/src/ledger/keys';
import { bucketOf, createLagStore } from '../../companion/src/propagation/lag';
import { createTestRedis, type TestRedis } from '../support/redis';

// A fixed clock 35 s into a minute, so window boundaries in these tests are easy to reason about.
const T0 = Date.UTC(2026, 10, 23, 12, 0, 35);
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('sync lag percentiles', () => {
  let t: TestRedis;
  let now = T0;
  beforeEach(async () => {
    t = await createTestRedis();
    now = T0;
  });
  afterEach(() => t.cleanup());
  const store = () => createLagStore({ redis: t.redis, keys: createKeys({ prefix: t.prefix }), now: () => now });

  it('gives nearest-rank p50/p95/p99 of known samples', async () => {
    const lag = store();
    await lag.record('default', 'shopify', range(100, (i) => i + 1));
    const w = await lag.windows('default', 'shopify');
    expect(w['1m']).toEqual({ p50: 50, p95: 95, p99: 99, count: 100 });
    expect(w['60m']).toEqual({ p50: 50, p95: 95, p99: 99, count: 100 });
  });

  it('counts each sample only in the windows it falls in', async () => {
    const lag = store();
    await lag.record('default', 'amazon', range(100, () => 10), T0 - 20_000);
    await lag.record('default', 'amazon', range(100, () => 1000), T0 - 3 * 60_000);
    await lag.record('default', 'amazon', range(100, () => 5000), T0 - 40 * 60_000);
    await lag.record('default', 'amazon', range(100, () => 90_000), T0 - 70 * 60_000);
    const w = await lag.windows('default', 'amazon');
    expect(w['1m']).toEqual({ p50: 10, p95: 10, p99: 10, count: 100 });
    expect(w['5m']).toEqual({ p50: 10, p95: 1000, p99: 1000, count: 200 });
    expect(w['60m']).toEqual({ p50: 1000, p95: 5000, p99: 5000, count: 300 });
  });

  it('stays within 0.5 % of the exact percentile for spread-out samples', async () => {
    const lag = store();
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const samples = range(5000, () => 0.2 + rnd() ** 3 * 8000);
    await lag.record('default', 'flipkart', samples);
    const sorted = [...samples].sort((a, b) => a - b);
    const exact = (p: number) => sorted[Math.ceil(p * sorted.length) - 1]!;
    const w = (await lag.windows('default', 'flipkart'))['1m'];
    for (const [p, got] of [[0.5, w.p50], [0.95, w.p95], [0.99, w.p99]] as const) {
      expect(Math.abs(got - exact(p)) / exact(p)).toBeLessThanOrEqual(0.005);
    }
  });

  it('agrees across processes: concurrent writers lose no sample', async () => {
    const keys = createKeys({ prefix: t.prefix });
    const a = createLagStore({ redis: t.connect(), keys, now: () => now });
    const b = createLagStore({ redis: t.connect(), keys, now: () => now });
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).record('default', 'woocommerce', range(20, (j) => j + 1))));
    const w = await store().windows('default', 'woocommerce');
    expect(w['1m'].count).toBe(1000);
    expect(w['1m'].p50).toBe(10);
  });

  it('keeps tenants and channels apart', async () => {
    const lag = store();
    await lag.record('default', 'shopify', [5]);
    await lag.record('other', 'shopify', [500]);
    await lag.record('default', 'amazon', [50]);
    expect((await lag.windows('default', 'shopify'))['1m'].p99).toBe(5);
    expect((await lag.windows('other', 'shopify'))['1m'].p99).toBe(500);
    expect((await lag.windows('other', 'amazon'))['1m'].count).toBe(0);
  });

  it('gives one series point per minute for the last hour', async () => {
    const lag = store();
    await lag.record('default', 'shopify', [4, 6, 8], T0 - 40 * 60_000);
    await lag.record('default', 'shopify', [100], T0);
    const series = await lag.series('default', 'shopify');
    expect(series).toHaveLength(60);
    const minute = (at: number) => Math.floor(at / 60_000) * 60_000;
    expect(series[59]).toEqual({ t: minute(T0), p50: 100, p99: 100 });
    expect(series.find((s) => s.t === minute(T0 - 40 * 60_000))).toEqual({ t: minute(T0 - 40 * 60_000), p50: 6, p99: 8 });
    expect(series.filter((s) => s.p99 > 0)).toHaveLength(2);
    expect(series[0]!.t).toBe(minute(T0) - 59 * 60_000);
  });

  it('summarises an exact time range with max, and gives a per-second series for charts', async () => {
    const lag = store();
    await lag.record('default', 'shopify', [1, 2, 3], T0 - 3000);
    await lag.record('default', 'shopify', [40, 70], T0 - 1000);
    await lag.record('default', 'shopify', [900], T0 + 5000);
    expect(await lag.summary('default', 'shopify', T0 - 3000, T0)).toEqual({ p50: 3, p95: 70, p99: 70, max: 70, count: 5 });
    const fine = await lag.fineSeries('default', 'shopify', T0 - 3000, T0 + 5000);
    expect(fine).toHaveLength(9);
    expect(fine[0]).toEqual({ t: Math.floor((T0 - 3000) / 1000) * 1000, p50: 2, p99: 3, max: 3, count: 3 });
    expect(fine[2]).toMatchObject({ p99: 70, max: 70, count: 2 });
    expect(fine[8]).toMatchObject({ max: 900, count: 1 });
    expect(fine.reduce((s, p) => s + p.count, 0)).toBe(6);
  });

  it('rounds to three significant digits of microseconds', () => {
    expect(bucketOf(0.0004)).toBe(0);
    expect(bucketOf(0.5)).toBe(500);
    expect(bucketOf(12.345)).toBe(12_300);
    expect(bucketOf(1234.5)).toBe(1_230_000);
  });
});
