import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activatePlugin, adminPage, adminSession, testApi, type Session } from '../support/wordpress';

describe('activating the plugin in a real WordPress', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await adminSession();
  });

  it('creates the outbox table with the current schema version when activated from the Plugins screen', async () => {
    await activatePlugin(admin);
    const state = await testApi('GET', 'state');
    expect(state.tableExists).toBe(true);
    expect(state.dbVersion).toBe(1);
    // HPOS (orders read through the CRUD API only) and the block checkout (held through the Store API hook).
    expect(state.hpos).toEqual({ custom_order_tables: { 'stockline/stockline.php': true }, cart_checkout_blocks: { 'stockline/stockline.php': true } });
  });

  it('removes its options and table on uninstall, and comes back whole when activated again', async () => {
    await activatePlugin(admin);
    await testApi('POST', 'options', { set: { stockline_settings: { tenant: 'x' }, stockline_secret: 's' } });
    expect((await testApi('GET', 'state')).options).toEqual(expect.arrayContaining(['stockline_db_version', 'stockline_site_id', 'stockline_settings', 'stockline_secret']));
    await testApi('POST', 'uninstall');
    const gone = await testApi('GET', 'state');
    expect(gone).toMatchObject({ active: false, tableExists: false, options: [] });
    await activatePlugin(admin);
    const back = await testApi('GET', 'state');
    expect(back).toMatchObject({ active: true, tableExists: true, dbVersion: 1 });
  });

  it('stays active without WooCommerce and says in an admin notice that WooCommerce is needed', async () => {
    await activatePlugin(admin);
    await testApi('POST', 'options', { set: { stockline_test_no_wc: '1' } });
    try {
      const dashboard = await adminPage('index.php', admin);
      expect(dashboard.status).toBe(200);
      expect(dashboard.html).toContain('id="stockline-needs-woocommerce"');
      // Top-level menu entry when there is no WooCommerce menu to sit under.
      expect(dashboard.html).toMatch(/id="toplevel_page_stockline"/);
      const plugins = await adminPage('plugins.php', admin);
      expect(plugins.html).toContain('action=deactivate&amp;plugin=stockline%2Fstockline.php');
    } finally {
      await testApi('POST', 'options', { delete: ['stockline_test_no_wc'] });
    }
  });

  // `npm test` builds the page (npm run build:ui) before the suites run.
  const built = existsSync(new URL('../../plugin/build/index.asset.php', import.meta.url));

  it('sits under the WooCommerce menu and enqueues the built admin page with its boot data', async () => {
    const page = await adminPage('admin.php?page=stockline', admin);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<div id="stockline-admin-root"></div>');
    expect(page.html).not.toContain('id="toplevel_page_stockline"');
    expect(page.html).toMatch(/<li class="[^"]*"><a href='admin\.php\?page=stockline'/);
    if (!built) {
      expect(page.html).toContain('npm run build:ui');
      return;
    }
    expect(page.html).toMatch(/<script[^>]+plugins\/stockline\/build\/index\.js\?ver=/);
    expect(page.html).toMatch(/window\.stocklineAdmin = \{"restRoot":"[^"]+stockline\\\/v1\\\/","nonce":"[0-9a-f]{10}","woocommerce":true,"version":"0\.1\.0"\}/);
  });
});
