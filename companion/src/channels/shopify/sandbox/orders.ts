/**
 * Shopper orders on the sandbox shop and the webhook payloads Shopify sends for them
 * (REST-shaped order JSON: id, admin_graphql_api_id, line_items[{id, variant_id, sku, quantity}],
 * cancelled_at; refunds with refund_line_items[{line_item, quantity, restock_type}]).
 */
import { idBase } from '../../sandbox-kit/ids';
import type { ShopifyCatalog } from './catalog';

export interface ShopifyOrder {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  created_at: string;
  updated_at: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
  financial_status: string;
  currency: string;
  line_items: { id: number; variant_id: number; product_id: number; sku: string; quantity: number; title: string }[];
}

export class ShopifyOrders {
  // Ids from the clock (sandbox-kit/ids.ts): a restarted sandbox never reuses an order id, which
  // Stockline's event ids (`shopify:<orderId>:confirmed`) are built from.
  private nextOrder = idBase();
  private nextLine = idBase();
  /** The order's name (#1001…), as shops number them; names are for people, ids for Stockline. */
  private placed = 0;
  readonly byId = new Map<number, ShopifyOrder>();
  private fulfilled = new Set<number>();

  constructor(private catalog: ShopifyCatalog) {}

  place(lines: { sku: string; qty: number }[]): { order?: ShopifyOrder; reason?: string } {
    for (const l of lines) {
      const available = this.catalog.available(l.sku);
      if (available === null) return { reason: `unknown sku ${l.sku}` };
      if (available < l.qty) return { reason: `only ${available} of ${l.sku} available` };
    }
    for (const l of lines) this.catalog.adjust(l.sku, -l.qty);
    const id = ++this.nextOrder;
    const now = new Date().toISOString();
    const order: ShopifyOrder = {
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      name: `#${1000 + ++this.placed}`,
      created_at: now,
      updated_at: now,
      cancelled_at: null,
      cancel_reason: null,
      financial_status: 'paid',
      currency: 'USD',
      line_items: lines.map((l) => {
        const v = this.catalog.bySku.get(l.sku)![0]!;
        return {
          id: ++this.nextLine,
          variant_id: Number(v.variantId.split('/').pop()),
          product_id: Number(v.productId.split('/').pop()),
          sku: l.sku,
          quantity: l.qty,
          title: l.sku,
        };
      }),
    };
    this.byId.set(id, order);
    return { order };
  }

  /** Ships every line (fulfillments/create payload); null when unknown, cancelled or already shipped. */
  fulfill(id: number): Record<string, unknown> | null {
    const order = this.byId.get(id);
    if (!order || order.cancelled_at || this.fulfilled.has(id)) return null;
    this.fulfilled.add(id);
    return {
      id: ++this.nextLine,
      order_id: id,
      status: 'success',
      created_at: new Date().toISOString(),
      line_items: order.line_items,
    };
  }

  /** Cancels with restock (Shopify's default for unfulfilled orders); returns the refund Shopify creates. */
  cancel(id: number): { order: ShopifyOrder; refund: Record<string, unknown> } | null {
    const order = this.byId.get(id);
    if (!order || order.cancelled_at || this.fulfilled.has(id)) return null;
    const now = new Date().toISOString();
    order.cancelled_at = now;
    order.updated_at = now;
    order.cancel_reason = 'customer';
    for (const l of order.line_items) this.catalog.adjust(l.sku, l.quantity);
    const refund = {
      id: ++this.nextLine,
      order_id: id,
      created_at: now,
      restock: true,
      refund_line_items: order.line_items.map((l) => ({
        id: ++this.nextLine,
        line_item_id: l.id,
        quantity: l.quantity,
        restock_type: 'cancel',
        line_item: l,
      })),
    };
    return { order, refund };
  }
}
