/**
 * WooCommerce order webhooks (order.created / order.updated, REST v3 order JSON) → ledger
 * events with ids `woocommerce:<site>:<orderId>:<transition>` (or `<plugin site id>:<orderId>:<transition>`, below):
 *   processing / on-hold (core reduces stock there)               → order.confirmed `…:confirmed`
 *   completed (the order was fulfilled)                           → order.confirmed + stock.shipped `…:shipped`
 *   refunded (core puts back only what the refund said to restock,
 *     a product change this adapter does not read)                → order.confirmed + stock.shipped `…:shipped`
 *     (counted gone: short of a restock, never more than the shelf holds)
 *   cancelled (core restores stock)                               → order.confirmed + order.cancelled `…:cancelled`
 *     (the confirmation is repeated from the payload so a cancel seen before its create nets to zero,
 *      and the late create is a duplicate)
 *   pending / failed / checkout-draft / trash                     → nothing (no stock moved)
 * Lines are grouped by SKU; lines without a SKU are skipped.
 *
 * An order the Stockline plugin reported (it carries the plugin's `_stockline_state` meta, which
 * WooCommerce's REST orders and webhooks include in `meta_data`) gives nothing: the plugin sent its
 * events under its own ids, and recording it again here would count the sale twice — say after
 * the plugin was deactivated, for an order it reported a minute before.
 */
import type { StockEvent } from '../../schemas/events';
import { groupLines } from '../shopify/order-events';

interface OrderPayload {
  id?: number | string;
  status?: string;
  date_created_gmt?: string | null;
  date_modified_gmt?: string | null;
  line_items?: { sku?: string | null; quantity?: number }[];
  meta_data?: { key?: string }[];
}

/** The plugin's per-order state meta (`OrderState::META`, plugin/src/Hooks/OrderState.php). */
export const PLUGIN_STATE_META = '_stockline_state';

const CONFIRMED = new Set(['processing', 'on-hold']);
/** Statuses whose units have left the store's stock for good (see the header for refunded). */
const GONE = new Set(['completed', 'refunded']);

/** `http://shop.example:8080/` → `shop.example:8080`, limited to event-id characters. */
export function siteId(source: string | undefined): string {
  let host = source ?? '';
  try {
    host = new URL(source ?? '').host;
  } catch {
    /* keep as given */
  }
  return host.replace(/[^A-Za-z0-9.:-]/g, '-').slice(0, 64) || 'site';
}

function gmt(value: string | null | undefined): string {
  const t = value ? Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : new Date().toISOString();
}

/**
 * `pluginSite`: the Stockline plugin's site id when it is known (plugin-site.ts): the order is then
 * recorded under the ids the plugin's hooks use for it (`{pluginSite}:{order}`, events
 * `…:confirmed`, `…:shipped`, `…:cancelled`), so the plugin, active again, can carry on with it.
 */
export function wooOrderEvents(payload: unknown, site: string, tenant?: string, pluginSite?: string): StockEvent[] {
  const order = payload as OrderPayload;
  if (!order || typeof order !== 'object' || order.id === undefined || !order.status) return [];
  if (Array.isArray(order.meta_data) && order.meta_data.some((m) => m?.key === PLUGIN_STATE_META)) return [];
  const lines = groupLines(order.line_items);
  if (!lines.length) return [];
  const orderId = pluginSite ? `${pluginSite}:${order.id}` : `woocommerce:${site}:${order.id}`;
  const t = tenant ? { tenant } : {};
  const confirmed: StockEvent = {
    id: `${orderId}:confirmed`,
    type: 'order.confirmed',
    source: 'woocommerce',
    occurredAt: gmt(order.date_created_gmt),
    orderId,
    lines,
    ...t,
  };
  if (CONFIRMED.has(order.status)) return [confirmed];
  if (GONE.has(order.status)) {
    return [confirmed, { id: `${orderId}:shipped`, type: 'stock.shipped', source: 'woocommerce', occurredAt: gmt(order.date_modified_gmt), orderId, ...t }];
  }
  if (order.status === 'cancelled') {
    return [
      confirmed,
      { id: `${orderId}:cancelled`, type: 'order.cancelled', source: 'woocommerce', occurredAt: gmt(order.date_modified_gmt), orderId, reason: order.status, ...t },
    ];
  }
  return [];
}
