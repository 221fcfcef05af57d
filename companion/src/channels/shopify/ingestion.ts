/**
 * POST /v1/webhooks/shopify: verifies X-Shopify-Hmac-SHA256 over the raw body (constant time;
 * a bad signature is refused 401 before anything is read), skips a delivery id already
 * processed, turns the payload into ledger events (order-events.ts) and hands them to the sink.
 * Answers 200 once the events are recorded — the ledger is fast, well inside Shopify's 5 s — and
 * 500 if the sink failed, so Shopify retries the delivery and nothing is lost.
 */
import type { FastifyInstance } from 'fastify';
import type { EventSink, OrderIngestion } from '../port';
import { webhookSchema } from '../webhook-schema';
import { shopifyWebhookEvents } from './order-events';
import { keepRawBody, rawBodyOf } from './raw-body';
import type { WebhookDedup } from './webhook-dedup';
import { verifyShopifyWebhook } from './webhook-hmac';

export interface ShopifyIngestionOptions {
  /** Current secret first; the previous one too while a rotation settles. */
  webhookSecrets: string[];
  dedup: WebhookDedup;
  tenant?: string;
  logger?: { warn: (obj: object, msg?: string) => void };
  path?: string;
}

export function shopifyIngestion(opts: ShopifyIngestionOptions): OrderIngestion {
  return {
    routes: (app: FastifyInstance, sink: EventSink) => {
      // Encapsulated so the raw-body parser applies to this route only.
      void app.register(async (scope) => {
        keepRawBody(scope);
        scope.post(opts.path ?? '/v1/webhooks/shopify', { schema: webhookSchema('Shopify', 'X-Shopify-Hmac-SHA256') }, async (request, reply) => {
          const raw = rawBodyOf(request);
          const hmac = request.headers['x-shopify-hmac-sha256'];
          if (!verifyShopifyWebhook(raw, typeof hmac === 'string' ? hmac : undefined, opts.webhookSecrets)) {
            return reply.code(401).send({ code: 'invalid_hmac', message: 'X-Shopify-Hmac-SHA256 does not match the body' });
          }
          const topic = String(request.headers['x-shopify-topic'] ?? '');
          const webhookId = String(request.headers['x-shopify-webhook-id'] ?? '');
          if (!topic || request.body === undefined) {
            return reply.code(400).send({ code: 'invalid_request', message: 'X-Shopify-Topic and a JSON body are required' });
          }
          if (webhookId && (await opts.dedup.seen(webhookId))) return reply.code(200).send({ ok: true, duplicate: true });
          const events = shopifyWebhookEvents(topic, request.body, opts.tenant);
          if (events.length) {
            let results;
            try {
              results = await sink(events);
            } catch (err) {
              opts.logger?.warn({ err, topic, webhookId }, 'shopify webhook not recorded; Shopify will retry');
              return reply.code(500).send({ code: 'not_recorded', message: 'try again' });
            }
            const refused = results.filter((r) => r.status === 'refused');
            if (refused.length) opts.logger?.warn({ topic, webhookId, refused }, 'shopify webhook events refused by the ledger');
            // A shipment of an order the ledger has not seen yet (deliveries are unordered): ask
            // Shopify to deliver it again later instead of dropping it.
            const early = results.some((r, i) => r.status === 'refused' && r.code === 'unknown_order' && events[i]?.type === 'stock.shipped');
            if (early) return reply.code(503).header('retry-after', '60').send({ code: 'order_not_yet_known', message: 'deliver again later' });
          }
          if (webhookId) await opts.dedup.remember(webhookId);
          return reply.code(200).send({ ok: true, events: events.length });
        });
      });
    },
  };
}
