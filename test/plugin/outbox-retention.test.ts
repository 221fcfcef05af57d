import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('outbox retention and the drain lock', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  /** Seven delivered rows: the product's stock, then reserved, confirmed and shipped for two orders. */
  async function deliveredRows() {
    await testApi('POST', 'reset');
    const productId = await f.product({ sku: f.sku('KEEP'), stock: 50 });
    for (let i = 0; i < 2; i++) {
      const c = await f.checkout([{ productId, qty: 1 }]);
      expect(c.ok).toBe(true);
      await f.setStatus(c.orderId!, 'payment_complete');
      await f.setStatus(c.orderId!, 'completed');
    }
    await testApi('POST', 'drain', { force: true });
    const rows = await f.outbox();
    expect(rows).toHaveLength(7);
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    return rows.map((r) => r.id);
  }

  it('deletes delivered rows older than 30 days on the scheduled run, and never a pending, failed or refused one', async () => {
    const [a, b, c, d, e, g, h] = await deliveredRows();
    await testApi('POST', 'outbox/backdate', { ids: [a, b], days: 31 });
    await testApi('POST', 'outbox/backdate', { ids: [c], days: 29 });
    await testApi('POST', 'outbox/backdate', { ids: [d], days: 90, status: 'failed' });
    await testApi('POST', 'outbox/backdate', { ids: [e], days: 90, status: 'refused' });

    await testApi('POST', 'run-scheduled');
    const left = await f.outbox();
    expect(left.map((r) => r.id)).toEqual([c, d, e, g, h]);
    expect(left.find((r) => r.id === d)!.status).toBe('failed');
    expect(left.find((r) => r.id === e)!.status).toBe('refused');
  });

  it('looks for old rows at most once an hour: a row that ages past the window later waits for the next hour', async () => {
    const [a, b] = await deliveredRows();
    await testApi('POST', 'outbox/backdate', { ids: [a], days: 31 });
    await testApi('POST', 'run-scheduled');
    await testApi('POST', 'outbox/backdate', { ids: [b], days: 31 });
    await testApi('POST', 'run-scheduled');
    const left = (await f.outbox()).map((r) => r.id);
    expect(left).not.toContain(a);
    expect(left).toContain(b);
  });

  it('keeps every row when the retention filter says 0 days', async () => {
    await testApi('POST', 'options', { set: { stockline_test_filters: { stockline_retry_base_seconds: 0, stockline_outbox_retention_days: 0 } } });
    try {
      const ids = await deliveredRows();
      await testApi('POST', 'outbox/backdate', { ids, days: 400 });
      await testApi('POST', 'run-scheduled');
      expect((await f.outbox()).map((r) => r.id)).toEqual(ids);
    } finally {
      await testApi('POST', 'options', { set: { stockline_test_filters: { stockline_retry_base_seconds: 0 } } });
    }
  });

  it('a holder whose lock was taken over after its time ran out does not release the new holder’s lock', async () => {
    const r = await testApi('POST', 'lock-overrun', { name: 'stockline_test_lock' });
    expect(r.acquired).toBe(true);
    // The other request's lock is still there after the first holder's release…
    expect(r.left).toBe(r.other);
    // …while a holder releases its own.
    expect(r.reacquired).toBe(true);
    expect(r.afterOwnRelease).toBeNull();
  });
});
