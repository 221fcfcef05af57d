/**
 * Shopify adapter: absolute `available` quantities through inventorySetQuantities with
 * compare-and-set (`changeFromQuantity` = what we believe Shopify shows, null when unknown) and
 * one `@idempotent` key per push derived from the items' idempotency keys (so a transport retry
 * replays, a new push gets a new key). userErrors become per-item outcomes; a stale row is
 * re-read and answered `stale` with Shopify's current value — propagation decides and retries
 * with a new key. Every write carries referenceDocumentUri gid://stockline/Push/<key> so our own
 * writes are recognisable in Shopify's inventory history (echo suppression).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ChannelError, type ChannelAdapter, type ChannelLimits, type ListingRef, type PushItem, type PushOutcome } from '../port';
import type { ShopifyClient } from './client';
import type { ShopifyMapping } from './mapping';
import { READ_LEVELS, SET_QUANTITIES, STOCKLINE_REFERENCE_PREFIX, type ReadLevelsData, type SetQuantitiesData } from './operations';

export const SHOPIFY_MAX_ROWS = 250;
const STALE = new Set(['CHANGE_FROM_QUANTITY_STALE', 'COMPARE_QUANTITY_STALE']);
/** Safety net only: halving ends far sooner (see setRows). */
const MAX_ROUNDS = 12;
const NOT_FOUND = new Set(['INVALID_INVENTORY_ITEM', 'INVALID_LOCATION', 'ITEM_NOT_STOCKED_AT_LOCATION']);

interface Row {
  index: number;
  item: PushItem;
  inventoryItemId: string;
}
type UserError = NonNullable<SetQuantitiesData['inventorySetQuantities']>['userErrors'][number];

