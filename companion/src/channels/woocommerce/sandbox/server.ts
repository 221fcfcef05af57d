/**
 * The WooCommerce sandbox: a store speaking the REST v3 subset (rest.ts) with real ck/cs auth,
 * the Stockline plugin's compare-and-set stock endpoint (when a plugin secret is set), signed
 * X-WC-Webhook-* order webhooks (no retries; disabled after more than 5 failures; the creation
 * ping), a shopper, and the sandbox-kit admin routes.
 */
import { createHash, randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Faults } from '../../sandbox-kit/faults';
import { TokenBucket } from '../../sandbox-kit/token-bucket';
import type { FaultConfig, SandboxHandle, SandboxStats, ShopperResult } from '../../sandbox-kit/types';
import { keepRawBody, rawBodyOf } from '../../shopify/raw-body';
import { WebhookOutbox, type DeliveryRecord } from '../../shopify/sandbox/outbox';
import { signWooWebhook, verifyStockline } from '../signatures';
import { WooAuth } from './auth';
import { registerWooRest } from './rest';
import { WooStore } from './store';

export interface WooCommerceSandboxOptions {
  port?: number;
  faults?: Partial<FaultConfig>;
  webhookUrl?: string;
  webhookSecret?: string;
  consumerKey?: string;
  consumerSecret?: string;
  /** Enables the Stockline plugin endpoint, verifying X-Stockline-Signature with this secret. */
  pluginSecret?: string;
  /** The site id the plugin's REST index says (plugin/src/Rest/NamespaceIndex.php); older plugins say none. */
  pluginSiteId?: string;
  /** Accept Basic auth / consumer_key query parameters (as behind a TLS terminator). */
  httpsTerminated?: boolean;
  /** The woocommerce_rest_batch_items_limit filter (default 100). */
  batchLimit?: number;
  /**
   * WooCommerce core has no rate limit; hosts and proxies in front of it often do. When set (and
   * the throttling fault is on) the sandbox answers 429 + Retry-After beyond this token bucket.
   */
  hostRateLimit?: { requestsPerSecond: number; burst: number };
  listings?: { sku: string; quantity: number }[];
  /** Also send product.updated after every stock change — including Stockline's own writes (the echo). */
  productWebhooks?: boolean;
}

export interface WooCommerceSandboxHandle extends SandboxHandle {
  siteUrl: string;
  webhookSecret: string;
  addVariable(parentSku: string, variations: { sku: string; quantity: number; parentStock?: boolean }[]): { productId: number; variationIds: number[] };
  cancelOrder(orderId: string | number): Promise<boolean>;
  /** Creates the webhook as WooCommerce does: pings the URL (`webhook_id=<id>`), keeps it only on 2xx. */
  createWebhook(url: string): Promise<{ ok: boolean; status: number }>;
  deliveriesIdle(): Promise<void>;
  deliveries(): DeliveryRecord[];
  redeliver(deliveryKey: string): boolean;
  webhookDisabled(): boolean;
  /** Sets an order's meta (no webhook), as the Stockline plugin does with `_stockline_state`. */
  setOrderMeta(orderId: string | number, key: string, value: string): boolean;
  /** Activates or deactivates the stand-in plugin: inactive, its routes answer 404 rest_no_route as WordPress does. */
  setPluginActive(active: boolean): void;
  /** Signed POST stockline/v1/hello calls the stand-in plugin answered (the companion saying it is up). */
  greetings(): number;
}

/** One webhook per topic, as a store set up for Stockline would have. */
const WEBHOOK_IDS = { 'order.created': 1, 'order.updated': 2, 'product.updated': 3 } as const;
type Topic = keyof typeof WEBHOOK_IDS;

