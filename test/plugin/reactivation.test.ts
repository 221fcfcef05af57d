import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatePlugin, adminPage, rest, runCron, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * Stockline deactivated for a while, then activated again (acceptance pass 24): a stock edit and a
 * cancel made while it was off never reached the ledger, nothing said so, and "Check channels"
 * then wrote the ledger's old number over WooCommerce's. The owner is told, until an import
 * recounts the store.
 */
describe('activated again after a while off', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
    // Files before this one deactivate and activate the plugin too (same site).
    await testApi('POST', 'options', { delete: ['stockline_inactive_gap', 'stockline_deactivated_at'] });
  });
  afterAll(async () => {
    await activatePlugin(f.admin).catch(() => undefined);
    await f?.close();
  });

  it('says when Stockline was off and asks for an import, and stops saying it once an import has run', async () => {
    const before = await adminPage('index.php', f.admin);
    expect(before.html).not.toContain('id="stockline-was-off"');

    await testApi('POST', 'deactivate');
    await activatePlugin(f.admin);
    const after = await adminPage('index.php', f.admin);
    expect(after.html).toContain('id="stockline-was-off"');
    expect(after.html).toMatch(/Stockline was off from .+ to .+\./);
    expect(after.html).toContain('Import again');

    let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart: true } })).body;
    for (let i = 0; p.state === 'running' && i < 50; i++) {
      await runCron();
      p = (await rest('GET', 'stockline/v1/admin/import', { session: f.admin })).body;
    }
    expect(p.state).toBe('done');
    const imported = await adminPage('index.php', f.admin);
    expect(imported.html).not.toContain('id="stockline-was-off"');
  });
});
