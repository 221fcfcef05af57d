/**
 * The sandbox shop's data: products with one variant each, one inventory item per variant
 * (as on Shopify), `available` per stocked location, and the log of inventory adjustment
 * groups (with their referenceDocumentUri, which is how Stockline recognises its own writes).
 */
import { idBase } from '../../sandbox-kit/ids';

export const LOCATION_PREFIX = 'gid://shopify/Location/';
export const ITEM_PREFIX = 'gid://shopify/InventoryItem/';

export interface SandboxVariant {
  sku: string;
  productId: string;
  variantId: string;
  inventoryItemId: string;
  /** locationId → available. A location missing here = item not stocked there. */
  levels: Map<string, number>;
  /** Bundle parents cannot be set directly (NON_MUTABLE_INVENTORY_ITEM). */
  mutable: boolean;
}

export interface AdjustmentGroup {
  id: string;
  reason: string;
  referenceDocumentUri: string | null;
  createdAt: string;
  changes: { name: string; delta: number; quantityAfterChange: number; itemId: string; locationId: string }[];
}

export class ShopifyCatalog {
  private nextId = idBase();
  readonly bySku = new Map<string, SandboxVariant[]>();
  readonly byItem = new Map<string, SandboxVariant>();
  readonly adjustments: AdjustmentGroup[] = [];

  constructor(
    readonly locationId: string,
    readonly extraLocations: string[] = [],
  ) {}

  get locations(): string[] {
    return [this.locationId, ...this.extraLocations];
  }

  id(): number {
    return ++this.nextId;
  }

  /** Seeds or updates a listing at the main location; `duplicate` adds a second variant with the same SKU. */
  upsert(sku: string, quantity: number, opts: { duplicate?: boolean; mutable?: boolean } = {}): SandboxVariant {
    const existing = this.bySku.get(sku);
    if (existing?.length && !opts.duplicate) {
      for (const v of existing) v.levels.set(this.locationId, quantity);
      return existing[0]!;
    }
    const n = this.id();
    const v: SandboxVariant = {
      sku,
      productId: `gid://shopify/Product/${n}`,
      variantId: `gid://shopify/ProductVariant/${n}`,
      inventoryItemId: `${ITEM_PREFIX}${n}`,
      levels: new Map([[this.locationId, quantity]]),
      mutable: opts.mutable ?? true,
    };
    this.bySku.set(sku, [...(existing ?? []), v]);
    this.byItem.set(v.inventoryItemId, v);
    return v;
  }

  /** Deletes a variant (and its inventory item), as deleting a product does. */
  remove(inventoryItemId: string): void {
    const v = this.byItem.get(inventoryItemId);
    if (!v) return;
    this.byItem.delete(inventoryItemId);
    const rest = (this.bySku.get(v.sku) ?? []).filter((x) => x !== v);
    if (rest.length) this.bySku.set(v.sku, rest);
    else this.bySku.delete(v.sku);
  }

  /** Available at the main location, per SKU (first variant of a SKU). */
  quantities(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [sku, vs] of this.bySku) out[sku] = vs[0]!.levels.get(this.locationId) ?? 0;
    return out;
  }

  available(sku: string): number | null {
    const v = this.bySku.get(sku)?.[0];
    return v ? (v.levels.get(this.locationId) ?? 0) : null;
  }

  adjust(sku: string, delta: number): void {
    const v = this.bySku.get(sku)?.[0];
    if (v) v.levels.set(this.locationId, (v.levels.get(this.locationId) ?? 0) + delta);
  }

  /**
   * Shopify product search (`sku:ABC`, `sku:"A B"`, joined with OR). Shopify's search matches
   * loosely, so the adapter must still compare SKUs exactly; prefix matches (`sku:ABC*`) are
   * honoured to keep that honest.
   */
  search(query: string | undefined): SandboxVariant[] {
    const all = [...this.bySku.values()].flat();
    if (!query?.trim()) return all;
    const terms = [...query.matchAll(/sku:(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) =>
      m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!,
    );
    if (terms.length === 0) return [];
    return all.filter((v) =>
      terms.some((t) => (t.endsWith('*') ? v.sku.startsWith(t.slice(0, -1)) : v.sku.toLowerCase() === t.toLowerCase())),
    );
  }
}
