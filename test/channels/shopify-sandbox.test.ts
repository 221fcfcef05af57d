/**
 * The Shopify sandbox against the documented behaviour (shared/channels.md §1, §6), called the
 * way any Shopify client calls it: raw GraphQL over HTTP.
 */
import { createHmac, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startShopifySandbox, verifyShopifyWebhook, type ShopifySandboxHandle } from '../../companion/src/channels/shopify';
import { gql } from './shopify-helpers';

let sandbox: ShopifySandboxHandle | undefined;
let receiver: FastifyInstance | undefined;
afterEach(async () => {
  await sandbox?.close();
  await receiver?.close();
  sandbox = receiver = undefined;
});

const SET = (key: string | null) => `
  mutation Set($input: InventorySetQuantitiesInput!) {
    inventorySetQuantities(input: $input)${key ? ` @idempotent(key: "${key}")` : ''} {
      inventoryAdjustmentGroup { id referenceDocumentUri changes { name delta quantityAfterChange } }
      userErrors { code field message }
    }
  }`;

type Row = Record<string, unknown>;
const input = (rows: Row[], o: Row = {}) => ({ name: 'available', reason: 'correction', quantities: rows, ...o });

describe('Shopify sandbox: inventorySetQuantities as documented', () => {
  const cases: {
    name: string;
    version?: string;
    idempotent?: boolean;
    rows: (item: string, loc: string) => Row[];
    extra?: Row;
    userErrors?: string[];
    topError?: RegExp;
    after: number;
  }[] = [
    { name: 'applies a row with a matching changeFromQuantity', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 7, changeFromQuantity: 5 }], after: 7 },
    { name: 'accepts an explicit null changeFromQuantity (2026-04 opt-out)', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 7, changeFromQuantity: null }], after: 7 },
    { name: 'refuses a stale changeFromQuantity and changes nothing', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 7, changeFromQuantity: 4 }], userErrors: ['CHANGE_FROM_QUANTITY_STALE'], after: 5 },
    { name: 'requires changeFromQuantity on every row from 2026-04', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 7 }], userErrors: ['COMPARE_QUANTITY_REQUIRED'], after: 5 },
    { name: 'keeps compareQuantity semantics before 2026-01', version: '2025-10', idempotent: false, rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 7, compareQuantity: 4 }], userErrors: ['COMPARE_QUANTITY_STALE'], after: 5 },
    { name: 'requires @idempotent at runtime from 2026-04', idempotent: false, rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 7, changeFromQuantity: null }], topError: /@idempotent directive is required/, after: 5 },
    { name: 'does not require @idempotent on 2026-01', version: '2026-01', idempotent: false, rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 7, changeFromQuantity: null }], after: 7 },
    { name: 'refuses a negative quantity', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: -1, changeFromQuantity: null }], userErrors: ['INVALID_QUANTITY_NEGATIVE'], after: 5 },
    { name: 'refuses a quantity above 1e9', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 1_000_000_001, changeFromQuantity: null }], userErrors: ['INVALID_QUANTITY_TOO_HIGH'], after: 5 },
    { name: 'refuses an unknown inventory item', rows: (_i, l) => [{ inventoryItemId: 'gid://shopify/InventoryItem/999999', locationId: l, quantity: 1, changeFromQuantity: null }], userErrors: ['INVALID_INVENTORY_ITEM'], after: 5 },
    { name: 'refuses an unknown location', rows: (i) => [{ inventoryItemId: i, locationId: 'gid://shopify/Location/77', quantity: 1, changeFromQuantity: null }], userErrors: ['INVALID_LOCATION'], after: 5 },
    { name: 'refuses a location the item is not stocked at', rows: (i) => [{ inventoryItemId: i, locationId: 'gid://shopify/Location/2', quantity: 1, changeFromQuantity: null }], userErrors: ['ITEM_NOT_STOCKED_AT_LOCATION'], after: 5 },
    { name: 'refuses the same item and location twice', rows: (i, l) => [1, 2].map((q) => ({ inventoryItemId: i, locationId: l, quantity: q, changeFromQuantity: null })), userErrors: ['NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR'], after: 5 },
    { name: 'refuses an unknown reason', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 1, changeFromQuantity: null }], extra: { reason: 'because' }, userErrors: ['INVALID_REASON'], after: 5 },
    { name: 'refuses a name other than available/on_hand', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 1, changeFromQuantity: null }], extra: { name: 'committed' }, userErrors: ['INVALID_NAME'], after: 5 },
    { name: 'refuses more than 250 rows with MAX_INPUT_SIZE_EXCEEDED', rows: (i, l) => Array.from({ length: 251 }, () => ({ inventoryItemId: i, locationId: l, quantity: 1, changeFromQuantity: null })), topError: /maximum allowed of 250/, after: 5 },
    { name: 'refuses a quantity beyond GraphQL Int', rows: (i, l) => [{ inventoryItemId: i, locationId: l, quantity: 2 ** 31, changeFromQuantity: null }], topError: /Int cannot represent/, after: 5 },
  ];

  it.each(cases)('$name', async (c) => {
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }] });
    const { inventoryItemId } = sandbox.addVariant('A', 5);
    const key = c.idempotent === false ? null : randomUUID();
    const res = await gql(sandbox, SET(key), { input: input(c.rows(inventoryItemId, sandbox.locationId), c.extra) }, { version: c.version });
    expect(res.status).toBe(200); // userErrors and GraphQL errors both come with HTTP 200
    expect(res.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 1000, restoreRate: 100 });
    if (c.topError) {
      expect(res.body.errors[0].message).toMatch(c.topError);
    } else {
      const payload = res.body.data.inventorySetQuantities;
      expect(payload.userErrors.map((e: { code: string }) => e.code)).toEqual(c.userErrors ?? []);
      if (c.userErrors) expect(payload.inventoryAdjustmentGroup).toBeNull();
    }
    expect(sandbox.quantities().A).toBe(c.after);
  });

  it('replays the first result for a repeated key and refuses the key with a different input', async () => {
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }] });
    const { inventoryItemId: i } = sandbox.addVariant('A', 5);
    const key = randomUUID();
    const rows = [{ inventoryItemId: i, locationId: sandbox.locationId, quantity: 8, changeFromQuantity: 5 }];
    const first = await gql(sandbox, SET(key), { input: input(rows) });
    const again = await gql(sandbox, SET(key), { input: input(rows) });
    expect(again.body.data).toEqual(first.body.data);
    expect(first.body.data.inventorySetQuantities.inventoryAdjustmentGroup.changes).toEqual([{ name: 'available', delta: 3, quantityAfterChange: 8 }]);
    const other = await gql(sandbox, SET(key), { input: input([{ ...rows[0], quantity: 9 }]) });
    expect(other.body.data.inventorySetQuantities.userErrors[0].code).toBe('IDEMPOTENCY_KEY_PARAMETER_MISMATCH');
    expect(sandbox.quantities().A).toBe(8);
    expect(sandbox.stats().writes).toBe(1);
  });

  it('answers IDEMPOTENCY_CONCURRENT_REQUEST while the same key is still being applied', async () => {
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }], applyDelayMs: 100 });
    const { inventoryItemId: i } = sandbox.addVariant('A', 5);
    const key = randomUUID();
    const rows = [{ inventoryItemId: i, locationId: sandbox.locationId, quantity: 8, changeFromQuantity: null }];
    const [a, b] = await Promise.all([gql(sandbox, SET(key), { input: input(rows) }), gql(sandbox, SET(key), { input: input(rows) })]);
    const codes = [a, b].map((r) => r.body.data.inventorySetQuantities.userErrors[0]?.code ?? 'applied').sort();
    expect(codes).toEqual(['IDEMPOTENCY_CONCURRENT_REQUEST', 'applied']);
  });

  it('looks variants up by SKU and reads available per location', async () => {
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }, { sku: 'B 2', quantity: 3 }] });
    const found = await gql(sandbox, `{ productVariants(first: 5, query: "sku:\\"B 2\\" OR sku:A") { nodes { sku inventoryItem { id inventoryLevel(locationId: "gid://shopify/Location/1") { quantities(names: ["available"]) { name quantity } } } } } }`);
    const nodes = found.body.data.productVariants.nodes;
    expect(nodes.map((n: { sku: string }) => n.sku).sort()).toEqual(['A', 'B 2']);
    expect(nodes.find((n: { sku: string }) => n.sku === 'B 2').inventoryItem.inventoryLevel.quantities).toEqual([{ name: 'available', quantity: 3 }]);
  });
});

