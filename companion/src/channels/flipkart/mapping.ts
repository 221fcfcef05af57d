/**
 * SKU → Flipkart listing (FSN + the seller location to write), read with GET /listings/v3/{skuIds}
 * in groups of ten and cached; and per-SKU result codes → the port's error kinds.
 */
import { ChannelError, type ListingRef } from '../port';
import type { FlipkartClient } from './client';
import type { ListingView, SkuResult } from './wire';

export const MAX_SKUS_PER_CALL = 10;

export interface FlipkartListing {
  sku: string;
  fsn: string;
  locationId: string;
  inventory: number;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class FlipkartMapping {
  private readonly cache = new Map<string, FlipkartListing>();

  constructor(
    private readonly client: FlipkartClient,
    private readonly locationId?: string,
  ) {}

  /** Fresh read of the listings (inventory included); refreshes the cache as it goes. */
  async fetch(skus: string[]): Promise<Map<string, FlipkartListing | null>> {
    const out = new Map<string, FlipkartListing | null>();
    for (const group of chunks(skus, MAX_SKUS_PER_CALL)) {
      const r = await this.client.getListings(group);
      for (const sku of group) {
        const view = r.available[sku];
        const listing = view ? this.toListing(view) : null;
        if (listing) this.cache.set(sku, listing);
        else this.cache.delete(sku);
        out.set(sku, listing);
      }
    }
    return out;
  }

  /** Cached where known; only the unknown SKUs are looked up. */
  async resolve(skus: string[]): Promise<Map<string, FlipkartListing | null>> {
    const missing = skus.filter((s) => !this.cache.has(s));
    const fetched = missing.length ? await this.fetch(missing) : new Map<string, FlipkartListing | null>();
    return new Map(skus.map((s) => [s, this.cache.get(s) ?? fetched.get(s) ?? null]));
  }

  forget(sku: string): void {
    this.cache.delete(sku);
  }

  private toListing(view: ListingView): FlipkartListing | null {
    const loc = (this.locationId && view.locations.find((l) => l.id === this.locationId)) || view.locations.find((l) => l.status === 'ENABLED') || view.locations[0];
    if (!loc) return null;
    return { sku: view.sku, fsn: view.product_id, locationId: loc.id, inventory: loc.inventory };
  }
}

export function toRef(l: FlipkartListing): ListingRef {
  return { sku: l.sku, ids: { fsn: l.fsn, locationId: l.locationId } };
}

const NOT_FOUND = new Set(['SKU_NOT_FOUND', 'LISTING_NOT_FOUND']);
/** The cached FSN or location no longer matches: look the SKU up again and retry once. */
export const STALE_MAPPING = new Set(['PRODUCT_ID_MISMATCH', 'INVALID_PRODUCT_ID', 'INVALID_LOCATION_ID']);
const PERMANENT = new Set(['INVALID_INVENTORY', 'INVALID_LOCATIONS', 'INVALID_REQUEST', ...STALE_MAPPING]);

/** FAILURE → not_found / validation for known permanent codes, transient otherwise (retry it). */
export function failureError(sku: string, result: SkuResult | undefined): ChannelError {
  if (!result) return new ChannelError(`Flipkart did not report on ${sku}`, 'transient');
  const errors = [...result.errors, ...result.attribute_errors].filter((e) => e.severity === 'ERROR');
  const message = errors.map((e) => `${e.code}: ${e.description}${e.path ? ` (${e.path})` : ''}`).join('; ') || 'FAILURE';
  const codes = errors.map((e) => e.code);
  const kind = codes.some((c) => NOT_FOUND.has(c)) ? 'not_found' : codes.some((c) => PERMANENT.has(c)) ? 'validation' : 'transient';
  return new ChannelError(`Flipkart refused ${sku}: ${message}`, kind, { channelCode: codes[0] });
}
