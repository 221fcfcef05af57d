/**
 * Shopify adapter: absolute `available` quantities through inventorySetQuantities with
 * compare-and-set (`changeFromQuantity` = what we believe Shopify shows, null when unknown) and
 * one `@idempotent` key per push derived from the items' idempotency keys (so a transport retry
 * replays, a new push gets a new key). userErrors become per-item outcomes; conflicts are
 * settled in set-rows.ts (all-or-nothing batches, re-reads, partial progress); a row Shopify shows
 * below its target is answered `stale` with that value — propagation decides. Every write carries referenceDocumentUri gid://stockline/Push/<key> so our own
 * writes are recognisable in Shopify's inventory history (echo suppression).
 */
import { randomUUID } from 'node:crypto';
import { ChannelError, type ChannelAdapter, type ChannelLimits, type ListingRef, type PushItem, type PushOutcome } from '../port';
import { pushWithRelookup } from '../push-again';
import type { ShopifyClient } from './client';
import type { ShopifyMapping } from './mapping';
import { PUSH_OPERATION } from './operations';
import type { RefusalMemory } from './refusals';
import { GONE_ITEM, RowSetter, failed, type Row } from './set-rows';

export { pushKey } from './set-rows';
export const SHOPIFY_MAX_ROWS = 250;

export interface ShopifyAdapterOptions {
  client: ShopifyClient;
  mapping: ShopifyMapping;
  locationId: string;
  id?: string;
  limits?: Partial<ChannelLimits>;
  /** Which compare-and-set refusals Shopify gave before; shared through Redis by every worker process (refusals.ts). */
  refusals?: RefusalMemory;
}

export class ShopifyAdapter implements ChannelAdapter {
  readonly id: string;
  readonly limits: ChannelLimits;
  private client: ShopifyClient;
  private mapping: ShopifyMapping;
  private locationId: string;
  private rows: RowSetter;

  constructor(opts: ShopifyAdapterOptions) {
    this.id = opts.id ?? 'shopify';
    // Standard plan: 100 points/s restore; a push costs 10 points → 10 calls/s, bucket ≈ 100 calls.
    this.limits = { batchSize: SHOPIFY_MAX_ROWS, requestsPerSecond: 10, burst: 100, ...opts.limits };
    this.client = opts.client;
    this.mapping = opts.mapping;
    this.locationId = opts.locationId;
    this.rows = new RowSetter(opts.client, opts.locationId, (skus) => opts.mapping.invalidate(skus), opts.refusals);
  }

  /** Until the cost mirror holds a mutation's points (searches and read-backs spend the same bucket). */
  readyInMs(): number {
    return this.client.budget.waitMs(this.client.budget.estimate(PUSH_OPERATION, 10));
  }

  /** Fewer rows while the cost budget is tight and compare-and-set refusals are frequent (set-rows.ts). */
  pushSize(): number {
    return this.rows.pushSize(this.limits.batchSize);
  }

  /** An inventory item Shopify no longer has (set-rows.ts forgot its id) is looked up again in the same push (push-again.ts). */
  push(items: PushItem[]): Promise<PushOutcome[]> {
    return pushWithRelookup(
      items,
      (batch) => this.pushOnce(batch),
      (error) => error.options.channelCode === GONE_ITEM,
      // A key of its own: Shopify refuses a key reused with other parameters (another item id).
      // Derived, so a transport retry of this push still lands on the same key.
      (item) => ({ ...item, idempotencyKey: `${item.idempotencyKey}:relookup` }),
    );
  }

  private async pushOnce(items: PushItem[]): Promise<PushOutcome[]> {
    // The port: at most batchSize items, never a silently partial batch.
    if (items.length > this.limits.batchSize) {
      throw new ChannelError(`Shopify takes at most ${this.limits.batchSize} rows per push, got ${items.length}`, 'validation');
    }
    const out: PushOutcome[] = new Array(items.length);
    for (let start = 0; start < items.length; start += SHOPIFY_MAX_ROWS) {
      const slice = items.slice(start, start + SHOPIFY_MAX_ROWS);
      const resolved = await this.mapping.resolve(slice.map((i) => i.sku));
      const rows: Row[] = [];
      slice.forEach((item, k) => {
        const index = start + k;
        const r = resolved.get(item.sku);
        if (item.quantity < 0 || !Number.isInteger(item.quantity)) {
          out[index] = failed(item.sku, 'validation', `quantity ${item.quantity} is not a whole number ≥ 0`);
        } else if (!r || r.kind === 'missing') {
          out[index] = failed(item.sku, 'not_found', `SKU ${item.sku} is not listed on Shopify`);
        } else if (r.kind === 'ambiguous') {
          out[index] = failed(item.sku, 'validation', `SKU ${item.sku} matches ${r.count} Shopify variants; give each variant its own SKU`);
        } else {
          rows.push({ index, item, inventoryItemId: r.inventoryItemId });
        }
      });
      if (rows.length) await this.rows.run(rows, out);
    }
    return out;
  }

  async read(skus: string[]): Promise<Map<string, number | null>> {
    const resolved = await this.mapping.resolve(skus);
    const listed = skus.flatMap((sku) => {
      const r = resolved.get(sku);
      return r?.kind === 'listed' ? [[sku, r.inventoryItemId] as const] : [];
    });
    const levels = await this.rows.read(listed.map(([, id]) => id));
    const out = new Map<string, number | null>(skus.map((s) => [s, null]));
    for (const [sku, id] of listed) out.set(sku, levels.get(id) ?? null);
    return out;
  }

  async resolve(skus: string[], opts: { fresh?: boolean; background?: boolean } = {}): Promise<Map<string, ListingRef | null>> {
    const resolved = await this.mapping.resolve(skus, opts);
    const out = new Map<string, ListingRef | null>();
    for (const sku of skus) {
      const r = resolved.get(sku);
      out.set(
        sku,
        r?.kind === 'listed' ? { sku, ids: { inventoryItemId: r.inventoryItemId, variantId: r.variantId, locationId: this.locationId } } : null,
      );
    }
    return out;
  }

  /** Shows 0 without comparing (a pause must win over whatever the channel shows). */
  pause(skus: string[]): Promise<PushOutcome[]> {
    return this.push(skus.map((sku) => ({ sku, quantity: 0, expected: null, version: 0, idempotencyKey: `pause:${sku}:${randomUUID()}` })));
  }

  relist(items: PushItem[]): Promise<PushOutcome[]> {
    return this.push(items);
  }

  async close(): Promise<void> {}
}