describe('Shopify sandbox: auth and throttling as documented', () => {
  it.each([
    { name: 'a wrong token', token: 'shpat_nope' },
    { name: 'no token', token: '' },
  ])('refuses $name with 401 and Shopify’s body', async ({ token }) => {
    sandbox = await startShopifySandbox();
    const res = await gql(sandbox, '{ location { id } }', {}, { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
  });

  it.each([200, 429] as const)('signals THROTTLED with HTTP %i once the cost bucket is short', async (throttleStatusCode) => {
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }], costBucket: { max: 25, restoreRate: 0.01 }, throttleStatusCode });
    const { inventoryItemId: i } = sandbox.addVariant('A', 5);
    const call = () => gql(sandbox!, SET(randomUUID()), { input: input([{ inventoryItemId: i, locationId: sandbox!.locationId, quantity: 1, changeFromQuantity: null }]) });
    const ok1 = await call();
    await call();
    const third = await call();
    expect(ok1.body.extensions.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 25, currentlyAvailable: 15 } });
    expect(third.status).toBe(throttleStatusCode);
    expect(third.body.errors).toEqual([{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }]);
    expect(third.body.extensions.cost).toEqual({ requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 25, currentlyAvailable: 5, restoreRate: 0.01 } });
    expect(sandbox.stats()).toMatchObject({ calls: 3, throttled: 1, writes: 2 });
  });

  it('stops throttling when the throttling fault is off', async () => {
    sandbox = await startShopifySandbox({ costBucket: { max: 1, restoreRate: 0.01 }, faults: { throttling: false } });
    const res = await gql(sandbox, '{ productVariants(first: 10) { nodes { id } } }');
    expect(res.status).toBe(200);
    expect(res.body.data.productVariants.nodes).toEqual([]);
  });
});

