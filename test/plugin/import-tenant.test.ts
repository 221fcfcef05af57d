import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../companion/src/http/signature';
import { rest, runCron, testApi, wp } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * An import fills the ledger of the tenant the store is on. Before the fix the import status
 * said "done" whatever tenant the store had moved to since: after a move to shop2 (whose ledger
 * had none of the store's stock) and after a move back to default (whose ledger had missed every
 * sale made meanwhile), so the owner was never asked to import and the stale count went back out.
 */
describe('the import belongs to the tenant it ran for', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture({ companion: { tenants: ['shop2'] } });
  });
  afterAll(async () => {
    await testApi('POST', 'options', { delete: ['stockline_test_constants'] }).catch(() => undefined);
    await f?.settings({ tenant: '' }).catch(() => undefined);
    await f?.close();
  });

  const progress = async () => (await rest('GET', 'stockline/v1/admin/import', { session: f.admin })).body;
  async function importAll() {
    let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron();
      p = await progress();
    }
    expect(p.state).toBe('done');
    return p;
  }

  it('asks for an import after a move to another tenant and after a move back, and the new import fixes that ledger', async () => {
    await testApi('POST', 'reset');
    const sku = f.sku('TEN');
    const productId = await f.product({ sku, stock: 19 });
    const first = await importAll();
    expect(first).toMatchObject({ tenant: 'default', importedFor: 'default', tenantChanged: false });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 19 });

    // Moved to shop2: nothing of this store is in shop2's ledger yet.
    await f.settings({ tenant: 'shop2' });
    expect(await progress()).toMatchObject({ state: 'idle', done: 0, tenant: 'shop2', importedFor: 'default', tenantChanged: true });

    // A sale taken on shop2 goes to shop2's ledger only.
    const c = await f.checkout([{ productId, qty: 2 }]);
    expect(c.ok).toBe(true);
    await f.setStatus(c.orderId!, 'payment_complete');
    await testApi('POST', 'drain', { force: true });
    expect(await f.productStock(productId)).toBe(17);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 19, committed: 0 });
    // shop2's companion pushes its count (17) through the stock endpoint: Stockline's own number now.
    const raw = JSON.stringify({ items: [{ sku, quantity: 17, expected: 17 }] });
    const pushed = await rest('POST', 'stockline/v1/stock', { rawBody: raw, headers: { 'x-stockline-signature': sign(f.companion.secret, raw) } });
    expect(pushed.body).toEqual({ results: [{ sku, status: 'ok', quantity: 17 }] });

    // Back on default: its ledger missed that sale, so its import no longer counts either.
    await f.settings({ tenant: '' });
    expect(await progress()).toMatchObject({ state: 'idle', done: 0, tenant: 'default', importedFor: 'default', tenantChanged: true });

    // Importing again sets default's count to WooCommerce's, and the import counts again. After a
    // tenant change it is the explicit reset: it counts even a product whose stock Stockline wrote.
    const again = await importAll();
    expect(again).toMatchObject({ tenant: 'default', importedFor: 'default', tenantChanged: false, reimport: false, leftToLedger: 0 });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 17 });
    expect(await progress()).toMatchObject({ state: 'done' });
  });

  it('notices a different STOCKLINE_TENANT in wp-config.php, and a move there and back before anyone looked', async () => {
    await testApi('POST', 'reset');
    await f.product({ sku: f.sku('TENC'), stock: 3 });
    await importAll();
    await testApi('POST', 'options', { set: { stockline_test_constants: { STOCKLINE_TENANT: 'shop2' } } });
    try {
      expect(await progress()).toMatchObject({ state: 'idle', tenant: 'shop2', importedFor: 'default', tenantChanged: true });
      await importAll();
      expect(await progress()).toMatchObject({ state: 'done', tenant: 'shop2', importedFor: 'shop2', tenantChanged: false });
      // Back to default and to shop2 again, with only a storefront request in between.
      await testApi('POST', 'options', { delete: ['stockline_test_constants'] });
      await fetch(`${wp().url}/`, { headers: { cookie: 'playground_auto_login_already_happened=1' } }).then((r) => r.text());
      await testApi('POST', 'options', { set: { stockline_test_constants: { STOCKLINE_TENANT: 'shop2' } } });
      expect(await progress()).toMatchObject({ state: 'idle', tenant: 'shop2', importedFor: 'shop2', tenantChanged: true });
    } finally {
      await testApi('POST', 'options', { delete: ['stockline_test_constants'] });
    }
  });

  it('stops a running import from sending to the tenant the store moved to', async () => {
    await testApi('POST', 'reset');
    const sku = f.sku('TENR');
    await f.product({ sku, stock: 6 });
    // An import for default whose first batch the companion did not take: it is to go on in the background.
    await f.companion.stop();
    const started = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin })).body;
    expect(started).toMatchObject({ state: 'running', done: 0 });
    await f.companion.start();
    await f.settings({ tenant: 'shop2' });
    await testApi('POST', 'run-import-step'); // the background step
    expect(await f.companion.ledger.getStock('shop2', sku)).toBeNull();
    expect(f.companion.received().filter((e) => e.sku === sku && e.reason === 'import')).toEqual([]);
    expect(await progress()).toMatchObject({ state: 'idle', done: 0, tenant: 'shop2', importedFor: 'default', tenantChanged: true });
    await f.settings({ tenant: '' });
  });
});