export async function startWooCommerceSandbox(opts: WooCommerceSandboxOptions = {}): Promise<WooCommerceSandboxHandle> {
  const consumerKey = opts.consumerKey ?? `ck_${randomBytes(20).toString('hex')}`;
  const consumerSecret = opts.consumerSecret ?? `cs_${randomBytes(20).toString('hex')}`;
  const webhookSecret = opts.webhookSecret ?? randomBytes(16).toString('hex');
  const faults = new Faults(opts.faults);
  const store = new WooStore();
  const auth = new WooAuth(consumerKey, consumerSecret, opts.httpsTerminated ?? false);
  const stats: SandboxStats = { calls: 0, throttled: 0, writes: 0, rowsWritten: 0, ordersAccepted: 0, ordersRefused: 0 };
  // WooCommerce counts 200–302 as delivered, never retries, and disables the hook after > 5 failures.
  const outbox = new WebhookOutbox(faults, { retryDelaysMs: [], timeoutMs: 60_000, disableAfterFailures: 6, okBelow: 303 });
  let webhookUrl = opts.webhookUrl;
  let siteUrl = '';
  for (const l of opts.listings ?? []) store.upsert(l.sku, l.quantity);
  if (opts.productWebhooks) store.onStockChange = (target) => sendWebhook('product.updated', target);

  const sendWebhook = (topic: Topic, resource: { id: number }) => {
    if (!webhookUrl) return;
    const [kind, event] = topic.split('.') as [string, string];
    const body = JSON.stringify(resource);
    // Core: wp_hash(webhook id . strtotime('now')) — the same within one second, hence dedup on delivery id + resource id.
    const deliveryId = createHash('md5').update(`${WEBHOOK_IDS[topic]}${Math.floor(Date.now() / 1000)}`).digest('hex');
    outbox.enqueue({
      id: `${deliveryId}:${resource.id}:${outbox.log.length}:${Math.random()}`,
      topic,
      url: webhookUrl,
      body,
      headers: {
        'content-type': 'application/json',
        'x-wc-webhook-source': siteUrl,
        'x-wc-webhook-topic': topic,
        'x-wc-webhook-resource': kind,
        'x-wc-webhook-event': event,
        'x-wc-webhook-signature': signWooWebhook(body, webhookSecret),
        'x-wc-webhook-id': String(WEBHOOK_IDS[topic]),
        'x-wc-webhook-delivery-id': deliveryId,
      },
    });
  };

  const placeOrder = async (sku: string, qty: number): Promise<ShopperResult> => {
    const { order, reason } = store.place(sku, qty);
    if (!order) {
      stats.ordersRefused++;
      return { accepted: false, reason };
    }
    stats.ordersAccepted++;
    sendWebhook('order.created', order);
    return { accepted: true, orderId: String(order.id) };
  };
  const cancelOrder = async (id: string | number) => {
    const order = store.cancel(Number(id));
    if (!order) return false;
    sendWebhook('order.updated', order);
    return true;
  };

  const app = Fastify({ logger: false });
  faults.install(app, (reply) =>
    reply.code(500).send({ code: 'internal_server_error', message: 'There has been a critical error on this website.', data: { status: 500 } }),
  );
  if (opts.hostRateLimit) {
    const bucket = new TokenBucket(opts.hostRateLimit.requestsPerSecond, opts.hostRateLimit.burst);
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/_sandbox') || !faults.throttling || bucket.tryTake(1)) return;
      stats.calls++;
      stats.throttled++;
      return reply
        .code(429)
        .header('retry-after', String(Math.max(1, Math.ceil(bucket.msUntil(1) / 1000))))
        .send({ code: 'too_many_requests', message: 'Too Many Requests', data: { status: 429 } });
    });
  }
  let pluginActive = true;
  const noRoute = { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } };
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(noRoute));
  registerWooRest(app, store, auth, stats, opts.batchLimit ?? 100);

  let greeted = 0;
  if (opts.pluginSecret) {
    const secret = opts.pluginSecret;
    app.get('/wp-json/stockline/v1', async (_request, reply) =>
      pluginActive
        ? { namespace: 'stockline/v1', routes: { '/stockline/v1/stock': { methods: ['POST'] } }, ...(opts.pluginSiteId ? { siteId: opts.pluginSiteId } : {}) }
        : reply.code(404).send(noRoute),
    );
    await app.register(async (scope) => {
      keepRawBody(scope);
      /** As the plugin answers: 404 while inactive, 401 unless signed with the secret; false when it answered. */
      const admitted = (request: FastifyRequest, reply: FastifyReply): boolean => {
        if (!pluginActive) return void reply.code(404).send(noRoute), false;
        const sig = request.headers['x-stockline-signature'];
        if (verifyStockline(rawBodyOf(request), typeof sig === 'string' ? sig : undefined, secret)) return true;
        reply.code(401).send({ code: 'stockline_bad_signature', message: 'X-Stockline-Signature does not match.', data: { status: 401 } });
        return false;
      };
      scope.post('/wp-json/stockline/v1/hello', async (request, reply) => {
        if (!admitted(request, reply)) return reply;
        greeted++;
        return { ok: true };
      });
      scope.post('/wp-json/stockline/v1/stock', async (request, reply) => {
        stats.calls++;
        if (!admitted(request, reply)) return reply;
        const items = (request.body as { items?: { sku?: unknown; quantity?: unknown; expected?: unknown }[] } | undefined)?.items;
        const valid = (i: { sku?: unknown; quantity?: unknown; expected?: unknown }) =>
          typeof i?.sku === 'string' && Number.isInteger(i.quantity) && (i.quantity as number) >= 0 &&
          (i.expected === undefined || i.expected === null || Number.isInteger(i.expected));
        if (!Array.isArray(items) || items.length > 100 || !items.every(valid)) {
          return reply.code(400).send({ code: 'rest_invalid_param', message: 'items: up to 100 of { sku, quantity ≥ 0, expected }.', data: { status: 400 } });
        }
        let wrote = 0;
        const results = items.map((i) => {
          const sku = String(i.sku ?? '');
          const target = store.bySku(sku);
          if (!target) return { sku, status: 'not_found', quantity: null };
          const current = target.stock_quantity ?? 0;
          if (typeof i.expected === 'number' && i.expected !== current) return { sku, status: 'stale', quantity: current };
          const q = i.quantity as number;
          store.setStock(target, q);
          wrote++;
          return { sku, status: 'ok', quantity: q };
        });
        if (wrote) {
          stats.writes++;
          stats.rowsWritten += wrote;
        }
        return { results };
      });
    });
  }

  app.get('/_sandbox/quantities', async () => store.quantities());
  app.post<{ Body: { sku: string; quantity: number }[] }>('/_sandbox/listings', async (request) => {
    for (const l of request.body) store.upsert(l.sku, l.quantity);
    return store.quantities();
  });
  app.get('/_sandbox/faults', async () => faults.get());
  app.post<{ Body: Partial<FaultConfig> & { outageForMs?: number } }>('/_sandbox/faults', async (request) => faults.set(request.body ?? {}));
  app.post<{ Body: { sku: string; qty: number } }>('/_sandbox/orders', async (request) => placeOrder(request.body.sku, request.body.qty));
  app.post<{ Params: { id: string } }>('/_sandbox/orders/:id/cancel', async (request) => ({ cancelled: await cancelOrder(request.params.id) }));
  app.get('/_sandbox/stats', async () => stats);
  app.get('/_sandbox/webhooks', async () => ({ deliveries: outbox.log, disabled: outbox.disabled }));

  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  siteUrl = `${url}/`;

  return {
    channel: 'woocommerce',
    url,
    siteUrl,
    webhookSecret,
    credentials: { url, key: consumerKey, secret: consumerSecret, webhookSecret, ...(opts.pluginSecret ? { pluginSecret: opts.pluginSecret } : {}) },
    quantities: () => store.quantities(),
    seed: (listings) => {
      for (const l of listings) store.upsert(l.sku, l.quantity);
    },
    addVariable: (parentSku, variations) => store.addVariable(parentSku, variations),
    placeOrder,
    cancelOrder,
    setOrderMeta: (orderId, key, value) => store.setMeta(Number(orderId), key, value) !== null,
    setPluginActive: (active) => {
      pluginActive = active;
    },
    greetings: () => greeted,
    createWebhook: async (target) => {
      let status = 0;
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `webhook_id=${WEBHOOK_IDS['order.created']}`,
          signal: AbortSignal.timeout(60_000),
        });
        status = res.status;
      } catch {
        status = 0;
      }
      const ok = status >= 200 && status < 300;
      if (ok) webhookUrl = target;
      return { ok, status };
    },
    setFaults: (f) => faults.set(f),
    stats: () => ({ ...stats }),
    deliveriesIdle: () => outbox.idle(),
    deliveries: () => [...outbox.log],
    redeliver: (id) => outbox.redeliver(id),
    webhookDisabled: () => outbox.disabled,
    close: async () => {
      outbox.close();
      await app.close();
    },
  };
}
