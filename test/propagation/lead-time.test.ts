/**
 * Lead time (lead-time.ts, pace-1.lua): a channel that shows pushes late is shown less while the
 * other channels sell a low-stock SKU fast, and gets its full number again once the sales slow.
 */
import { describe, expect, it } from 'vitest';
import { leadTimeHold, paceAt, paceField } from '../../companion/src/propagation/lead-time';
import { auth, ev, until, useFixtures } from './helpers';
import { useSyncScripts } from './sync-scripts';

describe('lead-time hold', () => {
  it("holds back the other channels' expected sales within the lead time, rounded up, only while stock is within their reach", () => {
    const rule = { leadTimeMs: 500 };
    // 2 sales/s in all, 0.5/s of them here: the others sell 0.75 units in 500 ms.
    const pace = { all: 2, own: 0.5 };
    expect(leadTimeHold(rule, pace, 1)).toBe(1);
    // Everyone sells 1 unit in the lead time: within reach is ⌈1 + 2·1⌉ + 1 = 4 units.
    expect(leadTimeHold(rule, pace, 4)).toBe(1);
    expect(leadTimeHold(rule, pace, 5)).toBe(0);
    // The buffer is already held back: what is left after it counts.
    expect(leadTimeHold({ ...rule, buffer: 3 }, pace, 7)).toBe(1);
    expect(leadTimeHold(rule, { all: 8, own: 0 }, 2)).toBe(4);
    // Off without a lead time; nothing for the channel's own sales or a pace that has died down.
    expect(leadTimeHold({}, pace, 1)).toBe(0);
    expect(leadTimeHold({ leadTimeMs: 0 }, pace, 1)).toBe(0);
    expect(leadTimeHold(rule, { all: 3, own: 3 }, 1)).toBe(0);
    expect(leadTimeHold(rule, { all: 0.3, own: 0 }, 1)).toBe(0);
  });
});

describe('pace of sales (pace-1.lua)', () => {
  const open = useSyncScripts();

  it('adds 1000/tau per sale, decays by e every tau, per SKU and per channel that sold', async () => {
    const { s, keys, redis } = await open();
    const key = keys.propagation('default', 'pace');
    const tau = 1000;
    expect(await s.pace(key, tau, [
      { at: 10_000, sku: 'A', channel: 'shopify' },
      { at: 10_000, sku: 'A', channel: '' },
      { at: 11_000, sku: 'A', channel: 'shopify' },
      // Read out of order: its decayed share, the time stays.
      { at: 9_000, sku: 'A', channel: 'flipkart' },
    ])).toBe(4);
    const [all, shopify, flipkart, other] = await redis.hmget(key, 'A', paceField('A', 'shopify'), paceField('A', 'flipkart'), 'B');
    // 2 at 10 s decayed by one tau, + 1 at 11 s, + the 9 s sale decayed by two.
    expect(paceAt(all, 11_000, tau)).toBeCloseTo(2 / Math.E + 1 + 1 / Math.E ** 2, 3);
    expect(paceAt(shopify, 11_000, tau)).toBeCloseTo(1 / Math.E + 1, 3);
    expect(paceAt(shopify, 13_000, tau)).toBeCloseTo((1 / Math.E + 1) / Math.E ** 2, 3);
    expect(paceAt(flipkart, 9_000, tau)).toBeCloseTo(1, 3);
    expect(other).toBeNull();
    expect(paceAt(other, 11_000, tau)).toBe(0);
  });
});

describe('lead time on live channels', () => {
  const openFixture = useFixtures();

  it("shows a late channel less while the others sell a low SKU fast, its own sales do not count, and it gets the full number once sales slow", async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed([{ sku: 'HOT', quantity: 0 }, { sku: 'OWN', quantity: 0 }]);
    await fx.ledger.applyBatch([ev.received('HOT', 5), ev.received('OWN', 5)]);
    // Sales count for a second (tau); a held push is looked at again a second later.
    await fx.start({ settings: { paceMs: 1000 } });
    const app = await fx.app();
    await fx.settled();
    const put = await app.inject({ method: 'PUT', url: '/v1/rules/channels/fake-a', headers: auth, payload: { leadTimeMs: 500 } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ leadTimeMs: 500 });
    await fx.settled();
    expect(a.quantities()).toEqual({ HOT: 5, OWN: 5 });
    const before = a.writes().length;

    // Three sales on fake-b at once: 3 sales/s on the others, 1.5 units within fake-a's 500 ms.
    // Three on fake-a itself of OWN: it takes them off its own number; nothing to hold.
    await fx.ledger.applyBatch([ev.sale('HOT', 1, 'fake-b'), ev.sale('HOT', 1, 'fake-b'), ev.sale('HOT', 1, 'fake-b')]);
    await fx.ledger.applyBatch([ev.sale('OWN', 1, 'fake-a'), ev.sale('OWN', 1, 'fake-a'), ev.sale('OWN', 1, 'fake-a')]);
    await until(() => a.quantities().HOT === 0, 5_000, 'fake-a shown HOT held back');
    // GET /v1/sync says what is held back (as much as the pace has decayed to by now).
    const during = (await app.inject({ method: 'GET', url: '/v1/sync?skus=HOT', headers: auth })).json().items[0].channels;
    expect(during['fake-a'].held).toBeGreaterThanOrEqual(1);
    expect(during['fake-a'].expected + during['fake-a'].held).toBe(2);
    expect(during['fake-b']).toMatchObject({ expected: 2, held: 0 });
    await fx.settled(20_000);
    const after = (await app.inject({ method: 'GET', url: '/v1/sync?skus=HOT', headers: auth })).json().items[0].channels;
    expect(after['fake-a']).toMatchObject({ shown: 2, expected: 2, held: 0, matches: true });

    const hot = a.writes().slice(before).filter((w) => w.sku === 'HOT').map((w) => w.quantity);
    const own = a.writes().slice(before).filter((w) => w.sku === 'OWN').map((w) => w.quantity);
    // Held back 2 (⌈1.5⌉) of the 2 left at first, then less as the pace decays, then the full number.
    expect(hot[0]).toBe(0);
    expect(hot.at(-1)).toBe(2);
    expect(hot).toEqual([...hot].sort((x, y) => x - y));
    expect(own.every((q) => q === 2)).toBe(true);
    expect(a.quantities()).toEqual({ HOT: 2, OWN: 2 });
    // The channel without a lead time is shown the ledger's number at once, and only that.
    expect(b.writes().filter((w) => w.sku === 'HOT' && w.quantity < 2)).toEqual([]);
    expect(b.quantities()).toEqual({ HOT: 2, OWN: 2 });

    // The rule is shown, and refused when out of range.
    expect((await app.inject({ method: 'GET', url: '/v1/rules', headers: auth })).json().channels['fake-a']).toEqual({ leadTimeMs: 500 });
    const bad = await app.inject({ method: 'PUT', url: '/v1/rules/channels/fake-a', headers: auth, payload: { leadTimeMs: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('leadTimeMs');
  });
});
