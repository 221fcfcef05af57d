import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rest, runCron, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('connect and import', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    // Small batches, so a handful of products takes several steps.
    f = await pluginFixture({ filters: { stockline_import_batch: 3 } });
  });
  afterAll(async () => {
    await f?.close();
  });

  const progress = async () => (await rest('GET', 'stockline/v1/admin/import', { session: f.admin })).body;

  it('sends every stock-managed product as an absolute set, resumes after an interruption, lists products without SKU, and is harmless to repeat', async () => {
    // A store that had products before Stockline: nothing about them reached the companion.
    await f.companion.stop();
    const skus = [f.sku('IMP'), f.sku('IMP'), f.sku('IMP'), f.sku('IMP')];
    const stocks = [3, 0, 12, 7];
    const ids = [];
    for (const [i, sku] of skus.entries()) ids.push(await f.product({ sku, stock: stocks[i]!, name: `Import ${i}` }));
    const noSku = await f.product({ sku: '', stock: 4, name: 'Mystery box' });
    await f.product({ sku: f.sku('NOSTOCK'), stock: 0, manageStock: false });
    await testApi('POST', 'reset');

    // Interrupted: the companion is down when the import starts.
    const failed = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin })).body;
    expect(failed).toMatchObject({ state: 'running', done: 0 });
    expect(failed.lastError).toMatch(/cURL|connect|Socket/i);
    expect(failed.total).toBeGreaterThanOrEqual(5);
    // Just started: it has not been idle long.
    expect(failed.idleSeconds).toBeLessThan(30);

    await f.companion.start();
    let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron(); // the background step continues what the request started
      p = await progress();
    }
    expect(p).toMatchObject({ state: 'done', errors: [] });
    expect(p.done).toBe(p.total);
    expect(p.needsSku).toContainEqual({ id: noSku, name: 'Mystery box' });
    for (const [i, sku] of skus.entries()) {
      expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: stocks[i], committed: 0, reserved: 0 });
    }
    const sent = f.companion.received().filter((e) => skus.includes(e.sku));
    expect(sent.every((e) => e.type === 'stock.adjusted' && e.reason === 'import')).toBe(true);
    expect(new Set(sent.map((e) => e.sku)).size).toBe(4);

    // Again from the start: same quantities, nothing else changes.
    p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart: true } })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron();
      p = await progress();
    }
    expect(p.state).toBe('done');
    for (const [i, sku] of skus.entries()) {
      expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: stocks[i] });
    }
    expect(await f.productStock(ids[2]!)).toBe(12);
    expect(p.idleSeconds).toBeNull();

    // An import nobody has run for 10 minutes (a site whose WP-Cron never fires) says how long.
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    await testApi('POST', 'options', { set: { stockline_import: { state: 'running', run: '1', cursor: 0, done: 0, total: 5, progressAt: tenMinutesAgo } } });
    expect((await progress()).idleSeconds).toBeGreaterThanOrEqual(600);
    await testApi('POST', 'options', { delete: ['stockline_import'] });
  });

  it('gives an import started in the same second as the last one ids of its own, so the companion applies it', async () => {
    const sku = f.sku('AGAIN');
    await f.product({ sku, stock: 5 });
    const importIds = () => f.companion.received().filter((e) => e.sku === sku && e.reason === 'import').map((e) => e.id);
    // Both runs inside one second (run ids were the start time in seconds, so the second run
    // repeated the first one's ids and the companion answered `duplicate` to every count).
    while (Date.now() % 1000 > 100) await new Promise((r) => setTimeout(r, 10));
    for (let run = 0; run < 2; run++) {
      const p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart: true } })).body;
      expect(p.state).toBe('done');
    }
    const ids = importIds();
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});
