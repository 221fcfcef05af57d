/**
 * The Flipkart sandbox answers as shared/channels.md §3 says the Seller API does, table-driven:
 * Basic-auth token endpoint and its 401 body, Bearer 401 on expiry, ≤ 10 SKUs per update (400
 * beyond), per-SKU SUCCESS/FAILURE/WARNING at HTTP 200, configurable 429, shipments filter paging.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFlipkartSandbox, type FlipkartSandboxHandle } from '../../companion/src/channels/flipkart';

let sb: FlipkartSandboxHandle;
let token: string;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
async function getToken(auth: string, query = 'grant_type=client_credentials&scope=Seller_Api') {
  const res = await fetch(`${sb.url}/oauth-service/oauth/token?${query}`, { headers: { authorization: auth } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function api(method: string, path: string, body?: unknown, t: string | null = token) {
  const headers: Record<string, string> = {};
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sb.url}/sellers${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const update = (sku: string, inventory: unknown, over: Record<string, unknown> = {}) => ({
  [sku]: { product_id: sb.fsnOf(sku) ?? 'ABCDEFGHIJKLMN', locations: [{ id: sb.credentials.locationId, inventory }], ...over },
});

beforeEach(async () => {
  sb = await startFlipkartSandbox({ tokenTtlSeconds: 3600 });
  sb.seed([{ sku: 'MUG-1', quantity: 10 }, { sku: 'TEE-2', quantity: 4 }]);
  token = (await getToken(basic(sb.credentials.appId!, sb.credentials.appSecret!))).body.access_token as string;
});
afterEach(async () => {
  await sb.close();
});

describe('token endpoint', () => {
  it.each([
    ['a wrong secret', () => basic(sb.credentials.appId!, 'nope')],
    ['an unknown app', () => basic('other', sb.credentials.appSecret!)],
    ['no Basic header', () => ''],
  ])('refuses %s with 401 {error:"unauthorized", error_description:"Bad credentials"}', async (_n, auth) => {
    const r = await getToken(auth());
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 'unauthorized', error_description: 'Bad credentials' });
  });

  it('issues a bearer token for client_credentials with scope Seller_Api', async () => {
    const r = await getToken(basic(sb.credentials.appId!, sb.credentials.appSecret!));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'Seller_Api', access_token: expect.any(String) });
  });
});

describe('Bearer calls', () => {
  it.each([
    ['no token', null, 'unauthorized'],
    ['an unknown token', 'forged', 'invalid_token'],
  ])('answers %s with 401', async (_n, t, error) => {
    const r = await api('POST', '/listings/v3/update/inventory', update('MUG-1', 1), t);
    expect(r.status).toBe(401);
    expect(r.body.error).toBe(error);
    expect(sb.quantities()['MUG-1']).toBe(10);
  });

  it('answers an expired token with 401 invalid_token', async () => {
    sb.expireTokens();
    const r = await api('GET', '/listings/v3/MUG-1');
    expect(r.status).toBe(401);
    expect(r.body.error_description).toMatch(/expired/);
  });
});

describe('inventory update', () => {
  it('refuses 11 SKUs in one request with 400 and changes nothing', async () => {
    const skus = Array.from({ length: 11 }, (_, i) => `S${i}`);
    sb.seed(skus.map((sku) => ({ sku, quantity: 1 })));
    const body = Object.assign({}, ...skus.map((s) => update(s, 5)));
    const r = await api('POST', '/listings/v3/update/inventory', body);
    expect(r.status).toBe(400);
    expect(r.body.errors[0].code).toBe('BATCH_LIMIT_EXCEEDED');
    expect(sb.quantities()['S0']).toBe(1);
  });

  it('accepts exactly 10 SKUs', async () => {
    const skus = Array.from({ length: 10 }, (_, i) => `S${i}`);
    sb.seed(skus.map((sku) => ({ sku, quantity: 1 })));
    const r = await api('POST', '/listings/v3/update/inventory', Object.assign({}, ...skus.map((s) => update(s, 5))));
    expect(r.status).toBe(200);
    expect(Object.values(r.body).every((v) => (v as { status: string }).status === 'SUCCESS')).toBe(true);
    expect(sb.quantities()['S9']).toBe(5);
  });

  it.each([
    ['negative inventory', () => update('MUG-1', -1), 'INVALID_INVENTORY'],
    ['a fractional inventory', () => update('MUG-1', 2.5), 'INVALID_INVENTORY'],
    ['a wrong FSN', () => update('MUG-1', 1, { product_id: 'ZZZZZZZZZZZZZZ' }), 'PRODUCT_ID_MISMATCH'],
    ['a malformed FSN', () => update('MUG-1', 1, { product_id: 'x' }), 'INVALID_PRODUCT_ID'],
    ['an unknown location', () => update('MUG-1', 1, { locations: [{ id: 'LOCnope', inventory: 1 }] }), 'INVALID_LOCATION_ID'],
    ['an unknown SKU', () => update('NOPE', 1), 'SKU_NOT_FOUND'],
  ])('answers %s with HTTP 200 and FAILURE for that SKU only', async (_n, make, code) => {
    const r = await api('POST', '/listings/v3/update/inventory', { ...make(), ...update('TEE-2', 9) });
    expect(r.status).toBe(200);
    const [sku] = Object.keys(make());
    expect(r.body[sku!].status).toBe('FAILURE');
    expect(r.body[sku!].errors[0]).toMatchObject({ severity: 'ERROR', code });
    expect(r.body['TEE-2'].status).toBe('SUCCESS');
    expect(sb.quantities()).toMatchObject({ 'MUG-1': 10, 'TEE-2': 9 });
  });

  it('fails a random share of SKUs when the partial-failure fault is on', async () => {
    sb.setSkuFailureRate(1);
    const r = await api('POST', '/listings/v3/update/inventory', update('MUG-1', 3));
    expect(r.status).toBe(200);
    expect(r.body['MUG-1']).toMatchObject({ status: 'FAILURE', errors: [expect.objectContaining({ code: 'INTERNAL_ERROR' })] });
  });

  it('reads listings back with FSN, location status and inventory', async () => {
    const r = await api('GET', '/listings/v3/MUG-1,NOPE');
    expect(r.body.available['MUG-1']).toEqual({ sku: 'MUG-1', product_id: sb.fsnOf('MUG-1'), locations: [{ id: sb.credentials.locationId, status: 'ENABLED', inventory: 10 }] });
    expect(r.body.unavailable).toEqual(['NOPE']);
  });
});

describe('throttling', () => {
  it('answers 429 with Retry-After beyond a configured rate', async () => {
    await sb.close();
    sb = await startFlipkartSandbox({ rateLimit: { requestsPerSecond: 1, burst: 2 } });
    sb.seed([{ sku: 'MUG-1', quantity: 1 }]);
    token = (await getToken(basic(sb.credentials.appId!, sb.credentials.appSecret!))).body.access_token as string;
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const r = await api('GET', '/listings/v3/MUG-1');
      statuses.push(r.status);
      if (r.status === 429) expect(r.headers.get('retry-after')).toBe('1');
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(sb.stats().throttled).toBe(1);
  });
});

describe('shipments filter', () => {
  it('pages preDispatch shipments through nextPageUrl and lists cancelled ones by type', async () => {
    for (let i = 0; i < 5; i++) expect((await sb.placeOrder('MUG-1', 1)).accepted).toBe(true);
    expect((await sb.placeOrder('MUG-1', 99)).accepted).toBe(false);
    expect(sb.quantities()['MUG-1']).toBe(5);
    const cancelled = (await sb.placeOrder('TEE-2', 2)).orderId!;
    expect(sb.setOrderItemStatus(cancelled, 'CANCELLED')).toBe(true);
    expect(sb.quantities()['TEE-2']).toBe(4);
    const ids: string[] = [];
    let page = (await api('POST', '/v3/shipments/filter', { filter: { type: 'preDispatch' }, pagination: { pageSize: 2 } })).body;
    for (;;) {
      for (const s of page.shipments) ids.push(...s.orderItems.map((i: { orderItemId: string; status: string }) => i.status));
      if (!page.hasMore) break;
      page = (await api('GET', page.nextPageUrl)).body;
    }
    expect(ids).toEqual(['APPROVED', 'APPROVED', 'APPROVED', 'APPROVED', 'APPROVED']);
    const c = (await api('POST', '/v3/shipments/filter', { filter: { type: 'cancelled' } })).body;
    expect(c.shipments.map((s: { orderItems: { orderItemId: string }[] }) => s.orderItems[0]!.orderItemId)).toEqual([cancelled]);
  });

  it.each([
    ['no type', { filter: {} }],
    ['a state of another type', { filter: { type: 'preDispatch', states: ['SHIPPED'] } }],
    ['a page of 21', { filter: { type: 'preDispatch' }, pagination: { pageSize: 21 } }],
  ])('refuses %s with 400', async (_n, body) => {
    const r = await api('POST', '/v3/shipments/filter', body);
    expect(r.status).toBe(400);
  });
});
