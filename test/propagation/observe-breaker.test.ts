import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../companion/src/ledger/keys';
import { createBreaker, type BreakerState } from '../../companion/src/propagation/breaker';
import { createTestRedis, type TestRedis } from '../support/redis';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 5);

describe('circuit breaker per channel', () => {
  let t: TestRedis;
  let now = T0;
  let transitions: string[];
  beforeEach(async () => {
    t = await createTestRedis();
    now = T0;
    transitions = [];
  });
  afterEach(() => t.cleanup());
  // Each call builds a breaker on its own connection: a separate worker process sharing Redis.
  const worker = (o: { consecutiveFailures?: number; consecutiveMs?: number } = {}) =>
    createBreaker({
      redis: t.connect(),
      keys: createKeys({ prefix: t.prefix }),
      failureRate: 0.01,
      windowMs: 60_000,
      minSamples: 20,
      cooldownMs: 15_000,
      probeLeaseMs: 5_000,
      cacheMs: 0,
      now: () => now,
      onTransition: (e) => transitions.push(`${e.from}>${e.to}`),
      ...o,
    });

  it('stays closed at 1 % failures and opens just above it', async () => {
    const b = worker();
    expect(await b.record('amazon', 198, 2)).toBe('closed'); // exactly 1 %
    expect(await b.canPush('amazon')).toBe(true);
    expect(await b.record('amazon', 0, 1)).toBe('open'); // 3 / 201
    expect(await b.canPush('amazon')).toBe(false);
    expect(await worker().canPush('amazon')).toBe(false);
    expect(await worker().state('amazon')).toBe<BreakerState>('open');
  });

  it('does not open on a handful of failures below the minimum sample count', async () => {
    const b = worker();
    expect(await b.record('shopify', 0, 5)).toBe('closed');
    expect(await b.record('shopify', 10, 4)).toBe('closed'); // 9 failures, but only 19 outcomes
    expect(await b.record('shopify', 0, 1)).toBe('open'); // the 20th outcome makes it a rate
  });

  it('measures the rate over the last window only', async () => {
    const b = worker();
    await b.record('flipkart', 1000, 0);
    now += 70_000; // the 1000 successes have left the 60 s window
    expect(await b.record('flipkart', 98, 2)).toBe('open'); // 2 / 100 > 1 %, though 2 / 1100 would not be
  });

  it('half-opens after the cool-down with exactly one probe across workers, then closes by itself', async () => {
    const a = worker();
    const b = worker();
    await a.record('woocommerce', 50, 50);
    expect(await b.canPush('woocommerce')).toBe(false);
    now += 15_000;
    const verdicts = await Promise.all([a.canPush('woocommerce'), b.canPush('woocommerce'), worker().canPush('woocommerce')]);
    expect(verdicts.filter(Boolean)).toHaveLength(1);
    expect(await a.state('woocommerce')).toBe('half-open');
    expect(await b.record('woocommerce', 1, 0)).toBe('closed');
    expect(await a.canPush('woocommerce')).toBe(true);
    // The failures that opened it are forgotten: one more failure among fresh successes does not reopen.
    expect(await a.record('woocommerce', 100, 1)).toBe('closed');
    expect(transitions).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
  });

  it('reopens when the probe fails, for a fresh cool-down', async () => {
    const b = worker();
    await b.record('amazon', 0, 30);
    now += 15_000;
    expect(await b.canPush('amazon')).toBe(true);
    expect(await b.record('amazon', 0, 1)).toBe('open');
    now += 14_999;
    expect(await b.canPush('amazon')).toBe(false);
    now += 1;
    expect(await b.canPush('amazon')).toBe(true);
  });

  it('grants another probe when the first prober never reports (crashed worker)', async () => {
    const b = worker();
    await b.record('shopify', 0, 30);
    now += 15_000;
    expect(await b.canPush('shopify')).toBe(true);
    expect(await worker().canPush('shopify')).toBe(false);
    now += 5_000;
    expect(await worker().canPush('shopify')).toBe(true);
  });

  describe('a run of failed calls at low traffic (defaults: 5 calls over at least 5 s)', () => {
    // One SKU changed, every call dropped, retried at 1, 2, 4, 8 s: far from 20 outcomes a window.
    it('opens once every call failed five times in a row over 5 s, below the minimum sample count', async () => {
      const b = worker();
      for (const t of [0, 1_000, 3_000, 7_000]) {
        now = T0 + t;
        expect(await b.record('flipkart', 0, 1)).toBe('closed');
      }
      now = T0 + 15_000;
      expect(await b.record('flipkart', 0, 1)).toBe('open');
      expect(await worker().canPush('flipkart')).toBe(false);
    });

    it('does not open on a burst of failures at one instant (a blip every job in flight met) that the retries get through', async () => {
      const b = worker();
      for (let i = 0; i < 8; i++) expect(await b.record('shopify', 0, 1)).toBe('closed');
      now += 1_000;
      expect(await b.record('shopify', 3, 0)).toBe('closed');
      // The success ended the run: five more failures start a new one that has not lasted 5 s.
      for (let i = 0; i < 5; i++) {
        now += 900;
        expect(await b.record('shopify', 0, 1)).toBe('closed');
      }
    });

    it('never opens on flaky failures among successes', async () => {
      const b = worker();
      for (let i = 0; i < 12; i++) {
        now += 5_000;
        expect(await b.record('amazon', 0, 1)).toBe('closed');
        now += 5_000;
        // Four failed calls and then a success, again and again: never five in a row.
        if (i % 4 === 3) expect(await b.record('amazon', 1, 0)).toBe('closed');
      }
      expect(transitions).toEqual([]);
    });

    it('forgets failures older than the window: they are not recent', async () => {
      const b = worker();
      for (let i = 0; i < 4; i++) {
        now += 2_000;
        await b.record('woocommerce', 0, 1);
      }
      now += 61_000;
      expect(await b.record('woocommerce', 0, 1)).toBe('closed');
      now += 10_000;
      expect(await b.record('woocommerce', 0, 1)).toBe('closed'); // two in this run, not six
    });

    it('half-opens and closes on the probe as before, and a later single failure does not reopen it', async () => {
      const b = worker();
      for (let i = 0; i < 5; i++) {
        await b.record('flipkart', 0, 1);
        now += 2_000;
      }
      expect(await b.state('flipkart')).toBe('open');
      now += 15_000;
      expect(await b.canPush('flipkart')).toBe(true);
      expect(await b.record('flipkart', 1, 0)).toBe('closed');
      now += 1_000;
      expect(await b.record('flipkart', 0, 1)).toBe('closed');
      expect(transitions).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
    });

    it('is off with consecutiveFailures 0', async () => {
      const b = worker({ consecutiveFailures: 0 });
      for (let i = 0; i < 10; i++) {
        now += 5_000;
        expect(await b.record('amazon', 0, 1)).toBe('closed');
      }
    });
  });
});
