/**
 * Shopify webhook payloads → ledger events. Ids make redelivery harmless:
 *   orders/create    → order.confirmed  `shopify:<orderId>:confirmed`
 *   orders/cancelled → order.confirmed + order.cancelled `shopify:<orderId>:cancelled`
 *     (the confirmation is repeated from the cancelled payload, which carries the full order, so
 *      a cancel delivered before its create still nets to zero; the late create is a duplicate)
 *   refunds/create   → per refund line by restock_type:
 *     return / legacy_restock → stock.received `shopify:<orderId>:refund:<refundId>:<lineId>`
 *       (goods came back to the shelf);
 *     cancel → nothing here: the cancellation itself arrives as orders/cancelled, and a partial
 *       cancel must not cancel the whole order;
 *     no_restock → nothing.
 *   fulfillments/create → stock.shipped `shopify:<orderId>:fulfillment:<fulfillmentId>` with the shipped lines
 *     (a fulfilment seen before its order is refused unknown_order by the ledger; the receiver then
 *      answers 503 so Shopify redelivers it once the order is there).
 * Lines are grouped by SKU; lines without a SKU (custom items, tips) are skipped.
 */
import { Value } from '@sinclair/typebox/value';
import { Line, type StockEvent } from '../../schemas/events';

interface LineItem {
  sku?: string | null;
  quantity?: number;
}
interface OrderPayload {
  id: number | string;
  created_at?: string;
  cancelled_at?: string | null;
  cancel_reason?: string | null;
  line_items?: LineItem[];
}
interface RefundPayload {
  id: number | string;
  order_id: number | string;
  created_at?: string;
  refund_line_items?: { id: number | string; quantity: number; restock_type?: string; line_item?: LineItem }[];
}

const SOURCE = 'shopify';

function iso(value: string | null | undefined): string {
  const t = value ? Date.parse(value) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : new Date().toISOString();
}

/**
 * Order lines grouped by SKU, keeping only what the event contract accepts (a SKU Stockline
 * could track, 1..1e6 units): one odd line must not make the whole order unrecordable, which
 * would only make the channel redeliver it forever.
 */
export function groupLines(items: { sku?: string | null; quantity?: number }[] | undefined): { sku: string; qty: number }[] {
  const bySku = new Map<string, number>();
  for (const l of items ?? []) {
    const sku = l.sku?.trim();
    if (!sku || !Number.isInteger(l.quantity) || (l.quantity ?? 0) < 1) continue;
    bySku.set(sku, (bySku.get(sku) ?? 0) + l.quantity!);
  }
  return [...bySku].map(([sku, qty]) => ({ sku, qty })).filter((line) => Value.Check(Line, line));
}
const lines = groupLines;

function confirmed(order: OrderPayload, tenant: string | undefined): StockEvent[] {
  const ls = lines(order.line_items);
  if (!ls.length) return [];
  return [
    {
      id: `shopify:${order.id}:confirmed`,
      type: 'order.confirmed',
      source: SOURCE,
      occurredAt: iso(order.created_at),
      orderId: `shopify:${order.id}`,
      lines: ls,
      ...(tenant ? { tenant } : {}),
    },
  ];
}

function cancelled(order: OrderPayload, tenant: string | undefined): StockEvent[] {
  const conf = confirmed(order, tenant);
  if (!conf.length) return [];
  return [
    ...conf,
    {
      id: `shopify:${order.id}:cancelled`,
      type: 'order.cancelled',
      source: SOURCE,
      occurredAt: iso(order.cancelled_at ?? undefined),
      orderId: `shopify:${order.id}`,
      ...(order.cancel_reason ? { reason: String(order.cancel_reason).slice(0, 200) } : {}),
      ...(tenant ? { tenant } : {}),
    },
  ];
}

function refund(r: RefundPayload, tenant: string | undefined): StockEvent[] {
  const out: StockEvent[] = [];
  for (const l of r.refund_line_items ?? []) {
    if (l.restock_type !== 'return' && l.restock_type !== 'legacy_restock') continue;
    const sku = l.line_item?.sku?.trim();
    if (!sku || !Value.Check(Line, { sku, qty: l.quantity })) continue;
    out.push({
      id: `shopify:${r.order_id}:refund:${r.id}:${l.id}`,
      type: 'stock.received',
      source: SOURCE,
      occurredAt: iso(r.created_at),
      sku,
      qty: l.quantity,
      ...(tenant ? { tenant } : {}),
    });
  }
  return out;
}

interface FulfillmentPayload {
  id: number | string;
  order_id: number | string;
  status?: string;
  created_at?: string;
  line_items?: LineItem[];
}

function fulfillment(f: FulfillmentPayload, tenant: string | undefined): StockEvent[] {
  if (f.status && f.status !== 'success' && f.status !== 'open' && f.status !== 'pending') return [];
  const ls = lines(f.line_items);
  if (!ls.length) return [];
  return [
    {
      id: `shopify:${f.order_id}:fulfillment:${f.id}`,
      type: 'stock.shipped',
      source: SOURCE,
      occurredAt: iso(f.created_at),
      orderId: `shopify:${f.order_id}`,
      lines: ls,
      ...(tenant ? { tenant } : {}),
    },
  ];
}

/** Events for one webhook; [] for topics Stockline does not ingest (e.g. inventory_levels/update). */
export function shopifyWebhookEvents(topic: string, payload: unknown, tenant?: string): StockEvent[] {
  if (!payload || typeof payload !== 'object') return [];
  switch (topic) {
    case 'orders/create':
      return (payload as OrderPayload).cancelled_at ? cancelled(payload as OrderPayload, tenant) : confirmed(payload as OrderPayload, tenant);
    case 'orders/cancelled':
      return cancelled(payload as OrderPayload, tenant);
    case 'refunds/create':
      return refund(payload as RefundPayload, tenant);
    case 'fulfillments/create':
      return fulfillment(payload as FulfillmentPayload, tenant);
    default:
      // inventory_levels/update and friends: Stockline is the source of truth, so channel-side
      // stock changes — including the echo of our own pushes — are never read back as changes.
      return [];
  }
}
