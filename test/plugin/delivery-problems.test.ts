import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPage, rest, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';
import { listenOnLoopback } from '../support/loopback';

/** A companion that answers every event batch 400, as one that does not understand them would. */
async function rejectingCompanion(): Promise<{ url: string; close: () => void }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reject = req.method === 'POST' && req.url?.startsWith('/v1/events');
      res.writeHead(reject ? 400 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          reject ? { code: 'invalid_event', message: 'must be one of the known event types', pointer: '/events/0/type' } : { ok: true },
        ),
      );
    });
  });
  return listenOnLoopback(server);
}

describe('delivery problems the owner can see and fix', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const status = async () => (await rest('GET', 'stockline/v1/admin/status', { session: f.admin })).body;
  const rowsOf = async (sku: string) => (await f.outbox()).filter((r) => r.payload.sku === sku);

  it('holds every event while STOCKLINE_TENANT is not a tenant name, says so, and delivers them once it is fixed', async () => {
    await testApi('POST', 'options', { set: { stockline_test_constants: { STOCKLINE_TENANT: 'Shop One' } } });
    const sku = f.sku('TENANT');
    try {
      await f.product({ sku, stock: 7 });
      const drain = await testApi('POST', 'drain', { force: true });
      expect(drain.sent).toBe(0);
      expect(drain.error).toMatch(/STOCKLINE_TENANT/);
      // Before the fix every event was sent, answered 400 and marked failed for good.
      expect((await rowsOf(sku)).map((r) => r.status)).toEqual(['pending']);
      expect(f.companion.received().filter((e) => e.sku === sku)).toHaveLength(0);

      const s = await status();
      expect(s.problem).toMatch(/STOCKLINE_TENANT .*"Shop One".*not a tenant name.*"shop-one"/);
      expect(s.outbox).toMatchObject({ pending: 1, failed: 0 });
      expect(s.outbox.lastError).toBe(s.problem);
      const test = await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin });
      expect(test.body).toMatchObject({ ok: false, message: s.problem });
      const adjusted = await rest('POST', 'stockline/v1/admin/adjust', { session: f.admin, body: { sku, mode: 'add', quantity: 1, reason: 'count' } });
      expect(adjusted.status).toBe(409);
      expect(adjusted.body).toMatchObject({ code: 'stockline_settings_problem', message: s.problem });
      const imported = await rest('POST', 'stockline/v1/admin/import', { session: f.admin });
      expect(imported.body).toMatchObject({ state: 'failed', lastError: s.problem });
      const page = await adminPage('index.php', f.admin);
      expect(page.html).toContain('id="stockline-settings-problem"');
      expect(page.html).toContain('&quot;Shop One&quot;');
    } finally {
      await testApi('POST', 'options', { delete: ['stockline_test_constants'] });
    }
    await testApi('POST', 'drain');
    expect((await rowsOf(sku)).map((r) => r.status)).toEqual(['delivered']);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 7 });
    expect((await status()).problem).toBeNull();
  });

  it('keeps an event the companion rejects with its error, and sends it again when the owner asks', async () => {
    const rejecting = await rejectingCompanion();
    const sku = f.sku('REJECT');
    await f.settings({ companionUrl: rejecting.url });
    try {
      await f.product({ sku, stock: 4 });
      await testApi('POST', 'drain', { force: true });
    } finally {
      await f.settings({ companionUrl: f.companion.url });
      rejecting.close();
    }
    const [row] = await rowsOf(sku);
    expect(row).toMatchObject({ status: 'failed', result: 'rejected:invalid_event' });
    expect(row!.last_error).toBe('HTTP 400 invalid_event at /events/0/type: must be one of the known event types');

    const s = await status();
    expect(s.outbox.failed).toBe(1);
    // Before the fix: failed 1, lastError null.
    expect(s.outbox.lastError).toBe(row!.last_error);
    expect(s.outbox.failedLatest).toEqual([
      expect.objectContaining({ eventId: row!.event_id, type: 'stock.adjusted', skus: [sku], result: 'rejected:invalid_event', error: row!.last_error }),
    ]);

    // Same id again: the companion is idempotent, so sending a rejected event again is safe.
    const retry = await rest('POST', 'stockline/v1/admin/outbox/retry', { session: f.admin });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ requeued: 1, delivered: 1, error: null });
    expect((await rowsOf(sku)).map((r) => [r.event_id, r.status, r.result])).toEqual([[row!.event_id, 'delivered', 'applied']]);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 4 });
    expect((await status()).outbox).toMatchObject({ failed: 0, failedLatest: [] });
  });
});
