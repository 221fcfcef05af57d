import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPage, login, rest, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('REST routes for the admin page', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers 401 without a login or without the REST nonce, 403 to a user who cannot manage the shop', async () => {
    expect((await rest('GET', 'stockline/v1/admin/status')).status).toBe(401);
    expect((await rest('GET', 'stockline/v1/admin/settings', { session: f.admin, nonce: false })).status).toBe(401);
    expect((await rest('POST', 'stockline/v1/admin/import', { session: f.admin, nonce: false })).status).toBe(401);
    await testApi('POST', 'users', { login: 'stockline-editor', password: 'editor-pass-123', role: 'editor' });
    const editor = await login('stockline-editor', 'editor-pass-123');
    expect((await rest('GET', 'stockline/v1/admin/status', { session: editor })).status).toBe(403);
    expect((await rest('GET', 'stockline/v1/admin/proxy/v1/channels', { session: editor })).status).toBe(403);
    expect((await rest('POST', 'stockline/v1/admin/settings', { session: editor, body: { companionUrl: 'http://evil.test' } })).status).toBe(403);
    const status = await rest('GET', 'stockline/v1/admin/status', { session: f.admin });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ connected: true, companionUrl: f.companion.url, tenant: 'default', woocommerce: true });
    expect(status.body.outbox).toEqual(expect.objectContaining({ pending: 0, failed: 0, oldestAgeSeconds: 0 }));
  });

  it('never echoes the secret or the admin token, in the settings route or the admin page', async () => {
    const settings = await rest('GET', 'stockline/v1/admin/settings', { session: f.admin });
    expect(settings.body).toEqual({
      companionUrl: f.companion.url,
      tenant: 'default',
      checkoutGuard: true,
      checkoutTimeoutMs: 500,
      secretSet: true,
      adminTokenSet: true,
      constants: [],
    });
    const page = await adminPage('admin.php?page=stockline', f.admin);
    for (const text of [JSON.stringify(settings.body), page.html]) {
      expect(text).not.toContain(f.companion.secret);
      expect(text).not.toContain(f.companion.adminToken);
    }
  });

  it('refuses a companion URL that is not http(s), and accepts a private address', async () => {
    const bad = await rest('POST', 'stockline/v1/admin/settings', { session: f.admin, body: { companionUrl: 'ftp://10.0.0.5/' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'stockline_invalid_url' });
    const ok = await rest('POST', 'stockline/v1/admin/settings', { session: f.admin, body: { companionUrl: 'http://10.0.0.5:7400/' } });
    expect(ok.body).toMatchObject({ companionUrl: 'http://10.0.0.5:7400' });
    await f.settings({ companionUrl: f.companion.url });
  });

  it('lets wp-config.php constants win over the settings screen', async () => {
    await testApi('POST', 'options', { set: { stockline_test_constants: { STOCKLINE_COMPANION_URL: 'http://127.0.0.1:9', STOCKLINE_TENANT: 'shop-two' } } });
    const saved = await rest('POST', 'stockline/v1/admin/settings', { session: f.admin, body: { companionUrl: 'http://127.0.0.1:8', tenant: 'other', checkoutTimeoutMs: 800 } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ companionUrl: 'http://127.0.0.1:9', tenant: 'shop-two', checkoutTimeoutMs: 800, constants: ['STOCKLINE_COMPANION_URL', 'STOCKLINE_TENANT'] });
    await testApi('POST', 'options', { delete: ['stockline_test_constants'] });
    // The option underneath was left alone: without the constants the saved URL still applies.
    const after = await rest('GET', 'stockline/v1/admin/settings', { session: f.admin });
    expect(after.body).toMatchObject({ companionUrl: f.companion.url, tenant: 'default', constants: [] });
    await f.settings({ checkoutTimeoutMs: 500 });
  });

  it('proxies reads to the companion with the bearer token added server-side, and says 502 when it is down', async () => {
    const sku = f.sku('PROXY');
    await f.product({ sku, stock: 12 });
    const found = await rest('GET', `stockline/v1/admin/proxy/v1/stock/${encodeURIComponent(sku)}`, { session: f.admin });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ sku, onHand: 12, available: 12 });
    const list = await rest('GET', `stockline/v1/admin/proxy/v1/stock?prefix=${encodeURIComponent(sku)}&limit=5`, { session: f.admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.sku)).toEqual([sku]);
    const missing = await rest('GET', 'stockline/v1/admin/proxy/v1/stock/NOPE-404', { session: f.admin });
    expect(missing.status).toBe(404);

    await f.settings({ adminToken: 'wrong-token' });
    expect((await rest('GET', `stockline/v1/admin/proxy/v1/stock/${encodeURIComponent(sku)}`, { session: f.admin })).status).toBe(401);
    const bad = await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin });
    expect(bad.body).toMatchObject({ ok: false });
    expect(bad.body.message).toMatch(/admin token/);
    await f.settings({ adminToken: f.companion.adminToken });
    const good = await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin });
    expect(good.body).toMatchObject({ ok: true });
    expect(good.body.latencyMs).toBeGreaterThanOrEqual(0);

    await f.companion.stop();
    try {
      const down = await rest('GET', 'stockline/v1/admin/proxy/v1/channels', { session: f.admin });
      expect(down.status).toBe(502);
      expect(down.body).toMatchObject({ code: 'companion_unreachable' });
      expect((await rest('GET', 'stockline/v1/admin/status', { session: f.admin })).body.connected).toBe(false);
    } finally {
      await f.companion.start();
    }
  });
});
