import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, rest, runCron, testApi, type Session } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';
import { listenOnLoopback } from '../support/loopback';

/**
 * Passes every request on to the real companion and its answer back, keeping each method and
 * URL: the test companion serves no dead-letter, rules or mapping routes (no propagation), so
 * what the plugin asked for is checked here instead.
 */
async function recorder(target: string): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'x-stockline-signature', 'authorization']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
      void fetch(`${target}${req.url}`, { method: req.method, headers, body }).then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
  });
  return { ...(await listenOnLoopback(server)), seen };
}

/**
 * Two stores on one companion: this one on tenant `shop2`, another on `default`, with the same
 * SKU in both. The admin page reaches the companion only through the plugin's proxy, so the
 * proxy must ask for the store's tenant; before the fix it asked for none and every store on a
 * tenant of its own was shown the default tenant's stock.
 */
describe("the admin page's proxy reads and changes the store's own tenant", () => {
  let f: PluginFixture;
  let manager: Session;
  beforeAll(async () => {
    f = await pluginFixture({ companion: { tenants: ['shop2'], tenantSecrets: { shop4: 'shop4-secret-not-the-plugins-0123' } } });
    await testApi('POST', 'users', { login: 'stockline-tenant-manager', password: 'manager-pass-123', role: 'shop_manager' });
    manager = await login('stockline-tenant-manager', 'manager-pass-123');
  });
  afterAll(async () => {
    await f?.settings({ tenant: '' }).catch(() => undefined);
    await f?.close();
  });

  /** The same SKU counted 7 in shop2 and 40 in default, written straight to the ledger. */
  async function twoStores(label: string): Promise<string> {
    const sku = f.sku(label);
    const occurredAt = new Date().toISOString();
    await f.companion.apply(
      { id: `count:shop2:${sku}`, type: 'stock.adjusted', source: 'manual', occurredAt, tenant: 'shop2', sku, set: 7, reason: 'count' },
      { id: `count:default:${sku}`, type: 'stock.adjusted', source: 'manual', occurredAt, sku, set: 40, reason: 'count' },
    );
    return sku;
  }
  const proxy = (method: string, path: string, session: Session = f.admin) => rest(method, `stockline/v1/admin/proxy/${path}`, { session });

  it("shows shop2's stock and audit trail when the store's tenant is shop2, whatever tenant the browser asks for", async () => {
    const sku = await twoStores('T2');
    await f.settings({ tenant: 'shop2' });
    try {
      const one = await proxy('GET', `v1/stock/${encodeURIComponent(sku)}`);
      expect(one.status, JSON.stringify(one.body)).toBe(200);
      expect(one.body).toMatchObject({ sku, onHand: 7, available: 7 });
      const list = await proxy('GET', `v1/stock?prefix=${encodeURIComponent(sku)}&limit=5`);
      expect(list.body.items.map((i: any) => [i.sku, i.onHand])).toEqual([[sku, 7]]);
      const audit = await proxy('GET', `v1/audit?sku=${encodeURIComponent(sku)}`);
      expect(audit.status, JSON.stringify(audit.body)).toBe(200);
      expect(audit.body.items.map((e: any) => e.eventId)).toEqual([`count:shop2:${sku}`]);
      // The store's setting wins over a tenant in the browser's query, for a shop manager too.
      for (const session of [f.admin, manager]) {
        const asked = await proxy('GET', `v1/stock/${encodeURIComponent(sku)}?tenant=default`, session);
        expect(asked.body).toMatchObject({ sku, onHand: 7 });
      }
    } finally {
      await f.settings({ tenant: '' });
    }
  });

  it("keeps a store on the default tenant to the default tenant's data, even when the browser asks for shop2", async () => {
    const sku = await twoStores('T0');
    expect((await proxy('GET', `v1/stock/${encodeURIComponent(sku)}`)).body).toMatchObject({ sku, onHand: 40 });
    expect((await proxy('GET', `v1/stock/${encodeURIComponent(sku)}?tenant=shop2`, manager)).body).toMatchObject({ sku, onHand: 40 });
  });

  it("pauses shop2's SKU, not the default tenant's, through the proxy's POST", async () => {
    const sku = await twoStores('TP');
    await f.settings({ tenant: 'shop2' });
    try {
      const paused = await rest('POST', `stockline/v1/admin/proxy/v1/stock/${encodeURIComponent(sku)}/pause`, { session: f.admin, body: { reason: 'tenant test' } });
      expect(paused.status, JSON.stringify(paused.body)).toBe(200);
      expect(paused.body).toMatchObject({ sku, paused: 'manual', onHand: 7 });
    } finally {
      await f.settings({ tenant: '' });
    }
    expect(await f.companion.ledger.getStock('shop2', sku)).toMatchObject({ paused: 'manual' });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ paused: null });
  });

  it('tests the connection for the store\'s tenant: one the companion does not know is not "connected"', async () => {
    await f.settings({ tenant: 'shop2' });
    try {
      expect((await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin })).body).toMatchObject({ ok: true });
      await f.settings({ tenant: 'shop3' });
      const unknown = await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin });
      expect(unknown.body).toMatchObject({ ok: false });
      expect(unknown.body.message).toMatch(/HTTP 404: No tenant "shop3" is configured/);
      const read = await proxy('GET', 'v1/stock?limit=1');
      expect(read.status).toBe(404);
      expect(read.body.message).toMatch(/No tenant "shop3"/);
    } finally {
      await f.settings({ tenant: '' });
    }
  });

  it("checks the signing secret against the store's tenant, not the default tenant's", async () => {
    // shop4 signs with a secret of its own; the plugin still has the default tenant's.
    await f.settings({ tenant: 'shop4' });
    try {
      const r = await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin });
      expect(r.body).toMatchObject({ ok: false });
      expect(r.body.message).toMatch(/refused the signing secret for tenant "shop4"/);
      expect(r.body.message).toMatch(/STOCKLINE_TENANT_SECRETS/);
    } finally {
      await f.settings({ tenant: '' });
    }
    // shop2 signs with the plugin's secret: connected, and the probe applied nothing.
    const audited = async () => (await f.companion.ledger.listAudit('shop2', { limit: 500 })).items.length;
    const before = await audited();
    await f.settings({ tenant: 'shop2' });
    try {
      expect((await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin })).body).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected/) });
    } finally {
      await f.settings({ tenant: '' });
    }
    expect(await audited()).toBe(before);
  });

  it("sends the store's tenant with the dead-letter, rules and mapping calls too, the import's mapping check included", async () => {
    const rec = await recorder(f.companion.url);
    await f.settings({ tenant: 'shop2', companionUrl: rec.url });
    try {
      await rest('POST', 'stockline/v1/admin/proxy/v1/dead-letters/dl-1/retry', { session: f.admin });
      await rest('POST', 'stockline/v1/admin/proxy/v1/dead-letters/retry', { session: f.admin, body: { channel: 'shopify' } });
      await rest('DELETE', 'stockline/v1/admin/proxy/v1/dead-letters/dl-1?tenant=default', { session: manager });
      await rest('PUT', 'stockline/v1/admin/proxy/v1/rules/channels/shopify', { session: f.admin, body: { buffer: 2 } });
      await rest('GET', 'stockline/v1/admin/proxy/v1/dead-letters?channel=shopify&limit=5', { session: f.admin });
      let p = (await rest('POST', 'stockline/v1/admin/import', { session: f.admin, body: { restart: true } })).body;
      for (let i = 0; p.state === 'running' && i < 50; i++) {
        await runCron();
        p = (await rest('GET', 'stockline/v1/admin/import', { session: f.admin })).body;
      }
      expect(p.state).toBe('done');
    } finally {
      await f.settings({ tenant: '', companionUrl: f.companion.url });
      await rec.close();
    }
    expect(rec.seen).toEqual(
      expect.arrayContaining([
        'POST /v1/dead-letters/dl-1/retry?tenant=shop2',
        'POST /v1/dead-letters/retry?tenant=shop2',
        'DELETE /v1/dead-letters/dl-1?tenant=shop2',
        'PUT /v1/rules/channels/shopify?tenant=shop2',
        'GET /v1/dead-letters?channel=shopify&limit=5&tenant=shop2',
        'POST /v1/mapping/refresh?tenant=shop2',
      ]),
    );
    // Nothing reached the companion for another tenant, or for none (events carry theirs in the body).
    expect(rec.seen.filter((r) => !r.startsWith('POST /v1/events') && !r.includes('tenant=shop2'))).toEqual([]);
  });
});
