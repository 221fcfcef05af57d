/**
 * The Flipkart adapter against the Flipkart sandbox over real HTTP: batches of ≤ 10 with FSN and
 * location from the mapping, per-SKU outcomes, retry of only the failed SKUs, token expiry mid-run
 * without losing a push, bad credentials and throttling as the port's errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FlipkartAdapter, FlipkartClient, startFlipkartSandbox, type FlipkartSandboxHandle, type FlipkartSandboxOptions } from '../../companion/src/channels/flipkart';
import { ChannelError } from '../../companion/src/channels/port';
import { item, pushError } from './fixtures';

let sb: FlipkartSandboxHandle;
afterEach(async () => {
  await sb?.close();
});

async function setup(opts: FlipkartSandboxOptions = {}, secret?: string) {
  sb = await startFlipkartSandbox(opts);
  sb.seed(Array.from({ length: 25 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })));
  const client = new FlipkartClient({ url: sb.url, appId: sb.credentials.appId!, appSecret: secret ?? sb.credentials.appSecret! });
  return { client, adapter: new FlipkartAdapter(client, { locationId: sb.credentials.locationId }) };
}
describe('Flipkart adapter', () => {
  it('declares batches of 10 and refuses a push of 11', async () => {
    const { adapter } = await setup();
    expect(adapter.limits.batchSize).toBe(10);
    await expect(adapter.push(Array.from({ length: 11 }, (_, i) => item(`S${i}`, 1)))).rejects.toMatchObject({ kind: 'validation' });
    expect(sb.stats().calls).toBe(0);
  });

  it('at a raised call rate, one push carries up to 50 SKUs in calls of 10 sent together', async () => {
    sb = await startFlipkartSandbox({ rateLimit: null });
    sb.seed(Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })));
    const client = new FlipkartClient({ url: sb.url, appId: sb.credentials.appId!, appSecret: sb.credentials.appSecret! });
    const adapter = new FlipkartAdapter(client, { locationId: sb.credentials.locationId, requestsPerSecond: 1000, burst: 1000 });
    expect(adapter.limits).toEqual({ batchSize: 50, requestsPerSecond: 200, burst: 200 });
    await expect(adapter.push(Array.from({ length: 51 }, (_, i) => item(`S${i}`, 1)))).rejects.toMatchObject({ kind: 'validation' });
    const outcomes = await adapter.push(Array.from({ length: 50 }, (_, i) => item(`S${i}`, i + 2)));
    expect(outcomes.map((o) => o.sku)).toEqual(Array.from({ length: 50 }, (_, i) => `S${i}`));
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
    expect(sb.stats().writes).toBe(5);
    expect(sb.quantities()['S49']).toBe(51);
  });

  it('pushMany splits a larger push into calls of at most 10 SKUs', async () => {
    const { adapter } = await setup();
    const outcomes = await adapter.pushMany(Array.from({ length: 25 }, (_, i) => item(`S${i}`, i + 2)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(25).fill('ok'));
    expect(sb.stats().writes).toBe(3);
    expect(sb.quantities()['S24']).toBe(26);
  });

  it('reports per SKU: unlisted → not_found, negative → validation, the rest ok', async () => {
    const { adapter } = await setup();
    const outcomes = await adapter.push([item('S1', 5), item('NOPE', 1), item('S2', -1)]);
    expect(outcomes[0]).toEqual({ sku: 'S1', status: 'ok', quantity: 5 });
    expect(outcomes[1]).toMatchObject({ sku: 'NOPE', status: 'failed', error: expect.objectContaining({ kind: 'not_found' }) });
    expect(outcomes[2]).toMatchObject({ sku: 'S2', status: 'failed', error: expect.objectContaining({ kind: 'validation' }) });
    expect((outcomes[2] as { error: ChannelError }).error.message).toContain('INVALID_INVENTORY');
  });

  it('retries only the SKUs that failed transiently, and reports those still failing as transient', async () => {
    const { adapter } = await setup();
    sb.setSkuFailureRate(1);
    const outcomes = await adapter.push([item('S1', 5), item('S2', 6)]);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
    expect((outcomes[0] as { error: ChannelError }).error.kind).toBe('transient');
    expect(sb.stats().calls).toBe(3); // listing lookup + first try + one retry of the failures
  });

  it('recovers from a stale FSN in its cache by re-resolving and retrying that SKU', async () => {
    const { adapter } = await setup();
    await adapter.resolve(['S3']);
    // Flipkart now knows S3 under another FSN; the cached one is refused.
    sb.setFsn('S3', 'NEWFSN00000000AB');
    const [o] = await adapter.push([item('S3', 8)]);
    expect(o).toEqual({ sku: 'S3', status: 'ok', quantity: 8 });
    expect(sb.quantities()['S3']).toBe(8);
  });

  it('reads quantities back and resolves SKUs to FSN + location', async () => {
    const { adapter } = await setup();
    await adapter.push([item('S4', 13)]);
    expect(await adapter.read(['S4', 'NOPE'])).toEqual(new Map([['S4', 13], ['NOPE', null]]));
    const refs = await adapter.resolve(['S4', 'NOPE']);
    expect(refs.get('S4')).toEqual({ sku: 'S4', ids: { fsn: sb.fsnOf('S4'), locationId: sb.credentials.locationId } });
    expect(refs.get('NOPE')).toBeNull();
  });

  it('loses no push when the token expires mid-run (401 → new token → retry)', async () => {
    const { adapter, client } = await setup({ tokenTtlSeconds: 3600 });
    for (let i = 0; i < 6; i++) {
      if (i === 3) sb.expireTokens();
      const [o] = await adapter.push([item('S5', 100 + i)]);
      expect(o!.status).toBe('ok');
    }
    expect(sb.quantities()['S5']).toBe(105);
    expect(client.tokenExchanges).toBe(2);
  });

  it('renews short-lived tokens before they expire under a steady stream of pushes', async () => {
    const { adapter, client } = await setup({ tokenTtlSeconds: 1 });
    let last = 0;
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      last += 1;
      const [o] = await adapter.push([item('S6', last)]);
      expect(o!.status).toBe('ok');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sb.quantities()['S6']).toBe(last);
    expect(client.tokenExchanges).toBeGreaterThanOrEqual(3);
  });

  it('throws auth when the app credentials are wrong', async () => {
    const { adapter } = await setup({}, 'wrong');
    const err = await pushError(adapter.push([item('S1', 1)]));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('Bad credentials');
  });

  it('throws rate_limited with Retry-After when Flipkart answers 429', async () => {
    const { adapter } = await setup({ rateLimit: { requestsPerSecond: 0.1, burst: 2 } });
    await adapter.push([item('S1', 1)]);
    const err = await pushError(adapter.push([item('S1', 2)]));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(1000);
  });

  it('throws transient on a 5xx', async () => {
    const { adapter } = await setup();
    await adapter.resolve(['S1']);
    sb.setFaults({ errorRate: 1 });
    const err = await pushError(adapter.push([item('S1', 2)]));
    expect(err.kind).toBe('transient');
    expect(err.options.status).toBe(500);
  });
});
