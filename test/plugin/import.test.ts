import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../companion/src/http/signature';
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
    // Dated: when it started; not finished yet.
    expect(Math.abs(Date.parse(failed.startedAt) - Date.now())).toBeLessThan(120_000);
    expect(failed.finishedAt).toBeNull();

    await f.companion.start();
    let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron(); // the background step continues what the request started
      p = await progress();
    }
    expect(p).toMatchObject({ state: 'done', errors: [] });
    expect(p.done).toBe(p.total);
    expect(Date.parse(p.finishedAt)).toBeGreaterThanOrEqual(Date.parse(p.startedAt));
    expect(Math.abs(Date.parse(p.finishedAt) - Date.now())).toBeLessThan(120_000);
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

  it('importing again leaves to the ledger the products whose stock is Stockline\'s own push (paused, oversold, buffered), counts what the merchant changed, and a first import counts everything', async () => {
    // The trial: "Import again" (safe to run again, says the page) sent the 0 Stockline had pushed
    // for a paused SKU as its count (10 units lost once relisted), made an oversold SKU look fine
    // and lost every buffer.
    const now = () => new Date().toISOString();
    const push = async (sku: string, quantity: number, expected: number) => {
      const raw = JSON.stringify({ items: [{ sku, quantity, expected }] });
      const r = await rest('POST', 'stockline/v1/stock', { rawBody: raw, headers: { 'x-stockline-signature': sign(f.companion.secret, raw) } });
      expect(r.body.results).toEqual([{ sku, status: 'ok', quantity }]);
    };
    async function importAll(restart = true) {
      let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart } })).body;
      for (let i = 0; p.state === 'running' && i < 50; i++) {
        await runCron();
        p = await progress();
      }
      expect(p.state).toBe('done');
      return p;
    }
    const stock = (sku: string) => f.companion.ledger.getStock('default', sku);

    await testApi('POST', 'reset'); // The store's first import.
    const paused = f.sku('PAUSED');
    const oversold = f.sku('OVERSOLD');
    const buffered = f.sku('BUFFER');
    const edited = f.sku('EDITED');
    const typedBack = f.sku('TYPEDBACK');
    const plain = f.sku('PLAIN');
    const owed = f.sku('OWED');
    await f.product({ sku: paused, stock: 10 });
    const owedId = await f.product({ sku: owed, stock: 1, backorders: 'yes' });
    await f.product({ sku: oversold, stock: 1 });
    await f.product({ sku: buffered, stock: 7 });
    const editedId = await f.product({ sku: edited, stock: 6 });
    const typedBackId = await f.product({ sku: typedBack, stock: 6 });
    await f.product({ sku: plain, stock: 4 });
    const first = await importAll();
    expect(first).toMatchObject({ reimport: false, leftToLedger: 0 });
    expect(await stock(paused)).toMatchObject({ onHand: 10 });

    // What the companion then pushed to WooCommerce through the stock endpoint:
    await f.companion.ledger.setPaused('default', paused, true, 'merchant paused it');
    await push(paused, 0, 10); // paused: every channel is told 0
    await f.companion.apply({ id: `flipkart:${oversold}`, type: 'order.confirmed', source: 'flipkart', occurredAt: now(), orderId: `OD-${oversold}`, lines: [{ sku: oversold, qty: 4 }] });
    expect(await stock(oversold)).toMatchObject({ onHand: 1, committed: 4, available: -3, paused: 'oversell' });
    await push(oversold, 0, 1); // oversold: paused, 0
    await push(buffered, 5, 7); // a WooCommerce buffer of 2: available 7 shown as 5
    await f.companion.apply({ id: `amazon:${edited}`, type: 'order.confirmed', source: 'amazon', occurredAt: now(), orderId: `AMZ-${edited}`, lines: [{ sku: edited, qty: 2 }] });
    await push(edited, 4, 6);
    await push(typedBack, 3, 6);
    // …and what the merchant typed since: a new count, and one typed away and back to the pushed number.
    await testApi('POST', `products/${editedId}/edit`, { stock: 9 });
    await testApi('POST', `products/${typedBackId}/edit`, { stock: 8 });
    await testApi('POST', `products/${typedBackId}/edit`, { stock: 3 });
    await testApi('POST', `products/${owedId}/edit`, { stock: -2 }); // sold on backorder: 2 units owed
    await testApi('POST', 'drain', { force: true });

    const before = f.companion.received().length;
    const again = await importAll();
    const counted = (from: number) => new Map(f.companion.received().slice(from).filter((e) => e.reason === 'import').map((e) => [e.sku, e.set]));
    const sent = counted(before);
    // Stockline's own numbers are left to the ledger, which knows better…
    expect(again).toMatchObject({ state: 'done', reimport: true, errors: [] });
    expect(again.leftToLedger).toBeGreaterThanOrEqual(3); // (products of earlier tests the endpoint wrote too)
    expect(sent.has(paused)).toBe(false);
    expect(sent.has(oversold)).toBe(false);
    expect(sent.has(buffered)).toBe(false);
    // A store below 0 owes units the ledger holds as its oversell: not a count of 0 free (re-test:
    // the import's 0 erased what was owed, and a receipt of 5 put 5 on sale where 3 were free).
    expect(sent.has(owed)).toBe(false);
    expect(await stock(paused)).toMatchObject({ onHand: 10, available: 10, paused: 'manual' });
    expect(await stock(oversold)).toMatchObject({ onHand: 1, committed: 4, available: -3, paused: 'oversell' });
    expect(await stock(buffered)).toMatchObject({ onHand: 7, available: 7 });
    // …and what the merchant set, or Stockline never wrote, is counted as before.
    expect(sent.get(edited)).toBe(9);
    expect(sent.get(typedBack)).toBe(3);
    expect(sent.get(plain)).toBe(4);
    expect(await stock(edited)).toMatchObject({ available: 9 });
    expect(await stock(typedBack)).toMatchObject({ available: 3 });

    // A first import (here: a store whose import state is gone) is the explicit reset: every count is sent.
    await testApi('POST', 'reset');
    const from = f.companion.received().length;
    const reset = await importAll();
    expect(reset).toMatchObject({ reimport: false, leftToLedger: 0 });
    const all = counted(from);
    expect([all.get(paused), all.get(oversold), all.get(buffered), all.get(plain)]).toEqual([0, 0, 5, 4]);
  });
});
