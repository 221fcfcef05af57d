/**
 * The real ledger on the test Redis (random key prefix) for the ingestion tests, fed the way the
 * server feeds it: through an EventSink, or through a channel's webhook routes served over HTTP.
 */
import { Value } from '@sinclair/typebox/value';
import Fastify from 'fastify';
import { expect, onTestFinished } from 'vitest';
import type { EventSink, OrderIngestion } from '../../companion/src/channels/port';
import '../../companion/src/http/formats';
import { createKeys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import { StockEvent } from '../../companion/src/schemas/events';
import { createTestRedis } from '../support/redis';

export type TestLedger = Awaited<ReturnType<typeof createTestLedger>>;

/** A ledger under its own prefix, with the reads the ingestion tests assert on; its keys are removed when the test finishes. */
export async function createTestLedger(now?: () => number) {
  const t = await createTestRedis();
  onTestFinished(() => t.cleanup());
  const keys = createKeys({ prefix: t.prefix });
  const ledger = createLedger({ redis: t.redis, keys, now });
  return {
    redis: t.redis,
    keys,
    ledger,
    stock: async (sku: string) => (await ledger.getStock('default', sku))!,
    auditTypes: async (sku: string) => (await ledger.listAudit('default', { sku, limit: 100, order: 'asc' })).items.map((e) => e.type),
    /**
     * Sets each listing's quantity with an adjustment dated a minute back, so no order the
     * channel reports afterwards is older than the count it follows.
     */
    async seedListings(listings: readonly { sku: string; quantity: number }[] = []) {
      for (const l of listings) {
        await ledger.apply({ id: `seed-${l.sku}`, type: 'stock.adjusted', source: 'manual', occurredAt: new Date(Date.now() - 60_000).toISOString(), sku: l.sku, set: l.quantity, reason: 'count' });
      }
    },
  };
}

/**
 * Books for the polled marketplaces: each SKU received into the ledger, a sink that checks every
 * event against the edge's own contract (what POST /v1/events would accept) and remembers the
 * applied ones, and the three counts per SKU. Removed when the test finishes.
 */
export async function createBooks(seed: Record<string, number>, now?: () => number) {
  const books = await createTestLedger(now);
  const { ledger } = books;
  await ledger.ready();
  const at = new Date().toISOString();
  await ledger.applyBatch(Object.entries(seed).map(([sku, qty]): StockEvent => ({ id: `seed-${sku}`, type: 'stock.received', source: 'manual', occurredAt: at, sku, qty })));
  const applied: StockEvent[] = [];
  const sink: EventSink = async (events) => {
    for (const e of events) expect([...Value.Errors(StockEvent, e)].map((x) => `${x.path} ${x.message}`), e.id).toEqual([]);
    const results = await ledger.applyBatch(events);
    results.forEach((r, i) => r.status === 'applied' && applied.push(events[i]!));
    return results;
  };
  const stock = async (sku: string) => {
    const s = await books.stock(sku);
    return { onHand: s.onHand, committed: s.committed, reserved: s.reserved };
  };
  return { ledger, redis: books.redis, keys: books.keys, sink, applied, stock };
}

/**
 * Serves a channel's webhook receivers on 127.0.0.1 (port 0) as the companion does, closed when
 * the test finishes; answers the receiver's URL.
 */
export async function serveWebhooks(ingestion: OrderIngestion, sink: EventSink, channel: string): Promise<string> {
  const app = Fastify();
  onTestFinished(() => app.close());
  await ingestion.routes!(app, sink);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/v1/webhooks/${channel}`;
}
