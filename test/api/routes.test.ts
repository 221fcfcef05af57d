import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFixture, events, OTHER_SECRET, type ApiFixture } from './helpers';

describe('HTTP API happy paths', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('applies a signed event, answers with the new state, and answers a resend as a duplicate', async () => {
    const event = events.received('A-1', 5);
    const first = await f.post(event);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: event.id, status: 'applied', stock: [{ sku: 'A-1', onHand: 5, available: 5, version: 1 }] });
    const again = await f.post(event);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: event.id, status: 'duplicate', stock: [{ sku: 'A-1', onHand: 5, version: 1 }] });
  });

  it('answers a refused single event with 409 or 404 and the result body', async () => {
    await f.post(events.received('B', 1));
    const short = await f.post(events.reserved('cart-1', [{ sku: 'B', qty: 3 }]));
    expect(short.statusCode).toBe(409);
    expect(short.json()).toMatchObject({
      status: 'refused',
      code: 'insufficient_stock',
      details: { shortages: [{ sku: 'B', requested: 3, available: 1 }] },
    });
    const unknown = await f.post(events.cancelled('no-such-order'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ status: 'refused', code: 'unknown_order' });
    const unknownSku = await f.post(events.reserved('cart-2', [{ sku: 'NEVER-SEEN', qty: 1 }]));
    expect(unknownSku.statusCode).toBe(404);
    expect(unknownSku.json()).toMatchObject({ status: 'refused', code: 'unknown_sku', details: { skus: ['NEVER-SEEN'] } });
  });

  it('refuses a reservation that leaves ttlSeconds out (design.md lists it as required), holding nothing', async () => {
    await f.post(events.received('TTL', 2));
    const { ttlSeconds: _drop, ...reservation } = events.reserved('cart-ttl', [{ sku: 'TTL', qty: 1 }]);
    const res = await f.post(reservation);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', pointer: '/ttlSeconds', message: expect.stringContaining('ttlSeconds') });
    expect(await f.t.redis.zscore(f.keys.reservationExpiry('default'), 'cart-ttl')).toBeNull();
    expect((await f.admin('GET', '/v1/stock/TTL')).json()).toMatchObject({ reserved: 0, available: 2 });
  });

  it('reads one SKU with GET /v1/stock/:sku and 404s an unknown one', async () => {
    await f.post(events.received('READ-1', 7));
    const res = await f.admin('GET', '/v1/stock/READ-1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sku: 'READ-1',
      onHand: 7,
      committed: 0,
      reserved: 0,
      available: 7,
      version: 1,
      updatedAt: expect.any(String),
      paused: null,
    });
    const long = 'é'.repeat(50) + '/ü'.repeat(25);
    await f.post(events.received(long, 2));
    expect((await f.admin('GET', `/v1/stock/${encodeURIComponent(long)}`)).json()).toMatchObject({ sku: long, onHand: 2 });
    const missing = await f.admin('GET', '/v1/stock/NOPE');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'unknown_sku', message: expect.stringContaining('NOPE') });
  });

  it('pages GET /v1/stock by prefix with a cursor', async () => {
    await f.post({ events: ['P-1', 'P-2', 'P-3', 'Q-1'].map((sku) => events.received(sku, 1)) });
    const first = await f.admin('GET', '/v1/stock?prefix=P-&limit=2');
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((s: { sku: string }) => s.sku)).toEqual(['P-1', 'P-2']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await f.admin('GET', `/v1/stock?prefix=P-&limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`);
    // Every page says how many SKUs match in all (the admin page's "Page 2 of 2 · 3 SKUs").
    expect(page1.total).toBe(3);
    expect(second.json()).toEqual({ items: [expect.objectContaining({ sku: 'P-3' })], nextCursor: null, total: 3 });
    // A cursor from before the prefix (stale, or the filter changed) still keeps to the prefix.
    const early = await f.admin('GET', '/v1/stock?prefix=Q-&limit=5&cursor=A');
    expect(early.json()).toEqual({ items: [expect.objectContaining({ sku: 'Q-1' })], nextCursor: null, total: 1 });
    expect((await f.admin('GET', '/v1/stock?limit=1')).json().total).toBe(4);
  });

  it('filters GET /v1/audit by sku, orderId, type and time, newest first, with a cursor', async () => {
    const before = Date.now() - 1;
    await f.post(events.received('AU-1', 10));
    await f.post(events.received('AU-2', 10));
    await f.post(events.confirmed('order-77', [{ sku: 'AU-1', qty: 2 }]));
    const bySku = (await f.admin('GET', '/v1/audit?sku=AU-1')).json();
    expect(bySku.items.map((e: { type: string }) => e.type)).toEqual(['order.confirmed', 'stock.received']);
    const byOrder = (await f.admin('GET', '/v1/audit?orderId=order-77')).json();
    expect(byOrder.items).toEqual([expect.objectContaining({ type: 'order.confirmed', orderId: 'order-77' })]);
    const byType = (await f.admin('GET', '/v1/audit?type=stock.received&order=asc')).json();
    expect(byType.items.map((e: { lines: { sku: string }[] }) => e.lines[0]!.sku)).toEqual(['AU-1', 'AU-2']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await f.admin('GET', `/v1/audit?from=${encodeURIComponent(future)}`)).json().items).toEqual([]);
    expect((await f.admin('GET', `/v1/audit?from=${before}`)).json().items).toHaveLength(3);
    const page1 = (await f.admin('GET', '/v1/audit?limit=2')).json();
    expect(page1.items).toHaveLength(2);
    const page2 = (await f.admin('GET', `/v1/audit?limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.items[0].type).toBe('stock.received');
  });

  it('answers an audit cursor at either end of the id range with an empty page, not a Redis error', async () => {
    await f.post(events.received('AU-3', 1));
    const max = '18446744073709551615';
    for (const url of ['/v1/audit?cursor=0-0', '/v1/audit?cursor=00-0&sku=AU-3', `/v1/audit?cursor=${max}-${max}&order=asc`]) {
      const res = await f.admin('GET', url);
      expect(res.statusCode, url).toBe(200);
      expect(res.json(), url).toEqual({ items: [], nextCursor: null });
    }
    // From the far ends inward, every entry: the largest id newest first, the smallest oldest first.
    expect((await f.admin('GET', `/v1/audit?cursor=${max}-${max}`)).json().items).toHaveLength(1);
    expect((await f.admin('GET', '/v1/audit?cursor=0-0&order=asc')).json().items).toHaveLength(1);
  });

  it('reads only the stretch of the audit a time filter asks for, however long the audit is', async () => {
    // A tenant with 12,000 entries from long ago, 10 s apart (more than one call examines), and 3 recent ones.
    const tenant = 'other'; // a configured tenant with nothing in it yet
    const audit = f.keys.audit(tenant);
    const longAgo = Date.parse('2025-01-01T00:00:00Z');
    for (let start = 0; start < 12_000; start += 1_000) {
      const pipe = f.t.redis.pipeline();
      for (let i = start; i < start + 1_000; i++) {
        pipe.xadd(audit, `${longAgo + i * 10_000}-0`, 'e', JSON.stringify({ type: 'stock.received', source: 'manual', at: new Date(longAgo + i * 10_000).toISOString(), lines: [{ sku: `OLD-${i}` }] }));
      }
      await pipe.exec();
    }
    const recent = Date.now() - 1;
    for (let i = 0; i < 3; i++) await f.t.redis.xadd(audit, '*', 'e', JSON.stringify({ type: 'stock.received', source: 'manual', at: new Date().toISOString(), lines: [{ sku: `NEW-${i}` }] }));

    // Newest first from a recent time: the three, and nothing left to page through.
    const fresh = (await f.admin('GET', `/v1/audit?tenant=${tenant}&from=${recent}`)).json();
    expect(fresh.items.map((e: { lines: { sku: string }[] }) => e.lines[0]!.sku)).toEqual(['NEW-2', 'NEW-1', 'NEW-0']);
    expect(fresh.nextCursor).toBeNull();
    // Oldest first up to a time long ago: exactly the entries up to it, and nothing left either.
    const early = (await f.admin('GET', `/v1/audit?tenant=${tenant}&order=asc&to=${longAgo + 9 * 10_000}`)).json();
    expect(early.items.map((e: { lines: { sku: string }[] }) => e.lines[0]!.sku)).toEqual(Array.from({ length: 10 }, (_, i) => `OLD-${i}`));
    expect(early.nextCursor).toBeNull();
    // A window in the middle, paged: exact at both ends.
    const from = longAgo + 5_000 * 10_000;
    const to = longAgo + 5_059 * 10_000;
    const p1 = (await f.admin('GET', `/v1/audit?tenant=${tenant}&from=${from}&to=${to}&limit=40`)).json();
    const p2 = (await f.admin('GET', `/v1/audit?tenant=${tenant}&from=${from}&to=${to}&limit=40&cursor=${p1.nextCursor}`)).json();
    const skus = [...p1.items, ...p2.items].map((e: { lines: { sku: string }[] }) => e.lines[0]!.sku);
    expect(skus).toEqual(Array.from({ length: 60 }, (_, i) => `OLD-${5_059 - i}`));
    expect(p2.nextCursor).toBeNull();
  });

  it('lists channel entries other parts append to the audit stream, even an incomplete one', async () => {
    await f.post(events.received('CH-1', 1));
    const audit = f.keys.audit('default');
    const push = {
      type: 'channel.push',
      channel: 'shopify',
      at: new Date().toISOString(),
      lines: [{ sku: 'CH-1', quantity: 1, version: 1 }],
    };
    await f.t.redis.xadd(audit, '*', 'e', JSON.stringify(push));
    await f.t.redis.xadd(audit, '*', 'e', JSON.stringify({ type: 'channel.ack', channel: 'shopify', lines: [{ sku: 'CH-1' }] }));
    const res = await f.admin('GET', '/v1/audit?channel=shopify&order=asc');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((e: { type: string }) => e.type)).toEqual(['channel.push', 'channel.ack']);
    expect(res.json().items[0]).toMatchObject({ channel: 'shopify', lines: [{ sku: 'CH-1', quantity: 1, version: 1 }] });
  });

  it('finds an order by what the admin page shows of its id, and a channel by its entries and the sales that came from it', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    await f.post(events.received(`OF-${run}`, 50));
    const store = `wc${run}:4086`;
    const marketplace = `flipkart:OD${run}`;
    // The order's checkout hold, named after it by the plugin, before the order was confirmed.
    const hold = await f.post({ id: `of-${run}-hold`, type: 'stock.reserved', source: 'woocommerce', occurredAt: new Date().toISOString(), reservationId: `${store}:hold`, lines: [{ sku: `OF-${run}`, qty: 1 }], ttlSeconds: 600 });
    expect(hold.statusCode).toBe(200);
    for (const [i, [orderId, source]] of [[store, 'woocommerce'], [marketplace, 'flipkart']].entries()) {
      const res = await f.post({ id: `of-${run}-${i}`, type: 'order.confirmed', source, occurredAt: new Date().toISOString(), orderId, lines: [{ sku: `OF-${run}`, qty: 1 }] });
      expect(res.statusCode).toBe(200);
    }
    const orders = async (q: string) => ((await f.admin('GET', `/v1/audit?orderId=${encodeURIComponent(q)}`)).json().items as { orderId: string }[]).map((e) => e.orderId);
    for (const q of [store, '4086', '#4086']) expect(await orders(q)).toContain(store);
    const holds = async (q: string) => ((await f.admin('GET', `/v1/audit?orderId=${encodeURIComponent(q)}&type=stock.reserved`)).json().items as { reservationId: string }[]).map((e) => e.reservationId);
    for (const q of [store, '4086', '#4086']) expect(await holds(q)).toContain(`${store}:hold`);
    expect(await holds('408')).not.toContain(`${store}:hold`);
    expect(await orders('4086')).not.toContain(marketplace);
    for (const q of [marketplace, `OD${run}`]) expect(await orders(q)).toEqual([marketplace]);
    expect(await orders('408')).toEqual([]);
    expect(await orders(`lipkart:OD${run}`)).toEqual([]);

    const flipkart = ((await f.admin('GET', `/v1/audit?channel=flipkart&sku=OF-${run}`)).json().items as { orderId: string; source: string }[]);
    expect(flipkart.map((e) => e.orderId)).toEqual([marketplace]);
  });

  it('refuses an audit channel filter that names no channel: 400 with pointer /channel and the channels', async () => {
    const res = await f.admin('GET', '/v1/audit?channel=ebay');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'invalid_request',
      pointer: '/channel',
      message: expect.stringMatching(/^Query parameter channel "ebay" is not a known channel — use one of woocommerce, shopify, amazon, flipkart/),
    });
    expect((await f.admin('GET', '/v1/audit?channel=amazon')).statusCode).toBe(200);
  });

  it('lists an oversell incident opened by a marketplace order', async () => {
    await f.post(events.received('OS-1', 1));
    const sale = await f.post(events.confirmed('amz-1', [{ sku: 'OS-1', qty: 3 }], { source: 'amazon' }));
    expect(sale.statusCode).toBe(200);
    expect(sale.json()).toMatchObject({
      status: 'applied',
      incidentId: expect.any(String),
      stock: [{ available: -2, paused: 'oversell' }],
    });
    const open = await f.admin('GET', '/v1/incidents?status=open');
    expect(open.statusCode).toBe(200);
    expect(open.json().items).toEqual([expect.objectContaining({ sku: 'OS-1', status: 'open', oversoldUnits: 2 })]);
    expect((await f.admin('GET', '/v1/incidents?status=resolved')).json().items).toEqual([]);
  });

  it('pages incidents with nextCursor, newest first', async () => {
    await f.post({ events: ['P-1', 'P-2', 'P-3'].map((sku, i) => events.confirmed(`amz-p${i}`, [{ sku, qty: 1 }], { source: 'amazon' })) });
    const first = (await f.admin('GET', '/v1/incidents?limit=2')).json();
    expect(first.items.map((i: { sku: string }) => i.sku)).toEqual(['P-3', 'P-2']);
    const rest = (await f.admin('GET', `/v1/incidents?limit=2&cursor=${first.nextCursor}`)).json();
    expect(rest).toEqual({ items: [expect.objectContaining({ sku: 'P-1' })], nextCursor: null });
    const open = (await f.admin('GET', '/v1/incidents?status=open&limit=2')).json();
    expect(open.items.map((i: { sku: string }) => i.sku)).toEqual(['P-3', 'P-2']);
    expect((await f.admin('GET', `/v1/incidents?status=open&limit=2&cursor=${open.nextCursor}`)).json().items.map((i: { sku: string }) => i.sku)).toEqual(['P-1']);
  });

  it('pauses and relists a SKU, and availability shows 0 while paused', async () => {
    await f.post(events.received('PZ-1', 4));
    const paused = await f.admin('POST', '/v1/stock/PZ-1/pause', { reason: 'supplier recall' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ sku: 'PZ-1', paused: 'manual', onHand: 4 });
    expect((await f.app.inject({ url: '/v1/availability/PZ-1' })).json()).toMatchObject({ available: 0 });
    const relisted = await f.admin('POST', '/v1/stock/PZ-1/relist');
    expect(relisted.statusCode, relisted.body).toBe(200);
    expect(relisted.json()).toMatchObject({ paused: null });
    expect((await f.app.inject({ url: '/v1/availability/PZ-1' })).json()).toMatchObject({ available: 4 });
    const audit = (await f.admin('GET', '/v1/audit?sku=PZ-1')).json();
    expect(audit.items.length).toBeGreaterThanOrEqual(3);
    expect((await f.admin('POST', '/v1/stock/NOPE/pause')).statusCode).toBe(404);
  });

  it('answers GET /v1/availability/:sku without a token, stamped with when it was read', async () => {
    await f.post(events.received('AV-1', 3));
    await f.post(events.reserved('cart-av', [{ sku: 'AV-1', qty: 1 }]));
    const res = await f.app.inject({ url: '/v1/availability/AV-1' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ sku: 'AV-1', available: 2, updatedAt: expect.any(String), asOf: expect.any(String) });
    expect(Math.abs(Date.parse(body.asOf) - Date.now())).toBeLessThan(5000);
    expect(res.headers['cache-control']).toBe('no-store');
    const missing = await f.app.inject({ url: '/v1/availability/NOPE' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'unknown_sku' });
  });

  it("stamps GET /v1/availability/:sku with the ledger's last change of the SKU (updatedAt) besides the read time (asOf)", async () => {
    const changed = (await f.post(events.received('AV-2', 3))).json().stock[0].updatedAt as string;
    await new Promise((r) => setTimeout(r, 30));
    const res = await f.app.inject({ url: '/v1/availability/AV-2' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ sku: 'AV-2', available: 3, updatedAt: changed, asOf: expect.any(String) });
    expect(Date.parse(body.asOf)).toBeGreaterThan(Date.parse(body.updatedAt));
    // A read changes nothing: the stamp stays the time of the last change.
    expect((await f.app.inject({ url: '/v1/availability/AV-2' })).json().updatedAt).toBe(changed);
    // The OpenAPI document shows both stamps.
    const doc = (await f.app.inject({ url: '/v1/openapi.json' })).json();
    const schema = doc.paths['/v1/availability/{sku}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['asOf', 'updatedAt']));
    expect(schema.required).toEqual(expect.arrayContaining(['asOf', 'updatedAt']));
  });

  it('answers GET /v1/availability/:sku with no-store whatever the answer: 404 unknown SKU, 400 bad input, 200', async () => {
    await f.post(events.received('AV-3', 1));
    for (const [url, status] of [
      ['/v1/availability/AV-3', 200],
      ['/v1/availability/NOPE', 404],
      ['/v1/availability/AV-3?tenant=nosuch', 404],
      ['/v1/availability/AV-3?tenant=BAD!', 400],
      [`/v1/availability/${'X'.repeat(101)}`, 400],
    ] as const) {
      const res = await f.app.inject({ url });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('keeps tenants apart: an event signed by another tenant lands in that tenant only', async () => {
    const res = await f.post(events.received('T-1', 9, { tenant: 'other' }), { secret: OTHER_SECRET });
    expect(res.statusCode).toBe(200);
    expect((await f.admin('GET', '/v1/stock/T-1?tenant=other')).json()).toMatchObject({ onHand: 9 });
    expect((await f.admin('GET', '/v1/stock/T-1')).statusCode).toBe(404);
    // A tenant nobody configured is named as such, not answered with an empty page.
    for (const url of ['/v1/stock?tenant=nosuch', '/v1/audit?tenant=nosuch', '/v1/stock/T-1?tenant=nosuch']) {
      const res = await f.admin('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toEqual({ code: 'not_found', message: expect.stringMatching(/No tenant "nosuch" is configured .*STOCKLINE_TENANT_SECRETS/) });
    }
    // The public availability read does not tell which tenants exist: an unknown SKU there.
    const open = await f.app.inject({ url: '/v1/availability/T-1?tenant=nosuch' });
    expect(open.statusCode).toBe(404);
    expect(open.json().message).toMatch(/^No SKU "T-1"/);
    expect(open.json().message).not.toMatch(/configured|STOCKLINE/);
    // A tenant no longer configured but with data in Redis still answers (its data can be cleaned up).
    await f.t.redis.sadd(f.keys.tenants(), 'retired');
    expect((await f.admin('GET', '/v1/stock?tenant=retired')).statusCode).toBe(200);
  });

  it('reports health and readiness, at the root and under /v1', async () => {
    for (const prefix of ['', '/v1']) {
      expect((await f.app.inject({ url: `${prefix}/healthz` })).json()).toEqual({ status: 'ok' });
      const ready = await f.app.inject({ url: `${prefix}/readyz` });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { redis: true, ledger: true } });
    }
  });

  it('serves the OpenAPI document built from the route schemas, and the docs UI', async () => {
    const res = await f.app.inject({ url: '/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/events',
      '/v1/stock/{sku}',
      '/v1/stock',
      '/v1/audit',
      '/v1/incidents',
      '/v1/availability/{sku}',
      '/v1/stock/{sku}/pause',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    // Health answers at the root, where probes look, and under the API's base /v1: both listed.
    expect(Object.keys(doc.paths).filter((p) => /healthz|readyz/.test(p)).sort()).toEqual(['/healthz', '/readyz', '/v1/healthz', '/v1/readyz']);
    expect(JSON.stringify(doc.paths['/v1/events'].post.requestBody)).toContain('stock.reserved');
    expect(doc.paths['/v1/events'].post.requestBody.required).toBe(true);
    expect(doc.paths['/v1/stock/{sku}/pause'].post.requestBody.required).toBe(false);
    expect(doc.paths['/v1/stock/{sku}'].get.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths['/v1/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['sku', 'orderId', 'from', 'cursor']),
    );
    // The 503 every Redis-backed route answers while Redis is gone is declared; health is not held.
    for (const [path, method] of [['/v1/events', 'post'], ['/v1/stock/{sku}', 'get'], ['/v1/audit', 'get'], ['/v1/availability/{sku}', 'get']] as const) {
      expect(doc.paths[path][method].responses, path).toHaveProperty(['503']);
    }
    expect(doc.paths['/healthz'].get.responses).not.toHaveProperty(['503']);
    const ui = await f.app.inject({ url: '/v1/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('Swagger UI');
  });

  it('names a SKU when a path part is longer than the router takes', async () => {
    const res = await f.admin('GET', `/v1/stock/${'X'.repeat(2000)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'invalid_request', pointer: '', message: 'A part of the path is too long (a SKU has at most 100 characters) — check the URL' });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await f.app.inject({ url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', message: expect.stringContaining('/v1/nothing-here') });
  });

  it('answers a route asked with a method it does not take with 405 and Allow', async () => {
    const events = await f.app.inject({ method: 'GET', url: '/v1/events' });
    expect(events.statusCode).toBe(405);
    expect(events.headers.allow).toBe('POST');
    expect(events.json()).toMatchObject({ code: 'method_not_allowed', message: expect.stringContaining('use POST') });
    const stock = await f.admin('DELETE', '/v1/stock/ANY-SKU/');
    expect(stock.statusCode).toBe(405);
    expect(stock.headers.allow).toBe('GET, HEAD');
    // A path under no route is still a 404, whatever the method.
    expect((await f.app.inject({ method: 'DELETE', url: '/v1/stock/A/B/C' })).statusCode).toBe(404);
  });
});
