import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, rest, testApi, type Session } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';
import { listenOnLoopback } from '../support/loopback';

/**
 * A host a shop manager might point the plugin at: it answers 200 to anything and keeps the
 * headers it was sent. Listening on port 0 and using the port it got, so no other test can hold it.
 */
async function listener(): Promise<{ url: string; seen: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return { ...(await listenOnLoopback(server)), seen };
}

describe('who may change where the companion is and its credentials', () => {
  let f: PluginFixture;
  let manager: Session;
  beforeAll(async () => {
    f = await pluginFixture();
    await testApi('POST', 'users', { login: 'stockline-manager', password: 'manager-pass-123', role: 'shop_manager' });
    manager = await login('stockline-manager', 'manager-pass-123');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a shop manager cannot point the plugin elsewhere, so the admin token never leaves for another host', async () => {
    const other = await listener();
    try {
      const changed = await rest('POST', 'stockline/v1/admin/settings', { session: manager, body: { companionUrl: other.url } });
      expect(changed.status).toBe(403);
      expect(changed.body).toMatchObject({ code: 'stockline_admin_only' });
      expect(changed.body.message).toMatch(/administrator/i);
      expect(changed.body.message).toMatch(/companion URL/);
      // The calls that carry the admin token still go to the configured companion only.
      expect((await rest('GET', 'stockline/v1/admin/status', { session: manager })).status).toBe(200);
      expect((await rest('POST', 'stockline/v1/admin/test-connection', { session: manager })).body).toMatchObject({ ok: true });
      expect((await rest('GET', 'stockline/v1/admin/proxy/v1/stock?limit=1', { session: manager })).status).toBe(200);
      expect(other.seen).toEqual([]);
      expect((await rest('GET', 'stockline/v1/admin/settings', { session: f.admin })).body).toMatchObject({ companionUrl: f.companion.url });
    } finally {
      await other.close();
    }
  });

  it('a shop manager cannot set or clear the secret or the admin token either, and a refused request changes nothing', async () => {
    for (const body of [
      { adminToken: 'chosen-by-the-manager' },
      { secret: 'chosen-by-the-manager' },
      { adminToken: '' },
      { secret: '', checkoutTimeoutMs: 900 },
    ]) {
      const r = await rest('POST', 'stockline/v1/admin/settings', { session: manager, body });
      expect(r.status, JSON.stringify(body)).toBe(403);
      expect(r.body.message).toMatch(/administrator/i);
    }
    const after = await rest('GET', 'stockline/v1/admin/settings', { session: f.admin });
    expect(after.body).toMatchObject({ companionUrl: f.companion.url, secretSet: true, adminTokenSet: true, checkoutTimeoutMs: 500 });
    // Still connected with the administrator's credentials.
    expect((await rest('POST', 'stockline/v1/admin/test-connection', { session: f.admin })).body).toMatchObject({ ok: true });
  });

  it("a shop manager cannot move the store to another tenant, whose stock the admin page would then show, but may resend the tenant unchanged", async () => {
    const moved = await rest('POST', 'stockline/v1/admin/settings', { session: manager, body: { tenant: 'shop2' } });
    expect(moved.status).toBe(403);
    expect(moved.body).toMatchObject({ code: 'stockline_admin_only' });
    expect(moved.body.message).toMatch(/tenant/);
    expect((await rest('GET', 'stockline/v1/admin/settings', { session: f.admin })).body).toMatchObject({ tenant: 'default' });
    // Unchanged ('' and 'default' both mean the default tenant) is not a change.
    for (const tenant of ['', 'default']) {
      expect((await rest('POST', 'stockline/v1/admin/settings', { session: manager, body: { tenant, checkoutTimeoutMs: 600 } })).status).toBe(200);
    }
    await f.settings({ checkoutTimeoutMs: 500 });
  });

  it('a shop manager still reads the settings and status, saves the rest, and may resend the URL unchanged', async () => {
    const settings = await rest('GET', 'stockline/v1/admin/settings', { session: manager });
    expect(settings.status).toBe(200);
    expect(JSON.stringify(settings.body)).not.toContain(f.companion.adminToken);
    const saved = await rest('POST', 'stockline/v1/admin/settings', {
      session: manager,
      body: { companionUrl: `${f.companion.url}/`, checkoutGuard: false, checkoutTimeoutMs: 700 },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ companionUrl: f.companion.url, checkoutGuard: false, checkoutTimeoutMs: 700 });
    await f.settings({ checkoutGuard: true, checkoutTimeoutMs: 500 });
  });

  it('an administrator still changes all of them', async () => {
    const other = await listener();
    try {
      const r = await rest('POST', 'stockline/v1/admin/settings', { session: f.admin, body: { companionUrl: other.url, adminToken: 'another-token' } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ companionUrl: other.url, adminTokenSet: true });
    } finally {
      await f.settings({ companionUrl: f.companion.url, adminToken: f.companion.adminToken });
      await other.close();
    }
  });
});
