/**
 * The Amazon adapter against the Amazon sandbox over real HTTP: ACCEPTED → pending → confirmed
 * by read-back, error classification, token refresh on 403 and on expiry without losing a push,
 * the 180-day secret hint, and the switch to JSON_LISTINGS_FEED for large pushes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AmazonAdapter, amazonSandboxClientOptions, defaultBatchSize, SpApiClient, startAmazonSandbox, type AmazonAdapterOptions, type AmazonSandboxHandle } from '../../companion/src/channels/amazon';
import { tokenUrl } from '../../companion/src/channels/amazon/lwa';
import { Pacer } from '../../companion/src/channels/amazon/throttle';
import { ChannelError } from '../../companion/src/channels/port';
import { item, pushError } from './fixtures';

let sb: AmazonSandboxHandle;
afterEach(async () => {
  await sb?.close();
});

async function setup(sandboxOpts: Parameters<typeof startAmazonSandbox>[0] = {}, adapterOpts: AmazonAdapterOptions = {}, creds: Record<string, string> = {}) {
  sb = await startAmazonSandbox({ applyDelayMs: 80, feedProcessingMs: 60, ...sandboxOpts });
  sb.seed([{ sku: 'MUG-1', quantity: 10 }, { sku: 'TEE/2', quantity: 4 }]);
  const client = new SpApiClient(amazonSandboxClientOptions({ ...sb.credentials, ...creds }));
  return new AmazonAdapter(client, { feed: { pollMs: 20, timeoutMs: 5000 }, ...adapterOpts });
}

describe('Amazon adapter', () => {
  it('reports ACCEPTED as ok + pending, and confirms it by read-back once Amazon applied it', async () => {
    const a = await setup({ applyDelayMs: 150 });
    const [outcome] = await a.push([item('TEE/2', 7)]);
    expect(outcome).toEqual({ sku: 'TEE/2', status: 'ok', quantity: 7, pending: true });
    const early = await a.confirm();
    expect(early).toEqual([{ sku: 'TEE/2', expected: 7, shown: 4, confirmed: false }]);
    expect(a.pendingSkus()).toEqual(['TEE/2']);
    await vi.waitFor(async () => expect(await a.confirm(['TEE/2'])).toEqual([{ sku: 'TEE/2', expected: 7, shown: 7, confirmed: true }]), { timeout: 2000, interval: 30 });
    expect(a.pendingSkus()).toEqual([]);
    expect((await a.read(['TEE/2', 'NOPE'])).get('TEE/2')).toBe(7);
  });

  it('leaves an ACCEPTED push that Amazon never applies unconfirmed, and a re-push confirms', async () => {
    const a = await setup({ applyDelayMs: 20 });
    sb.setLostAcceptedRate(1);
    const [o] = await a.push([item('MUG-1', 3)]);
    expect(o).toMatchObject({ status: 'ok', pending: true });
    // Once the sandbox has applied everything it ever will: a second accepted write lands after it.
    sb.setLostAcceptedRate(0);
    await a.push([item('TEE/2', 1)]);
    await vi.waitFor(() => expect(sb.quantities()['TEE/2']).toBe(1), { timeout: 2000, interval: 10 });
    expect(await a.confirm(['MUG-1'])).toEqual([{ sku: 'MUG-1', expected: 3, shown: 10, confirmed: false }]);
    await a.push([item('MUG-1', 3)]);
    await vi.waitFor(async () => expect((await a.confirm(['MUG-1']))[0]!.confirmed).toBe(true), { timeout: 2000, interval: 20 });
  });

  it('turns INVALID issues into a validation failure and an unknown SKU into not_found', async () => {
    const a = await setup();
    const outcomes = await a.pushMany([item('MUG-1', -3), item('NOPE', 1), item('TEE/2', 2)]);
    expect(outcomes[0]).toMatchObject({ sku: 'MUG-1', status: 'failed' });
    expect(outcomes[1]).toMatchObject({ sku: 'NOPE', status: 'failed' });
    expect(outcomes[2]).toMatchObject({ sku: 'TEE/2', status: 'ok', pending: true });
    const e0 = (outcomes[0] as { error: ChannelError }).error;
    const e1 = (outcomes[1] as { error: ChannelError }).error;
    expect(e0.kind).toBe('validation');
    expect(e0.message).toContain("'quantity' is invalid");
    expect(e1.kind).toBe('not_found');
  });

  it('throws rate_limited with retryAfterMs from x-amzn-RateLimit-Limit when Amazon says QuotaExceeded', async () => {
    // Our own pacer allows more than Amazon so that Amazon's 429 is what the test sees.
    const a = await setup({}, { patchRate: 1000, patchBurst: 1000 });
    const seen: unknown[] = [];
    for (let i = 0; i < 8; i++) seen.push(await a.push([item('MUG-1', i)]).catch((e: unknown) => e));
    const err = seen.find((s) => s instanceof ChannelError) as ChannelError;
    expect(err.kind).toBe('rate_limited');
    expect(err.options.channelCode).toBe('QuotaExceeded');
    expect(err.retryAfterMs).toBe(200);
    expect(err.retryable).toBe(true);
  });

  it('holds back with rate_limited before Amazon would throttle, sending nothing for that push', async () => {
    const a = await setup();
    expect(a.limits).toEqual({ batchSize: 2, requestsPerSecond: 2.5, burst: 2 });
    sb.seed(Array.from({ length: 12 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })));
    // Six pushes of two at once = 12 PATCHes; our pacer (5/s, burst 4) gives no slot within 1 s to the last ones.
    const pushes = [0, 1, 2, 3, 4, 5].map((p) => a.push([item(`S${p * 2}`, 7), item(`S${p * 2 + 1}`, 7)]));
    const settled = await Promise.allSettled(pushes);
    const refused = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as ChannelError);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.kind).toBe('rate_limited');
    expect(refused[0]!.retryAfterMs).toBeGreaterThan(0);
    expect(sb.stats().throttled).toBe(0);
    expect(sb.stats().calls).toBe(2 * (6 - refused.length));
  });

  it('carries 20 SKUs per push, all PATCHed at once, when the rate allows many PATCHes in parallel', async () => {
    // A raised quota (or the sandbox with limits off): two SKUs per push would leave propagation's
    // per-push work, not Amazon, as the cap.
    const a = await setup({ faults: { throttling: false } }, { patchRate: 1000, patchBurst: 1000 });
    expect(a.limits).toEqual({ batchSize: 20, requestsPerSecond: 50, burst: 50 });
    sb.seed(Array.from({ length: 20 }, (_, i) => ({ sku: `P${i}`, quantity: 0 })));
    const patch = a.client.patchListingsItem.bind(a.client);
    let inFlight = 0;
    let most = 0;
    a.client.patchListingsItem = async (...args: Parameters<typeof patch>) => {
      most = Math.max(most, ++inFlight);
      try {
        return await patch(...args);
      } finally {
        inFlight -= 1;
      }
    };
    const outcomes = await a.push(Array.from({ length: 20 }, (_, i) => item(`P${i}`, i + 1)));
    expect(outcomes.map((o) => o.status)).toEqual(Array.from({ length: 20 }, () => 'ok'));
    expect(most).toBe(20);
    expect(sb.stats().calls).toBe(20);
  });

  it('follows only a rate Amazon declares: a sandbox enforcing no limit declares none, and the configured rate stands', async () => {
    const a = await setup({ faults: { throttling: false } }, { patchRate: 1000, patchBurst: 20 });
    sb.seed(Array.from({ length: 20 }, (_, i) => ({ sku: `P${i}`, quantity: 0 })));
    const batch = (q: number) => Array.from({ length: 20 }, (_, i) => item(`P${i}`, q));
    // Had the sandbox declared its published 5/s, the second push would be held back (rate_limited).
    expect((await a.push(batch(1))).every((o) => o.status === 'ok')).toBe(true);
    expect((await a.push(batch(2))).every((o) => o.status === 'ok')).toBe(true);
    expect(a.client.declaredRates.size).toBe(0);
  });

  it('follows a declared rate lower than the configured one (Amazon granted less)', async () => {
    const a = await setup({ rateScale: 0.4 }, { patchRate: 5, patchBurst: 5 });
    sb.seed(Array.from({ length: 8 }, (_, i) => ({ sku: `P${i}`, quantity: 0 })));
    await a.push([item('P0', 1), item('P1', 1)]);
    expect(a.client.declaredRates.get('patchListingsItem')).toBe(2);
    // Three pushes at once: at 5/s all six PATCHes would get a slot within maxWaitMs; at the
    // declared 2/s the third push is held back by us (and nothing by Amazon).
    const settled = await Promise.allSettled([1, 2, 3].map((p) => a.push([item(`P${p * 2}`, 1), item(`P${p * 2 + 1}`, 1)])));
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ kind: 'rate_limited', options: { channelCode: 'ClientThrottle' } });
    expect(sb.stats().throttled).toBe(0);
  });

  it('reads back a 20-SKU push at once when the rate is lifted, at 5/s on Amazon\'s published limits', async () => {
    const fast = await setup({ faults: { throttling: false } }, { patchRate: 1000, patchBurst: 1000 });
    sb.seed(Array.from({ length: 40 }, (_, i) => ({ sku: `R${i}`, quantity: i })));
    const skus = Array.from({ length: 40 }, (_, i) => `R${i}`);
    let started = Date.now();
    expect([...(await fast.read(skus)).values()]).toEqual(skus.map((_, i) => i));
    // Paced at Amazon's 5/s (burst 9) the same 40 reads take ~6 s.
    expect(Date.now() - started).toBeLessThan(2000);
    await sb.close();
    const paced = await setup();
    sb.seed(Array.from({ length: 12 }, (_, i) => ({ sku: `R${i}`, quantity: i })));
    started = Date.now();
    await paced.read(skus.slice(0, 12));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500); // 9 at once, then 200 ms apart
    expect(sb.stats().throttled).toBe(0);
  });

  it('keeps two SKUs per push at Amazon\'s 5 PATCH/s, more only as the rate grows', () => {
    expect(defaultBatchSize(5)).toBe(2);
    expect(defaultBatchSize(10)).toBe(4);
    expect(defaultBatchSize(100_000)).toBe(20);
  });

  it('refuses a push larger than its batch size', async () => {
    const a = await setup();
    await expect(a.push(Array.from({ length: 3 }, (_, i) => item(`S${i}`, 1)))).rejects.toMatchObject({ kind: 'validation' });
  });

  it('keeps under Amazon\'s 5/s itself so pushMany of 12 SKUs is never throttled', async () => {
    const a = await setup();
    sb.seed(Array.from({ length: 12 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })));
    const outcomes = await a.pushMany(Array.from({ length: 12 }, (_, i) => item(`S${i}`, 5)));
    expect(outcomes.filter((o) => o.status !== "ok")).toEqual([]);
    expect(sb.stats().throttled).toBe(0);
  });

  it('refreshes once and retries when Amazon answers 403 Unauthorized (token revoked mid-run)', async () => {
    const a = await setup();
    await a.push([item('MUG-1', 9)]);
    sb.revokeTokens();
    const [outcome] = await a.push([item('MUG-1', 8)]);
    expect(outcome).toMatchObject({ status: 'ok', pending: true });
    await vi.waitFor(() => expect(sb.quantities()['MUG-1']).toBe(8), { timeout: 2000, interval: 20 });
  });

  it('loses no push while 1-second tokens expire under a steady stream of pushes', async () => {
    const a = await setup({ tokenTtlSeconds: 1 });
    let last = 0;
    const until = Date.now() + 2600;
    while (Date.now() < until) {
      last += 1;
      const [o] = await a.push([item('MUG-1', last)]);
      expect(o!.status).toBe('ok');
      await new Promise((r) => setTimeout(r, 150));
    }
    await vi.waitFor(() => expect(sb.quantities()['MUG-1']).toBe(last), { timeout: 2000, interval: 20 });
    expect(last).toBeGreaterThan(10);
  });

  it('says the LWA secret likely expired when Login with Amazon answers invalid_client', async () => {
    const a = await setup({}, {}, { clientSecret: 'amzn1.oa2-cs.v1.rotated-away' });
    const err = await pushError(a.push([item('MUG-1', 1)]));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/secret.*expired.*180 days/);
  });

  it('reports an outage as transient', async () => {
    const a = await setup();
    await a.push([item('MUG-1', 1)]);
    sb.setFaults({ outageForMs: 60_000 });
    const err = await pushError(a.push([item('MUG-1', 2)]));
    expect(err.kind).toBe('transient');
  });

  it('pushMany switches to JSON_LISTINGS_FEED at the threshold and returns per-SKU outcomes from the report', async () => {
    const a = await setup({}, { feedThreshold: 30 });
    sb.seed(Array.from({ length: 40 }, (_, i) => ({ sku: `F${i}`, quantity: 0 })));
    const items = Array.from({ length: 40 }, (_, i) => item(`F${i}`, i + 1));
    items[5] = item('NOT-LISTED', 3);
    items[6] = item('F6', -1);
    const outcomes = await a.pushMany(items);
    expect(sb.stats().writes).toBe(1);
    expect(outcomes.filter((o) => o.status === 'ok')).toHaveLength(38);
    expect(outcomes[5]).toMatchObject({ sku: 'NOT-LISTED', status: 'failed', error: expect.objectContaining({ kind: 'not_found' }) });
    expect(outcomes[6]).toMatchObject({ sku: 'F6', status: 'failed', error: expect.objectContaining({ kind: 'validation' }) });
    expect(sb.quantities()['F39']).toBe(40);
  });

  it('polls a feed soon after creating it, so one Amazon finishes quickly is not held for a whole poll interval', async () => {
    const a = await setup({ feedProcessingMs: 60 }, { feedThreshold: 30, feed: { pollMs: 10_000, timeoutMs: 20_000 } });
    sb.seed(Array.from({ length: 40 }, (_, i) => ({ sku: `F${i}`, quantity: 0 })));
    const started = Date.now();
    const outcomes = await a.pushMany(Array.from({ length: 40 }, (_, i) => item(`F${i}`, 3)));
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);

  it('books PATCH slots all-or-none at the rate and burst it was given, following a declared rate', () => {
    let now = 0;
    const p = new Pacer(5, 4, () => now);
    expect(p.reserveMany(4, 1000)).toEqual([0, 0, 0, 0]);
    expect(p.reserveMany(6, 1000)).toBeNull(); // the sixth would wait 1200 ms: nothing booked
    expect(p.reserveMany(5, 1000)).toEqual([200, 400, 600, 800, 1000]);
    now = 10_000;
    p.setRate(2); // Amazon declared 2/s: slots are 500 ms apart now
    expect(p.reserveMany(5, Infinity)).toEqual([0, 0, 0, 0, 500]);
  });

  it('accepts the LWA origin or the full token URL as lwaUrl', () => {
    expect(tokenUrl('https://api.amazon.com')).toBe('https://api.amazon.com/auth/o2/token');
    expect(tokenUrl('https://api.amazon.co.uk/auth/o2/token/')).toBe('https://api.amazon.co.uk/auth/o2/token');
  });

  it('resolves listed SKUs to seller, marketplace and ASIN and unlisted ones to null', async () => {
    const a = await setup();
    const refs = await a.resolve(['MUG-1', 'NOPE']);
    expect(refs.get('MUG-1')).toEqual({ sku: 'MUG-1', ids: { sellerId: sb.credentials.sellerId, marketplaceId: sb.credentials.marketplaceIds, asin: expect.stringMatching(/^B0/) } });
    expect(refs.get('NOPE')).toBeNull();
  });

  it('pauses by pushing 0', async () => {
    const a = await setup();
    const [o] = await a.pause(['MUG-1']);
    expect(o).toMatchObject({ status: 'ok', quantity: 0 });
    await vi.waitFor(() => expect(sb.quantities()['MUG-1']).toBe(0), { timeout: 2000, interval: 20 });
  });
});