describe('Shopify sandbox: legacy REST inventory endpoints', () => {
  const rest = (path: string, body?: unknown, token = sandbox!.credentials.token!) =>
    fetch(`${sandbox!.url}/admin/api/2026-04/${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'x-shopify-access-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('sets and reads a level, counting calls in X-Shopify-Shop-Api-Call-Limit', async () => {
    sandbox = await startShopifySandbox({ listings: [{ sku: 'A', quantity: 5 }] });
    const item = Number(sandbox.addVariant('A', 5).inventoryItemId.split('/').pop());
    const set = await rest('inventory_levels/set.json', { location_id: 1, inventory_item_id: item, available: 9 });
    expect(set.headers.get('x-shopify-shop-api-call-limit')).toBe('1/40');
    expect(await set.json()).toMatchObject({ inventory_level: { inventory_item_id: item, location_id: 1, available: 9 } });
    const read = await rest(`inventory_levels.json?inventory_item_ids=${item}&location_ids=1`);
    expect(read.headers.get('x-shopify-shop-api-call-limit')).toBe('2/40');
    expect((await read.json()).inventory_levels).toEqual([expect.objectContaining({ available: 9 })]);
    expect((await rest('inventory_levels/set.json', { location_id: 1, inventory_item_id: 424242, available: 1 })).status).toBe(404);
    expect((await rest('inventory_levels.json?inventory_item_ids=1', undefined, 'shpat_bad')).status).toBe(401);
  });

  it('answers calls beyond the 40-call bucket with 429 and Retry-After', async () => {
    sandbox = await startShopifySandbox();
    const answers = await Promise.all(Array.from({ length: 50 }, () => rest('inventory_levels.json?inventory_item_ids=1')));
    const ok = answers.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(40);
    expect(ok).toBeLessThanOrEqual(42); // the bucket drains 2 calls/s while the burst is answered
    const over = answers.find((r) => r.status === 429)!;
    expect(over.headers.get('retry-after')).toBe('2.0');
    expect(over.headers.get('x-shopify-shop-api-call-limit')).toBe('40/40');
    expect(await over.json()).toEqual({ errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' });
  });
});

describe('Shopify sandbox: signed webhooks and the shopper', () => {
  async function listen(answer: (n: number) => number) {
    const got: { headers: Record<string, string>; raw: Buffer }[] = [];
    receiver = Fastify();
    receiver.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
    receiver.post('/hook', async (request, reply) => {
      got.push({ headers: request.headers as Record<string, string>, raw: request.body as Buffer });
      return reply.code(answer(got.length)).send();
    });
    await receiver.listen({ port: 0, host: '127.0.0.1' });
    const a = receiver.server.address();
    return { got, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook` };
  }

  it('signs orders/create with base64 HMAC-SHA256 of the raw body, verifiable and rejected when tampered', async () => {
    const { got, url } = await listen(() => 200);
    sandbox = await startShopifySandbox({ webhookUrl: url, listings: [{ sku: 'A', quantity: 2 }] });
    expect(await sandbox.placeOrder('A', 3)).toMatchObject({ accepted: false });
    const placed = await sandbox.placeOrder('A', 2);
    expect(placed.accepted).toBe(true);
    expect(sandbox.quantities().A).toBe(0);
    await sandbox.deliveriesIdle();
    expect(got).toHaveLength(1);
    const { headers, raw } = got[0]!;
    expect(headers['x-shopify-topic']).toBe('orders/create');
    expect(headers['x-shopify-shop-domain']).toBe(sandbox.shop);
    expect(headers['x-shopify-webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(headers['x-shopify-triggered-at']!)).toBeGreaterThan(0);
    // The documented method, computed independently of our helper:
    expect(headers['x-shopify-hmac-sha256']).toBe(createHmac('sha256', sandbox.webhookSecret).update(raw).digest('base64'));
    expect(verifyShopifyWebhook(raw, headers['x-shopify-hmac-sha256'], [sandbox.webhookSecret])).toBe(true);
    const tampered = Buffer.from(raw.toString().replace('"quantity":2', '"quantity":1'));
    expect(tampered.equals(raw)).toBe(false);
    expect(verifyShopifyWebhook(tampered, headers['x-shopify-hmac-sha256'], [sandbox.webhookSecret])).toBe(false);
    expect(verifyShopifyWebhook(raw, headers['x-shopify-hmac-sha256'], ['another-secret'])).toBe(false);
    expect(JSON.parse(raw.toString())).toMatchObject({ id: Number(placed.orderId), line_items: [{ sku: 'A', quantity: 2 }] });
  });

  it('retries a failed delivery with the original payload and webhook id until it gets a 2xx', async () => {
    const { got, url } = await listen((n) => (n <= 2 ? 500 : 200));
    sandbox = await startShopifySandbox({ webhookUrl: url, listings: [{ sku: 'A', quantity: 2 }], webhookRetryDelaysMs: [5, 5, 5, 5, 5, 5, 5, 5] });
    await sandbox.placeOrder('A', 1);
    await sandbox.deliveriesIdle();
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.raw.toString())).size).toBe(1);
    expect(new Set(got.map((g) => g.headers['x-shopify-webhook-id'])).size).toBe(1);
    expect(sandbox.deliveries().map((d) => d.status)).toEqual([500, 500, 200]);
  });

  it('gives up after 8 retries', async () => {
    const { got, url } = await listen(() => 503);
    sandbox = await startShopifySandbox({ webhookUrl: url, listings: [{ sku: 'A', quantity: 2 }], webhookRetryDelaysMs: [1, 1, 1, 1, 1, 1, 1, 1] });
    await sandbox.placeOrder('A', 1);
    await sandbox.deliveriesIdle();
    expect(got).toHaveLength(9);
  });

  it('stops delivering (subscription deleted) after 8 deliveries failed in a row', async () => {
    const { got, url } = await listen(() => 500);
    sandbox = await startShopifySandbox({ webhookUrl: url, listings: [{ sku: 'A', quantity: 20 }], webhookRetryDelaysMs: [1, 1, 1, 1, 1, 1, 1, 1] });
    for (let i = 0; i < 9; i++) {
      await sandbox.placeOrder('A', 1);
      await sandbox.deliveriesIdle();
    }
    expect(got).toHaveLength(8 * 9); // 8 deliveries × (1 + 8 retries); the 9th is never sent
  });

  it('sends orders/cancelled and a restocking refunds/create when an order is cancelled', async () => {
    const { got, url } = await listen(() => 200);
    sandbox = await startShopifySandbox({ webhookUrl: url, listings: [{ sku: 'A', quantity: 2 }] });
    const placed = await sandbox.placeOrder('A', 2);
    expect(await sandbox.cancelOrder(placed.orderId!)).toBe(true);
    expect(await sandbox.cancelOrder(placed.orderId!)).toBe(false);
    await sandbox.deliveriesIdle();
    expect(got.map((g) => g.headers['x-shopify-topic'])).toEqual(['orders/create', 'orders/cancelled', 'refunds/create']);
    expect(sandbox.quantities().A).toBe(2);
  });

  it('duplicates deliveries when told to, keeping the webhook id', async () => {
    const { got, url } = await listen(() => 200);
    sandbox = await startShopifySandbox({ webhookUrl: url, listings: [{ sku: 'A', quantity: 5 }], faults: { duplicateRate: 1 } });
    await sandbox.placeOrder('A', 1);
    await sandbox.deliveriesIdle();
    expect(got).toHaveLength(2);
    expect(got[0]!.headers['x-shopify-webhook-id']).toBe(got[1]!.headers['x-shopify-webhook-id']);
  });
});
