/**
 * The Shopify sandbox: a local shop speaking `POST /admin/api/:version/graphql.json` (token auth
 * with Shopify's own 401 body, cost bucket, THROTTLED, inventorySetQuantities with CAS and
 * @idempotent), sending signed `orders/create`, `orders/cancelled` and `refunds/create`
 * webhooks, plus the sandbox-kit admin routes (/_sandbox/...).
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Faults } from '../../sandbox-kit/faults';
import type { FaultConfig, SandboxHandle, SandboxStats, ShopperResult } from '../../sandbox-kit/types';
import { signShopifyWebhook } from '../webhook-hmac';
import { ShopifyCatalog, type AdjustmentGroup } from './catalog';
import { ShopifyGraphQL } from './graphql';
import { ShopifyOrders } from './orders';
import { WebhookOutbox, type DeliveryRecord } from './outbox';
import { registerShopifyRest } from './rest';

export interface ShopifySandboxOptions {
  port?: number;
  faults?: Partial<FaultConfig>;
  webhookUrl?: string;
  webhookSecret?: string;
  costBucket?: { max: number; restoreRate: number };
  throttleStatusCode?: 200 | 429;
  accessToken?: string;
  /** App credentials for the client-credentials grant (POST /admin/oauth/access_token). */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of granted tokens (Shopify: 24 h). */
  tokenTtlSeconds?: number;
  locationId?: string;
  /** Delay inside inventorySetQuantities (makes IDEMPOTENCY_CONCURRENT_REQUEST reachable). */
  applyDelayMs?: number;
  /** Webhook retry schedule; Shopify retries 8 times over 4 h, tests want milliseconds. */
  webhookRetryDelaysMs?: number[];
  shop?: string;
  /** Also send inventory_levels/update after every write (what a subscribed app would get — including the echo of its own pushes). */
  inventoryWebhooks?: boolean;
  listings?: { sku: string; quantity: number }[];
  /** Runs before each inventorySetQuantities is applied, with the SKUs of its rows (tests: a shopper buying meanwhile). */
  beforeSetQuantities?: (skus: (string | null)[]) => void | Promise<void>;
}

export interface ShopifySandboxHandle extends SandboxHandle {
  shop: string;
  locationId: string;
  webhookSecret: string;
  cancelOrder(orderId: string | number): Promise<boolean>;
  /** Ships the whole order (sends fulfillments/create). */
  fulfillOrder(orderId: string | number): Promise<boolean>;
  /** A second variant with an existing SKU, or an item that cannot be set (bundle parent). */
  addVariant(sku: string, quantity: number, opts?: { duplicate?: boolean; mutable?: boolean }): { inventoryItemId: string };
  removeVariant(inventoryItemId: string): void;
  /** Resolves once every queued webhook was delivered or given up. */
  deliveriesIdle(): Promise<void>;
  deliveries(): DeliveryRecord[];
  /** Sends an already delivered webhook again, same bytes and id (a late redelivery). */
  redeliver(webhookId: string): boolean;
  adjustments(): AdjustmentGroup[];
  setWebhookUrl(url: string): void;
  /** Expires every token granted so far (the fixed access token stays valid). */
  expireTokens(): void;
  tokensGranted(): number;
}

const INVALID_TOKEN = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

