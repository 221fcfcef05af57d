import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rest, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

/**
 * A companion whose answers get lost: every request is passed on to the real companion (which
 * applies it), and the answer is never sent back, the way a timeout after the work was done looks.
 */
async function lostAnswers(target: string): Promise<{ url: string; forwarded: () => number; close: () => void }> {
  const sockets = new Set<Socket>();
  let forwarded = 0;
  const server: Server = createServer((req) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'x-stockline-signature', 'authorization']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      void fetch(`${target}${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }).then(async (r) => {
        await r.text();
        forwarded++;
      });
    });
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    forwarded: () => forwarded,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('stock corrections from the admin page', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture({ companion: { tenants: ['shop-two'] } });
  });
  afterAll(async () => {
    await f?.settings({ tenant: '' }).catch(() => undefined);
    await f?.close();
  });

  const adjust = (body: Record<string, unknown>) => rest('POST', 'stockline/v1/admin/adjust', { session: f.admin, body });

  it('go to the configured tenant, stamped with the real time to the millisecond', async () => {
    await f.settings({ tenant: 'shop-two' });
    try {
      const sku = f.sku('TENANT');
      await f.product({ sku, stock: 10 });
      expect(await f.companion.ledger.getStock('shop-two', sku)).toMatchObject({ onHand: 10 });
      const before = f.companion.received().length;
      for (let i = 0; i < 3; i++) {
        const r = await adjust({ sku, mode: 'add', quantity: 1, reason: 'found in the back room' });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ status: 'applied' });
      }
      // Before the fix the events carried no tenant, so the default tenant's ledger was changed.
      expect(await f.companion.ledger.getStock('shop-two', sku)).toMatchObject({ onHand: 13 });
      expect(await f.companion.ledger.getStock('default', sku)).toBeNull();
      const sent = f.companion.received().slice(before);
      expect(sent.map((e) => e.tenant)).toEqual(['shop-two', 'shop-two', 'shop-two']);
      expect(sent.every((e) => e.source === 'manual' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.occurredAt))).toBe(true);
      // gmdate() has no milliseconds: ".000" every time. Three real stamps all on ".000" is a 1e-9 chance.
      expect(sent.some((e) => !e.occurredAt.endsWith('.000Z'))).toBe(true);
    } finally {
      await f.settings({ tenant: '' });
    }
  });

  it('are applied once when the answer was lost and the owner saves the same dialog again', async () => {
    const sku = f.sku('LOST');
    await f.product({ sku, stock: 10 });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 10 });
    const proxy = await lostAnswers(f.companion.url);
    await testApi('POST', 'options', { set: { stockline_test_filters: { stockline_retry_base_seconds: 0, stockline_adjust_timeout_ms: 1000 } } });
    await f.settings({ companionUrl: proxy.url });
    const body = { sku, mode: 'add', quantity: 5, reason: 'delivery', requestId: 'dlg-6f1c2a9e4b7d' };
    try {
      const lost = await adjust(body);
      expect(lost.status).toBe(504);
      expect(lost.body.code).toBe('companion_timeout');
      // The companion did apply it: "the stock was not changed" would be false.
      expect(lost.body.message).not.toMatch(/not changed/);
      expect(lost.body.message).toMatch(/may have been applied/);
      expect(proxy.forwarded()).toBe(1);
      expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 15 });
    } finally {
      await f.settings({ companionUrl: f.companion.url });
      await testApi('POST', 'options', { set: { stockline_test_filters: { stockline_retry_base_seconds: 0 } } });
      proxy.close();
    }
    const again = await adjust(body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate' });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 15 });

    // A new dialog (a new request id) is a new correction.
    const next = await adjust({ ...body, requestId: 'dlg-0a1b2c3d4e5f' });
    expect(next.body).toMatchObject({ status: 'applied' });
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 20 });
    expect((await adjust({ ...body, requestId: 'bad id!' })).status).toBe(400);
  });

  it('says the stock was not changed only when no connection could be made', async () => {
    const sku = f.sku('DOWN');
    await f.product({ sku, stock: 3 });
    // Port 1: nothing listens there, and no other test can take it meanwhile (a port just found free can be).
    await f.settings({ companionUrl: 'http://127.0.0.1:1' });
    try {
      const r = await adjust({ sku, mode: 'set', quantity: 4, reason: 'count', requestId: 'dlg-aaaabbbbcccc' });
      if (r.status === 504) {
        // WordPress Playground's network bridge, when the machine is busy, reports a refused
        // connection as curl's "Empty reply", which a real companion can also give after applying
        // a change: that must be "unknown", never "not changed". Native PHP reports the refusal.
        expect(r.body).toMatchObject({ code: 'companion_timeout', detail: expect.stringMatching(/Empty reply/) });
      } else {
        expect(r.status, JSON.stringify(r.body)).toBe(502);
        expect(r.body).toMatchObject({ code: 'companion_unreachable' });
        expect(r.body.message).toMatch(/not changed/);
      }
    } finally {
      await f.settings({ companionUrl: f.companion.url });
    }
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 3 });
  });
});
