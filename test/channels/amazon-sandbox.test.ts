/**
 * The Amazon sandbox answers the way shared/channels.md §2 says SP-API does, table-driven:
 * LWA errors, 403 auth bodies, 400 InvalidInput vs 200 INVALID, throttling signals and headers,
 * delayed application of ACCEPTED, feeds lifecycle and limits, the getOrders 2-minute rule.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAmazonSandbox, type AmazonSandboxHandle } from '../../companion/src/channels/amazon';

let sb: AmazonSandboxHandle;
let token: string;

async function lwa(form: Record<string, string>) {
  const res = await fetch(`${sb.url}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function sp(method: string, path: string, opts: { token?: string | null; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  const t = opts.token === undefined ? token : opts.token;
  if (t) headers['x-amz-access-token'] = t;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(sb.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const item = (sku: string) => `/listings/2021-08-01/items/${sb.credentials.sellerId}/${encodeURIComponent(sku)}?marketplaceIds=${sb.credentials.marketplaceIds}`;
const mergeQty = (quantity: unknown) => ({
  productType: 'PRODUCT',
  patches: [{ op: 'merge', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] }],
});

beforeEach(async () => {
  sb = await startAmazonSandbox({ applyDelayMs: 100, feedProcessingMs: 300, ordersLagMs: 150, pendingMs: 50 });
  sb.seed([{ sku: 'MUG-1', quantity: 10 }, { sku: 'A/B 2', quantity: 3 }]);
  const r = await lwa({ grant_type: 'refresh_token', refresh_token: sb.credentials.refreshToken!, client_id: sb.credentials.clientId!, client_secret: sb.credentials.clientSecret! });
  token = r.body.access_token as string;
});
afterEach(async () => {
  await sb.close();
});

describe('Login with Amazon', () => {
  it.each([
    ['a wrong client secret', { client_secret: 'nope' }, 401, 'invalid_client'],
    ['a wrong refresh token', { refresh_token: 'Atzr|other' }, 400, 'invalid_grant'],
    ['another grant type', { grant_type: 'client_credentials' }, 400, 'unsupported_grant_type'],
  ])('refuses %s with the LWA error body', async (_name, patch, status, error) => {
    const form = { grant_type: 'refresh_token', refresh_token: sb.credentials.refreshToken!, client_id: sb.credentials.clientId!, client_secret: sb.credentials.clientSecret!, ...patch };
    const r = await lwa(form);
    expect(r.status).toBe(status);
    expect(r.body.error).toBe(error);
    expect(typeof r.body.error_description).toBe('string');
  });

  it('issues an Atza| access token valid for 3600 seconds', async () => {
    const r = await lwa({ grant_type: 'refresh_token', refresh_token: sb.credentials.refreshToken!, client_id: sb.credentials.clientId!, client_secret: sb.credentials.clientSecret! });
    expect(r.status).toBe(200);
    expect(r.body.access_token).toMatch(/^Atza\|/);
    expect(r.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
  });
});

describe('patchListingsItem', () => {
  it.each([
    ['no token', null, 403, 'MissingAuthenticationToken'],
    ['a malformed token', 'Atza|forged', 403, 'Unauthorized'],
  ])('answers %s with 403 %s (auth errors are 403, not 401)', async (_n, t, status, code) => {
    const r = await sp('PATCH', item('MUG-1'), { token: t, body: mergeQty(1) });
    expect(r.status).toBe(status);
    expect(r.body.errors[0].code).toBe(code);
    if (code === 'MissingAuthenticationToken') expect(r.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    else expect(r.body.errors[0].details).toBe('The access token you provided is revoked, malformed or invalid.');
    expect(sb.quantities()['MUG-1']).toBe(10);
  });

  it('answers a revoked (expired) token with 403 Unauthorized', async () => {
    sb.revokeTokens();
    const r = await sp('PATCH', item('MUG-1'), { body: mergeQty(1) });
    expect(r.status).toBe(403);
    expect(r.body.errors[0].code).toBe('Unauthorized');
  });

  it.each([
    ['no patches', { productType: 'PRODUCT', patches: [] }],
    ['a nested path', { productType: 'PRODUCT', patches: [{ op: 'merge', path: '/attributes/fulfillment_availability/0/quantity', value: [1] }] }],
    ['an unknown op', { productType: 'PRODUCT', patches: [{ op: 'increment', path: '/attributes/fulfillment_availability', value: [] }] }],
    ['no productType', { patches: mergeQty(1).patches }],
  ])('refuses %s with 400 InvalidInput and declares the rate limit', async (_n, body) => {
    const r = await sp('PATCH', item('MUG-1'), { body });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].code).toBe('InvalidInput');
    expect(r.headers.get('x-amzn-ratelimit-limit')).toBe('5');
  });

  it.each([
    ['a negative quantity', 'MUG-1', mergeQty(-1), '4000001'],
    ['a fractional quantity', 'MUG-1', mergeQty(1.5), '4000001'],
    ['an unknown SKU', 'NOPE', mergeQty(1), 'NOT_FOUND'],
  ])('answers %s with HTTP 200, status INVALID and an ERROR issue', async (_n, sku, body, code) => {
    const r = await sp('PATCH', item(sku), { body });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('INVALID');
    expect(r.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code, severity: 'ERROR' })]));
  });

  it('validates without writing in VALIDATION_PREVIEW mode', async () => {
    const r = await sp('PATCH', `${item('MUG-1')}&mode=VALIDATION_PREVIEW`, { body: mergeQty(4) });
    expect(r.body.status).toBe('VALID');
    expect(sb.stats().writes).toBe(0);
    expect(sb.quantities()['MUG-1']).toBe(10);
  });

  it('accepts a merge, shows the old quantity until it is applied, then the new one (SKU URL-encoded)', async () => {
    const r = await sp('PATCH', item('A/B 2'), { body: mergeQty(7) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sku: 'A/B 2', status: 'ACCEPTED' });
    expect(r.body.submissionId).toEqual(expect.any(String));
    expect(sb.quantities()['A/B 2']).toBe(3);
    const read = await sp('GET', `${item('A/B 2')}&includedData=fulfillmentAvailability`);
    expect(read.body.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 3 }]);
    await vi.waitFor(() => expect(sb.quantities()['A/B 2']).toBe(7), { timeout: 2000, interval: 20 });
  });

  it('merge keeps other fulfillment_availability fields; replace drops them', async () => {
    const withLead = { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 5, lead_time_to_ship_max_days: 3 }] }] };
    await sp('PATCH', item('MUG-1'), { body: withLead });
    await sp('PATCH', item('MUG-1'), { body: mergeQty(2) });
    const attrs = async () => (await sp('GET', `${item('MUG-1')}&includedData=attributes`)).body.attributes.fulfillment_availability;
    await vi.waitFor(async () => expect(await attrs()).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: 2, lead_time_to_ship_max_days: 3 }]), { timeout: 2000, interval: 20 });
    await sp('PATCH', item('MUG-1'), { body: { productType: 'PRODUCT', patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }] }] } });
    await vi.waitFor(async () => expect(await attrs()).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }]), { timeout: 2000, interval: 20 });
  });

  it('throttles beyond the 5-request burst with 429 QuotaExceeded and only x-amzn-RequestId', async () => {
    const results = await Promise.all(Array.from({ length: 7 }, () => sp('PATCH', item('MUG-1'), { body: mergeQty(1) })));
    const throttled = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]!.body).toEqual({ errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] });
    expect(throttled[0]!.headers.get('x-amzn-ratelimit-limit')).toBeNull();
    expect(throttled[0]!.headers.get('x-amzn-requestid')).toEqual(expect.any(String));
    expect(sb.stats().throttled).toBe(2);
  });

  it('answers getListingsItem for an unknown SKU with 404 NOT_FOUND', async () => {
    const r = await sp('GET', item('NOPE'));
    expect(r.status).toBe(404);
    expect(r.body.errors[0].code).toBe('NOT_FOUND');
  });
});

describe('JSON_LISTINGS_FEED', () => {
  async function submit(messages: unknown[]) {
    const doc = await sp('POST', '/feeds/2021-06-30/documents', { body: { contentType: 'application/json; charset=UTF-8' } });
    expect(doc.status).toBe(201);
    const put = await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify({ header: { sellerId: sb.credentials.sellerId, version: '2.0' }, messages }) });
    expect(put.status).toBe(200);
    return sp('POST', '/feeds/2021-06-30/feeds', { body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [sb.credentials.marketplaceIds], inputFeedDocumentId: doc.body.feedDocumentId } });
  }
  const msg = (messageId: number, sku: string, quantity: number) => ({ messageId, sku, operationType: 'PATCH', productType: 'PRODUCT', patches: mergeQty(quantity).patches });

  it('goes IN_QUEUE → DONE and reports per-message issues (partial success)', async () => {
    const created = await submit([msg(1, 'MUG-1', 4), msg(2, 'NOPE', 1), msg(3, 'A/B 2', -2)]);
    expect(created.status).toBe(202);
    const first = await sp('GET', `/feeds/2021-06-30/feeds/${created.body.feedId}`);
    // Not finished yet right after createFeed (IN_QUEUE, or IN_PROGRESS on a slow machine).
    expect(['IN_QUEUE', 'IN_PROGRESS']).toContain(first.body.processingStatus);
    let feed = first.body;
    await vi.waitFor(async () => {
      feed = (await sp('GET', `/feeds/2021-06-30/feeds/${created.body.feedId}`)).body;
      expect(feed.processingStatus).toBe('DONE');
    }, { timeout: 2000, interval: 20 });
    const doc = await sp('GET', `/feeds/2021-06-30/documents/${feed.resultFeedDocumentId}`);
    const report = await (await fetch(doc.body.url)).json();
    expect(report.summary).toMatchObject({ messagesProcessed: 3, messagesAccepted: 1, messagesInvalid: 2 });
    expect(report.issues.map((i: { messageId: number }) => i.messageId).sort()).toEqual([2, 3]);
    expect(sb.quantities()).toMatchObject({ 'MUG-1': 4, 'A/B 2': 3 });
  });

  it('fails a feed of more than 25,000 messages as FATAL', async () => {
    const created = await submit(Array.from({ length: 25_001 }, (_, i) => msg(i + 1, 'MUG-1', 1)));
    await vi.waitFor(async () => expect((await sp('GET', `/feeds/2021-06-30/feeds/${created.body.feedId}`)).body.processingStatus).toBe('FATAL'), { timeout: 5000, interval: 50 });
    expect(sb.quantities()['MUG-1']).toBe(10);
  });

  it('accepts five feeds per window and throttles the sixth with QuotaExceeded', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await submit([msg(1, 'MUG-1', i)])).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe('orders', () => {
  const ordersPath = (q: Record<string, string>) => `/orders/v0/orders?${new URLSearchParams({ MarketplaceIds: sb.credentials.marketplaceIds!, ...q })}`;

  it('refuses LastUpdatedBefore later than the 2-minute rule allows', async () => {
    const r = await sp('GET', ordersPath({ LastUpdatedAfter: new Date(Date.now() - 3_600_000).toISOString(), LastUpdatedBefore: new Date().toISOString() }));
    expect(r.status).toBe(400);
    expect(r.body.errors[0].code).toBe('InvalidInput');
  });

  it('refuses both or neither of CreatedAfter and LastUpdatedAfter', async () => {
    const r = await sp('GET', ordersPath({}));
    expect(r.status).toBe(400);
  });

  it('shows a shopper order only after the lag, pages with NextToken, and lists its items', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) expect((await sb.placeOrder('MUG-1', 1)).accepted).toBe(true);
    expect((await sb.placeOrder('MUG-1', 100)).accepted).toBe(false);
    expect(sb.quantities()['MUG-1']).toBe(7);
    const early = await sp('GET', ordersPath({ LastUpdatedAfter: since }));
    expect(early.body.payload.Orders).toHaveLength(0);
    const ids = new Set<string>();
    await vi.waitFor(async () => {
      ids.clear();
      let page = await sp('GET', ordersPath({ LastUpdatedAfter: since, MaxResultsPerPage: '2' }));
      for (;;) {
        for (const o of page.body.payload.Orders) ids.add(o.AmazonOrderId);
        if (!page.body.payload.NextToken) break;
        page = await sp('GET', ordersPath({ NextToken: page.body.payload.NextToken }));
      }
      expect(ids.size).toBe(3);
    }, { timeout: 3000, interval: 50 });
    const items = await sp('GET', `/orders/v0/orders/${[...ids][0]}/orderItems`);
    expect(items.body.payload.OrderItems).toEqual([expect.objectContaining({ SellerSKU: 'MUG-1', QuantityOrdered: 1 })]);
  });

  it('queues ORDER_CHANGE Pending then Unshipped, twice each when duplicates are on', async () => {
    sb.setFaults({ duplicateRate: 1 });
    const { orderId } = await sb.placeOrder('MUG-1', 2);
    await vi.waitFor(() => expect(sb.queueDepth()).toBe(4), { timeout: 2000, interval: 20 });
    const r = await fetch(`${sb.url}/_sandbox/sqs/receive?max=10`, { method: 'POST' });
    const { messages } = (await r.json()) as { messages: { body: string; receiptHandle: string }[] };
    const bodies = messages.map((m) => JSON.parse(m.body));
    expect(bodies.map((b) => b.Payload.OrderChangeNotification.Summary.OrderStatus).sort()).toEqual(['Pending', 'Pending', 'Unshipped', 'Unshipped']);
    expect(new Set(bodies.map((b) => b.NotificationMetadata.NotificationId)).size).toBe(2);
    expect(bodies[0].Payload.OrderChangeNotification.AmazonOrderId).toBe(orderId);
    for (const m of messages) await fetch(`${sb.url}/_sandbox/sqs/delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ receiptHandle: m.receiptHandle }) });
    expect(sb.queueDepth()).toBe(0);
  });
});
