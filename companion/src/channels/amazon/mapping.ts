/**
 * Amazon listings: patch bodies and issue classification (wire ↔ port), and the SKU → listing
 * lookup, cached because a seller's SKU keeps its ASIN.
 */
import { ChannelError, type ListingRef } from '../port';
import type { SpApiClient } from './client';
import type { ListingsIssue, ListingsItemPatchRequest, ListingsPatch, SpApiErrorBody } from './wire';

/** `merge` changes only quantity on the DEFAULT (merchant-fulfilled) entry (channels.md §2). */
export function quantityPatch(quantity: number): ListingsPatch {
  return {
    op: 'merge',
    path: '/attributes/fulfillment_availability',
    value: [{ fulfillment_channel_code: 'DEFAULT', quantity }],
  };
}

export function quantityPatchRequest(quantity: number): ListingsItemPatchRequest {
  return { productType: 'PRODUCT', patches: [quantityPatch(quantity)] };
}

const NOT_FOUND = /NOT_FOUND|not found|does not exist/i;

/** INVALID + ERROR issues → the port's error: not listed → not_found, anything else → validation. */
export function issuesError(sku: string, issues: ListingsIssue[]): ChannelError {
  const errors = issues.filter((i) => i.severity === 'ERROR');
  const message = errors.map((i) => `${i.code}: ${i.message}`).join('; ') || 'Amazon marked the submission INVALID';
  const notFound = errors.some((i) => NOT_FOUND.test(i.code) || NOT_FOUND.test(i.message));
  return new ChannelError(`Amazon refused ${sku}: ${message}`, notFound ? 'not_found' : 'validation', { channelCode: errors[0]?.code });
}

export function errorsError(sku: string, status: number, body: Partial<SpApiErrorBody>): ChannelError {
  const first = body.errors?.[0];
  const message = first ? `${first.code}: ${first.message}` : `HTTP ${status}`;
  return new ChannelError(`Amazon refused ${sku}: ${message}`, status === 404 ? 'not_found' : 'validation', { status, channelCode: first?.code });
}

export class ListingResolver {
  private readonly cache = new Map<string, ListingRef>();

  constructor(private readonly client: SpApiClient) {}

  /** `fresh`: ask Amazon even when cached (and forget a listing Amazon no longer has). */
  async resolveOne(sku: string, fresh = false): Promise<ListingRef | null> {
    const hit = fresh ? undefined : this.cache.get(sku);
    if (hit) return hit;
    const r = await this.client.getListingsItem(sku, ['summaries']);
    if (r.status === 404) {
      this.cache.delete(sku);
      return null;
    }
    if (r.status !== 200) throw errorsError(sku, r.status, r.body as Partial<SpApiErrorBody>);
    const summary = r.body.summaries?.[0];
    const ref: ListingRef = {
      sku,
      ids: {
        sellerId: this.client.opts.sellerId,
        marketplaceId: summary?.marketplaceId ?? this.client.opts.marketplaceIds[0] ?? '',
        ...(summary?.asin ? { asin: summary.asin } : {}),
      },
    };
    this.cache.set(sku, ref);
    return ref;
  }
}
