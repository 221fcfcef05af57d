/**
 * The sandbox store's catalog and orders, in WooCommerce REST v3 shapes: simple products,
 * variable products with variations, stock on whichever object manages it, and orders whose
 * stock is reduced when they are placed and restored when they are cancelled (as core does).
 */
import { idBase } from '../../sandbox-kit/ids';

export interface WooProduct {
  id: number;
  name: string;
  sku: string;
  type: 'simple' | 'variable';
  manage_stock: boolean;
  stock_quantity: number | null;
  stock_status: 'instock' | 'outofstock' | 'onbackorder';
  variations: number[];
  date_modified_gmt: string;
}
export interface WooVariation {
  id: number;
  parent_id: number;
  sku: string;
  /** 'parent': the variation uses its parent's stock (WooCommerce's REST answer for "Manage stock" at the parent level). */
  manage_stock: boolean | 'parent';
  stock_quantity: number | null;
  stock_status: 'instock' | 'outofstock' | 'onbackorder';
  date_modified_gmt: string;
}
export interface WooOrder {
  id: number;
  status: string;
  currency: string;
  date_created_gmt: string;
  date_modified_gmt: string;
  date_paid_gmt: string | null;
  line_items: { id: number; product_id: number; variation_id: number; sku: string; quantity: number; name: string }[];
  /** Order meta as WooCommerce's REST orders and webhooks carry it (e.g. the Stockline plugin's `_stockline_state`). */
  meta_data: { id: number; key: string; value: string }[];
}

const gmt = () => new Date().toISOString().slice(0, 19);

export class WooStore {
  // From the clock, as WooCommerce's auto-increment never goes back (sandbox-kit/ids.ts).
  private nextId = idBase();
  readonly products = new Map<number, WooProduct>();
  readonly variations = new Map<number, WooVariation>();
  readonly orders = new Map<number, WooOrder>();
  /** Called on every stock change, like core's woocommerce_*_set_stock (including the API's own writes). */
  onStockChange?: (target: WooProduct | WooVariation) => void;

  id(): number {
    return ++this.nextId;
  }

  /** Seeds or updates a simple product (or the variation) holding `sku`. */
  upsert(sku: string, quantity: number): void {
    const found = this.bySku(sku);
    if (found) {
      found.stock_quantity = quantity;
      found.manage_stock = true;
      touch(found);
      return;
    }
    const id = this.id();
    this.products.set(id, {
      id, name: sku, sku, type: 'simple', manage_stock: true, stock_quantity: quantity,
      stock_status: quantity > 0 ? 'instock' : 'outofstock', variations: [], date_modified_gmt: gmt(),
    });
  }

  addVariable(parentSku: string, variations: { sku: string; quantity: number; parentStock?: boolean }[]): { productId: number; variationIds: number[] } {
    const productId = this.id();
    const ids = variations.map((v) => {
      const id = this.id();
      this.variations.set(id, {
        id, parent_id: productId, sku: v.sku, manage_stock: v.parentStock ? 'parent' : true, stock_quantity: v.quantity,
        stock_status: v.quantity > 0 ? 'instock' : 'outofstock', date_modified_gmt: gmt(),
      });
      return id;
    });
    this.products.set(productId, {
      id: productId, name: parentSku, sku: parentSku, type: 'variable', manage_stock: false, stock_quantity: null,
      stock_status: 'instock', variations: ids, date_modified_gmt: gmt(),
    });
    return { productId, variationIds: ids };
  }

  bySku(sku: string): WooProduct | WooVariation | undefined {
    for (const p of this.products.values()) if (p.sku === sku && p.type === 'simple') return p;
    for (const v of this.variations.values()) if (v.sku === sku) return v;
    return undefined;
  }

  quantities(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.products.values()) if (p.type === 'simple' && p.sku) out[p.sku] = p.stock_quantity ?? 0;
    for (const v of this.variations.values()) if (v.sku) out[v.sku] = v.stock_quantity ?? 0;
    return out;
  }

  setStock(target: WooProduct | WooVariation, quantity: number): void {
    target.manage_stock = true;
    target.stock_quantity = quantity;
    touch(target);
    this.onStockChange?.(target);
  }

  place(sku: string, qty: number): { order?: WooOrder; reason?: string } {
    const target = this.bySku(sku);
    if (!target) return { reason: `unknown sku ${sku}` };
    if ((target.stock_quantity ?? 0) < qty) return { reason: `only ${target.stock_quantity ?? 0} of ${sku} in stock` };
    this.setStock(target, (target.stock_quantity ?? 0) - qty);
    const now = gmt();
    const isVariation = 'parent_id' in target;
    const order: WooOrder = {
      id: this.id(),
      status: 'processing',
      currency: 'USD',
      date_created_gmt: now,
      date_modified_gmt: now,
      date_paid_gmt: now,
      line_items: [
        { id: this.id(), product_id: isVariation ? target.parent_id : target.id, variation_id: isVariation ? target.id : 0, sku, quantity: qty, name: sku },
      ],
      meta_data: [],
    };
    this.orders.set(order.id, order);
    return { order };
  }

  /** Sets one order meta value, as a plugin's update_meta_data() + save() would (bumps date_modified_gmt). */
  setMeta(id: number, key: string, value: string): WooOrder | null {
    const order = this.orders.get(id);
    if (!order) return null;
    const found = order.meta_data.find((m) => m.key === key);
    if (found) found.value = value;
    else order.meta_data.push({ id: this.id(), key, value });
    order.date_modified_gmt = gmt();
    return order;
  }

  /** processing → cancelled restores stock (wc_maybe_increase_stock_levels). */
  cancel(id: number): WooOrder | null {
    const order = this.orders.get(id);
    if (!order || order.status === 'cancelled') return null;
    order.status = 'cancelled';
    order.date_modified_gmt = gmt();
    for (const l of order.line_items) {
      const target = this.bySku(l.sku);
      if (target) this.setStock(target, (target.stock_quantity ?? 0) + l.quantity);
    }
    return order;
  }
}

function touch(t: WooProduct | WooVariation): void {
  const q = t.stock_quantity ?? 0;
  t.stock_status = q > 0 ? 'instock' : 'outofstock';
  t.date_modified_gmt = gmt();
}