export async function startShopifySandbox(opts: ShopifySandboxOptions = {}): Promise<ShopifySandboxHandle> {
  const shop = opts.shop ?? 'stockline-sandbox.myshopify.com';
  const token = opts.accessToken ?? `shpat_${randomUUID().replace(/-/g, '')}`;
  const webhookSecret = opts.webhookSecret ?? `whsec_${randomUUID().replace(/-/g, '')}`;
  const locationId = opts.locationId ?? 'gid://shopify/Location/1';
  const clientId = opts.clientId ?? randomUUID().replace(/-/g, '');
  const clientSecret = opts.clientSecret ?? `shpss_${randomUUID().replace(/-/g, '')}`;
  const granted = new Map<string, number>(); // token → expiry (ms)
  let grants = 0;
  const validToken = (t: unknown) => t === token || (typeof t === 'string' && (granted.get(t) ?? 0) > Date.now());
  let webhookUrl = opts.webhookUrl;
  const faults = new Faults(opts.faults);
  const catalog = new ShopifyCatalog(locationId, ['gid://shopify/Location/2']);
  const orders = new ShopifyOrders(catalog);
  const gql = new ShopifyGraphQL(catalog, {
    costBucket: opts.costBucket ?? { max: 1000, restoreRate: 100 },
    throttleStatusCode: opts.throttleStatusCode ?? 200,
    applyDelayMs: opts.applyDelayMs ?? 0,
    throttling: () => faults.throttling,
    beforeSetQuantities: opts.beforeSetQuantities,
  }, orders);
  const outbox = new WebhookOutbox(faults, {
    retryDelaysMs: opts.webhookRetryDelaysMs ?? [20, 40, 80, 160, 320, 640, 1280, 2560],
    timeoutMs: 5000,
    disableAfterFailures: 8,
    okBelow: 300,
  });
  const stats: SandboxStats = { calls: 0, throttled: 0, writes: 0, rowsWritten: 0, ordersAccepted: 0, ordersRefused: 0 };
  for (const l of opts.listings ?? []) catalog.upsert(l.sku, l.quantity);

  const sendWebhook = (topic: string, payload: unknown) => {
    if (!webhookUrl) return;
    const body = JSON.stringify(payload);
    const id = randomUUID();
    outbox.enqueue({
      id,
      topic,
      url: webhookUrl,
      body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': signShopifyWebhook(body, webhookSecret),
        'x-shopify-webhook-id': id,
        'x-shopify-event-id': randomUUID(),
        'x-shopify-triggered-at': new Date().toISOString(),
        'x-shopify-shop-domain': shop,
        'x-shopify-api-version': '2026-04',
      },
    });
  };

  const placeOrder = async (sku: string, qty: number): Promise<ShopperResult> => {
    const { order, reason } = orders.place([{ sku, qty }]);
    if (!order) {
      stats.ordersRefused++;
      return { accepted: false, reason };
    }
    stats.ordersAccepted++;
    sendWebhook('orders/create', order);
    return { accepted: true, orderId: String(order.id) };
  };

  const cancelOrder = async (orderId: string | number): Promise<boolean> => {
    const done = orders.cancel(Number(orderId));
    if (!done) return false;
    sendWebhook('orders/cancelled', done.order);
    sendWebhook('refunds/create', done.refund);
    return true;
  };

  const fulfillOrder = async (orderId: string | number): Promise<boolean> => {
    const f = orders.fulfill(Number(orderId));
    if (!f) return false;
    sendWebhook('fulfillments/create', f);
    return true;
  };

  const app = Fastify({ logger: false });
  faults.install(app, (reply) => reply.code(503).send({ errors: 'Service Unavailable' }));

  app.post<{ Params: { version: string }; Body: { query?: unknown; variables?: unknown; operationName?: unknown } }>(
    '/admin/api/:version/graphql.json',
    async (request, reply) => {
      stats.calls++;
      if (!validToken(request.headers['x-shopify-access-token'])) return reply.code(401).send(INVALID_TOKEN);
      const body = request.body ?? {};
      const out = await gql.run(body.query, body.variables, body.operationName, request.params.version);
      if (out.throttled) {
        stats.throttled++;
        if (out.status === 429) reply.header('retry-after', '1');
      }
      if (out.wrote > 0) {
        stats.writes++;
        stats.rowsWritten += out.wrote;
        const group = catalog.adjustments.at(-1);
        if (opts.inventoryWebhooks && group) {
          for (const c of group.changes) {
            sendWebhook('inventory_levels/update', {
              inventory_item_id: Number(c.itemId.split('/').pop()),
              location_id: Number(c.locationId.split('/').pop()),
              available: c.quantityAfterChange,
              updated_at: group.createdAt,
              admin_graphql_api_id: `gid://shopify/InventoryLevel/${c.itemId.split('/').pop()}`,
            });
          }
        }
      }
      return reply.code(out.status).send(out.body);
    },
  );

  registerShopifyRest(app, { catalog, validToken, faults, stats });

  // Client-credentials grant (form or JSON body), as for an organisation's own app on its own store.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.post<{ Body: Record<string, string> | undefined }>('/admin/oauth/access_token', async (request, reply) => {
    const b = request.body ?? {};
    if (b.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    if (b.client_id !== clientId || b.client_secret !== clientSecret) {
      return reply.code(400).send({ error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    const ttl = opts.tokenTtlSeconds ?? 86_400;
    const issued = `shpat_${randomUUID().replace(/-/g, '')}`;
    granted.set(issued, Date.now() + ttl * 1000);
    grants++;
    return { access_token: issued, scope: 'read_inventory,write_inventory,read_orders', expires_in: ttl - 1 };
  });

  app.get('/_sandbox/quantities', async () => catalog.quantities());
  app.post<{ Body: { sku: string; quantity: number }[] }>('/_sandbox/listings', async (request) => {
    for (const l of request.body) catalog.upsert(l.sku, l.quantity);
    return catalog.quantities();
  });
  app.get('/_sandbox/faults', async () => faults.get());
  app.post<{ Body: Partial<FaultConfig> & { outageForMs?: number } }>('/_sandbox/faults', async (request) => faults.set(request.body ?? {}));
  app.post<{ Body: { sku: string; qty: number } }>('/_sandbox/orders', async (request) => placeOrder(request.body.sku, request.body.qty));
  app.post<{ Params: { id: string } }>('/_sandbox/orders/:id/cancel', async (request) => ({ cancelled: await cancelOrder(request.params.id) }));
  app.post<{ Params: { id: string } }>('/_sandbox/orders/:id/fulfill', async (request) => ({ fulfilled: await fulfillOrder(request.params.id) }));
  app.get('/_sandbox/stats', async () => stats);
  app.get('/_sandbox/adjustments', async () => catalog.adjustments);
  app.get('/_sandbox/webhooks', async () => ({ deliveries: outbox.log, disabled: outbox.disabled }));

  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  return {
    channel: 'shopify',
    url,
    shop,
    locationId,
    webhookSecret,
    credentials: { shop, token, clientId, clientSecret, locationId, webhookSecret, url },
    quantities: () => catalog.quantities(),
    seed: (listings) => {
      for (const l of listings) catalog.upsert(l.sku, l.quantity);
    },
    addVariant: (sku, quantity, o) => ({ inventoryItemId: catalog.upsert(sku, quantity, o).inventoryItemId }),
    removeVariant: (id) => catalog.remove(id),
    placeOrder,
    cancelOrder,
    fulfillOrder,
    setFaults: (f) => faults.set(f),
    stats: () => ({ ...stats }),
    deliveriesIdle: () => outbox.idle(),
    deliveries: () => [...outbox.log],
    redeliver: (id) => outbox.redeliver(id),
    adjustments: () => [...catalog.adjustments],
    setWebhookUrl: (u) => {
      webhookUrl = u;
    },
    expireTokens: () => {
      for (const t of granted.keys()) granted.set(t, 0);
    },
    tokensGranted: () => grants,
    close: async () => {
      outbox.close();
      await app.close();
    },
  };
}
