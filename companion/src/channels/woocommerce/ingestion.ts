/**
 * POST /v1/webhooks/woocommerce: answers WooCommerce's creation ping (`webhook_id=<id>`, unsigned)
 * with 200, verifies X-WC-Webhook-Signature over the raw body (401 otherwise), skips a delivery
 * already processed, and records order.created / order.updated as ledger events. The dedup key is
 * webhook id + delivery id + resource id + a hash of the body: core's delivery id is
 * wp_hash(webhook id . current second), so two updates of one order within a second share it —
 * the body hash keeps a real change from being mistaken for a redelivery. WooCommerce never retries, so a sink failure is answered 500 (counted as a
 * failure by the store) and logged; reconciliation is the backstop.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EventSink, OrderIngestion } from '../port';
import { webhookSchema } from '../webhook-schema';
import { keepRawBody, rawBodyOf } from '../shopify/raw-body';
import type { WebhookDedup } from '../shopify/webhook-dedup';
import { siteId, wooOrderEvents } from './order-events';
import { verifyWooWebhook } from './signatures';

export interface WooIngestionOptions {
  webhookSecret: string;
  dedup: WebhookDedup;
  tenant?: string;
  /** Overrides the site id taken from X-WC-Webhook-Source. */
  site?: string;
  logger?: { warn: (obj: object, msg?: string) => void };
  path?: string;
  /** True while another source reports this store's orders (the Stockline plugin): deliveries are acknowledged and not recorded. */
  standAside?: () => Promise<boolean>;
  /** The Stockline plugin's site id when it is known: orders are recorded under its ids (plugin-site.ts). */
  pluginSite?: () => Promise<string | undefined>;
}

const ORDER_TOPICS = new Set(['order.created', 'order.updated']);

export function wooIngestion(opts: WooIngestionOptions): OrderIngestion {
  let warnedPlugin = false;
  return {
    routes: (app: FastifyInstance, sink: EventSink) => {
      void app.register(async (scope) => {
        keepRawBody(scope);
        scope.post(opts.path ?? '/v1/webhooks/woocommerce', { schema: webhookSchema('WooCommerce', 'X-WC-Webhook-Signature') }, async (request, reply) => {
          const topic = request.headers['x-wc-webhook-topic'];
          const body = request.body as Record<string, unknown> | undefined;
          if (!topic && body && typeof body === 'object' && 'webhook_id' in body && Object.keys(body).length === 1) {
            return reply.code(200).send({ ok: true, ping: true });
          }
          const sig = request.headers['x-wc-webhook-signature'];
          if (!verifyWooWebhook(rawBodyOf(request), typeof sig === 'string' ? sig : undefined, opts.webhookSecret)) {
            return reply.code(401).send({ code: 'invalid_signature', message: 'X-WC-Webhook-Signature does not match the body' });
          }
          if (typeof topic !== 'string' || !ORDER_TOPICS.has(topic) || !body) return reply.code(200).send({ ok: true, ignored: true });
          let aside = false;
          try {
            aside = (await opts.standAside?.()) ?? false;
          } catch (err) {
            // The store sends webhooks but cannot be asked (a firewall, say): an order the plugin
            // reported still carries its meta and gives no events (order-events.ts).
            opts.logger?.warn({ err, topic }, 'could not ask the store whether it runs the Stockline plugin; recording the order unless the plugin reported it');
          }
          if (aside) {
            if (!warnedPlugin) {
              warnedPlugin = true;
              opts.logger?.warn({ topic }, 'this store runs the Stockline plugin, which reports its orders: its order webhooks are acknowledged and ignored (delete them in WooCommerce → Settings → Advanced → Webhooks)');
            }
            return reply.code(200).send({ ok: true, ignored: true, reason: 'the store runs the Stockline plugin, which reports its orders' });
          }
          const bodyHash = createHash('sha256').update(rawBodyOf(request)).digest('base64url').slice(0, 22);
          const delivery = [request.headers['x-wc-webhook-id'], request.headers['x-wc-webhook-delivery-id'], body.id, bodyHash].map((x) => String(x ?? '')).join(':');
          if (await opts.dedup.seen(delivery)) return reply.code(200).send({ ok: true, duplicate: true });
          const source = request.headers['x-wc-webhook-source'];
          const events = wooOrderEvents(body, opts.site ?? siteId(typeof source === 'string' ? source : undefined), opts.tenant, await opts.pluginSite?.());
          if (events.length) {
            try {
              const results = await sink(events);
              const refused = results.filter((r) => r.status === 'refused');
              if (refused.length) opts.logger?.warn({ topic, delivery, refused }, 'woocommerce webhook events refused by the ledger');
            } catch (err) {
              opts.logger?.warn({ err, topic, delivery }, 'woocommerce webhook not recorded');
              return reply.code(500).send({ code: 'not_recorded', message: 'try again' });
            }
          }
          await opts.dedup.remember(delivery);
          return reply.code(200).send({ ok: true, events: events.length });
        });
      });
    },
  };
}