/** A UUID-shaped key derived from the push's item keys: stable across retries of the same push. */
export function pushKey(itemKeys: string[], salt = ''): string {
  const h = createHash('sha256').update(`${salt}|${itemKeys.join('\n')}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface ShopifyAdapterOptions {
  client: ShopifyClient;
  mapping: ShopifyMapping;
  locationId: string;
  id?: string;
  limits?: Partial<ChannelLimits>;
}

export class ShopifyAdapter implements ChannelAdapter {
  readonly id: string;
  readonly limits: ChannelLimits;
  private client: ShopifyClient;
  private mapping: ShopifyMapping;
  private locationId: string;

  constructor(opts: ShopifyAdapterOptions) {
    this.id = opts.id ?? 'shopify';
    // Standard plan: 100 points/s restore; a push costs 10 points → 10 calls/s, bucket ≈ 100 calls.
    this.limits = { batchSize: SHOPIFY_MAX_ROWS, requestsPerSecond: 10, burst: 100, ...opts.limits };
    this.client = opts.client;
    this.mapping = opts.mapping;
    this.locationId = opts.locationId;
  }

  async push(items: PushItem[]): Promise<PushOutcome[]> {
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
      if (rows.length) await this.setRows(rows, out, 0);
    }
    return out;
  }

  /**
   * One mutation for `rows`. Shopify applies a batch all-or-nothing (a refused batch returns no
   * adjustment group), so one stale row holds back every other row of its call. On a refusal:
   * the clean rows are sent again at once — split in two from the second retry on, so a sale
   * that keeps conflicting during a flash sale costs a few more calls, never the clean rows —
   * while the stale rows are re-read in parallel and settled (see settleStale). Every round
   * drops the rows that erred and the split halves the rest, so this ends within
   * ~log2(250) rounds with each row ok, stale or failed for its own reason.
   */
  private async setRows(rows: Row[], out: PushOutcome[], round: number, path = '', renewed = false): Promise<void> {
    const salt = `${renewed ? 'retry' : ''}${round ? `round${round}${path}` : ''}`;
    const key = pushKey(rows.map((r) => r.item.idempotencyKey), salt);
    const input = {
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: `${STOCKLINE_REFERENCE_PREFIX}${key}`,
      quantities: rows.map((r) => ({
        inventoryItemId: r.inventoryItemId,
        locationId: this.locationId,
        quantity: r.item.quantity,
        // 2026-04 requires the field on every row; explicit null = "unknown, do not compare".
        changeFromQuantity: r.item.expected ?? null,
      })),
    };
    const data = await this.client.request<SetQuantitiesData>('push', SET_QUANTITIES, { input, key }, 10);
    const payload = data.inventorySetQuantities;
    if (!payload) throw new ChannelError('Shopify returned no inventorySetQuantities payload', 'transient');
    if (payload.userErrors.length === 0) {
      for (const r of rows) out[r.index] = { sku: r.item.sku, status: 'ok', quantity: r.item.quantity };
      return;
    }

    const byRow = new Map<number, UserError>();
    const general: UserError[] = [];
    for (const e of payload.userErrors) {
      const f = e.field ?? [];
      const i = f[0] === 'input' && f[1] === 'quantities' ? Number(f[2]) : NaN;
      if (Number.isInteger(i) && rows[i]) byRow.set(i, e);
      else general.push(e);
    }
    const codes = new Set(general.map((e) => e.code));
    if (codes.has('IDEMPOTENCY_CONCURRENT_REQUEST')) {
      throw new ChannelError('Shopify is still applying this push (IDEMPOTENCY_CONCURRENT_REQUEST)', 'transient', {
        channelCode: 'IDEMPOTENCY_CONCURRENT_REQUEST',
        retryAfterMs: 500,
      });
    }
    if (codes.has('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED') && !renewed) {
      // Shopify asks for a new key; derive one so a transport retry of this push still lands on it.
      return this.setRows(rows, out, round, path, true);
    }
    if (general.length) {
      const e = general[0]!;
      for (const r of rows) out[r.index] = failed(r.item.sku, 'validation', `${e.code ?? 'ERROR'}: ${e.message}`, e.code ?? undefined);
      return;
    }

    const stale: Row[] = [];
    const clean: Row[] = [];
    const gone: string[] = [];
    rows.forEach((r, i) => {
      const e = byRow.get(i);
      if (!e) clean.push(r);
      else if (STALE.has(e.code ?? '')) stale.push(r);
      else {
        if (e.code === 'INVALID_INVENTORY_ITEM') gone.push(r.item.sku);
        out[r.index] = failed(r.item.sku, NOT_FOUND.has(e.code ?? '') ? 'not_found' : 'validation', `${e.code}: ${e.message}`, e.code ?? undefined);
      }
    });
    const next = round + 1;
    const resend = (part: Row[], tag: string) => {
      if (next > MAX_ROUNDS) {
        for (const r of part) out[r.index] = failed(r.item.sku, 'transient', `not applied after ${MAX_ROUNDS} rounds of conflicts on other rows`);
        return Promise.resolve();
      }
      return this.setRows(part, out, next, `${path}.${tag}`, renewed);
    };
    const parts = clean.length > 1 && round > 0 ? [clean.slice(0, clean.length >> 1), clean.slice(clean.length >> 1)] : clean.length ? [clean] : [];
    await Promise.all([
      ...parts.map((part, k) => resend(part, String(k))),
      stale.length ? this.settleStale(stale, out).then((lower) => (lower.length ? resend(lower, 'l') : undefined)) : undefined,
      gone.length ? this.mapping.invalidate(gone) : undefined,
    ]);
  }

  /**
   * Re-reads the stale rows (a read costs a point per item from the same budget the pushes
   * need, so only these). A row Shopify already shows at its target is done (`ok`). A row Shopify
   * shows above its target is returned to be set again at once with the value just read as
   * changeFromQuantity: lowering can never put a sale we have not heard of back on sale (the
   * compare-and-set still guards it), and it is exactly what propagation would push next.
   * A row Shopify shows below its target is a sale we have not heard of: answered `stale`.
   */
  private async settleStale(rows: Row[], out: PushOutcome[]): Promise<Row[]> {
    const current = await this.readItems(rows.map((r) => r.inventoryItemId));
    const lower: Row[] = [];
    for (const r of rows) {
      const now = current.get(r.inventoryItemId) ?? null;
      if (now === null) out[r.index] = failed(r.item.sku, 'not_found', 'item no longer stocked');
      else if (now === r.item.quantity) out[r.index] = { sku: r.item.sku, status: 'ok', quantity: now };
      else if (now > r.item.quantity) lower.push({ ...r, item: { ...r.item, expected: now, idempotencyKey: `${r.item.idempotencyKey}:from${now}` } });
      else out[r.index] = { sku: r.item.sku, status: 'stale', current: now };
    }
    return lower;
  }

  private async readItems(itemIds: string[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    const chunks: string[][] = [];
    for (let i = 0; i < itemIds.length; i += 100) chunks.push(itemIds.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (ids) => {
        // Priced per size: a read's cost grows with its ids, so one size's price is no estimate for another's.
        const data = await this.client.request<ReadLevelsData>(`read:${ids.length}`, READ_LEVELS, { ids, locationId: this.locationId }, ids.length * 3);
        ids.forEach((id, k) => {
          const node = data.nodes[k];
          const q = node?.inventoryLevel?.quantities.find((x) => x.name === 'available');
          out.set(id, q ? q.quantity : null);
        });
      }),
    );
    return out;
  }

  async read(skus: string[]): Promise<Map<string, number | null>> {
    const resolved = await this.mapping.resolve(skus);
    const listed = skus.flatMap((sku) => {
      const r = resolved.get(sku);
      return r?.kind === 'listed' ? [[sku, r.inventoryItemId] as const] : [];
    });
    const levels = await this.readItems(listed.map(([, id]) => id));
    const out = new Map<string, number | null>(skus.map((s) => [s, null]));
    for (const [sku, id] of listed) out.set(sku, levels.get(id) ?? null);
    return out;
  }

  async resolve(skus: string[]): Promise<Map<string, ListingRef | null>> {
    const resolved = await this.mapping.resolve(skus);
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

function failed(sku: string, kind: ChannelError['kind'], message: string, channelCode?: string): PushOutcome {
  return { sku, status: 'failed', error: new ChannelError(message, kind, { channelCode }) };
}
