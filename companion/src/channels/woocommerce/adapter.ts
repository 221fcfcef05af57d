/**
 * WooCommerce adapter. With the Stockline plugin on the store (config flag, or probed at
 * /wp-json/stockline/v1), pushes go through its compare-and-set endpoint by SKU: a sale the
 * companion has not heard of yet comes back `stale` with the store's current value instead of
 * being overwritten. Without it, pushes use the REST batch endpoints (products/batch and
 * products/<id>/variations/batch, ≤ 100 items, per-item errors, a 413 splits the batch) —
 * REST has no compare-and-set, so there the order webhook is what brings a racing sale in.
 */
import { randomUUID } from 'node:crypto';
import { ChannelError, type ChannelAdapter, type ChannelLimits, type ListingRef, type PushItem, type PushOutcome } from '../port';
import { pushWithRelookup } from '../push-again';
import type { WooClient } from './client';
import type { WooIds, WooMapping } from './mapping';
import { StorePluginPresence } from './plugin-presence';

/** A batch item's error for an id the store no longer has (batch() forgets the cached id). */
const GONE_ID = /_invalid_id$/;

export const WOO_MAX_BATCH = 100;

export interface WooAdapterOptions {
  client: WooClient;
  mapping: WooMapping;
  /** true / false, or 'auto': ask `presence` (the probe shared with order ingestion). */
  plugin: boolean | 'auto';
  /** Signs plugin calls; without it the plugin is never used. */
  pluginSecret?: string;
  /** Whether the store runs the plugin; default a probe of this adapter's own. */
  presence?: StorePluginPresence;
  id?: string;
  limits?: Partial<ChannelLimits>;
}

interface BatchEntry {
  index: number;
  item: PushItem;
  id: number;
}
interface BatchAnswer {
  update?: ({ id: number; stock_quantity?: number | null } | { id: number; error: { code: string; message: string; data?: { status?: number } } })[];
}

export class WooCommerceAdapter implements ChannelAdapter {
  /** The plugin's endpoint takes a negative expected count (a store below 0: backorders, a second reduction). */
  readonly showsBelowZero = true;
  readonly id: string;
  readonly limits: ChannelLimits;
  private presence: StorePluginPresence;

  constructor(private opts: WooAdapterOptions) {
    this.id = opts.id ?? 'woocommerce';
    // Core has no rate limit; stay polite to shared hosting.
    this.limits = { batchSize: WOO_MAX_BATCH, requestsPerSecond: 10, burst: 20, ...opts.limits };
    this.presence = opts.presence ?? new StorePluginPresence(opts.client);
  }

  /** 'auto' follows the store: a plugin activated later gets its compare-and-set writes back without a restart. */
  private async usePlugin(): Promise<boolean> {
    if (!this.opts.pluginSecret) return false;
    return this.opts.plugin === 'auto' ? this.presence.active() : this.opts.plugin;
  }

  /** The plugin's outbox delivers what it kept while we were away (no plugin: nothing to say). */
  async greet(): Promise<void> {
    if (await this.usePlugin()) await this.opts.client.pluginHello(this.opts.pluginSecret!);
  }

  /** A product id the store no longer has (batch() forgot it) is looked up again in the same push (push-again.ts). */
  push(items: PushItem[]): Promise<PushOutcome[]> {
    return pushWithRelookup(items, (batch) => this.pushOnce(batch), (error) => GONE_ID.test(error.options.channelCode ?? ''));
  }

  private async pushOnce(items: PushItem[]): Promise<PushOutcome[]> {
    if (items.length > this.limits.batchSize) {
      throw new ChannelError(`WooCommerce takes at most ${this.limits.batchSize} items per push, got ${items.length}`, 'validation');
    }
    const out: PushOutcome[] = new Array(items.length);
    items.forEach((item, index) => {
      if (!Number.isInteger(item.quantity) || item.quantity < 0) out[index] = failed(item.sku, 'validation', `quantity ${item.quantity} is not a whole number ≥ 0`);
    });
    const todo = items.map((item, index) => ({ item, index })).filter(({ index }) => !out[index]);
    if (!todo.length) return out;
    if (await this.usePlugin()) {
      try {
        for (let i = 0; i < todo.length; i += WOO_MAX_BATCH) await this.pushPlugin(todo.slice(i, i + WOO_MAX_BATCH), out);
        return out;
      } catch (err) {
        // The plugin's route is gone (deactivated or removed; pushPlugin dropped the presence answer):
        // when the store confirms it, write what is left through REST now, not to the dead letters.
        const routeGone = err instanceof ChannelError && err.kind === 'not_found' && this.opts.plugin === 'auto';
        if (!routeGone || (await this.usePlugin())) throw err;
      }
    }
    const rest = todo.filter(({ index }) => !out[index]);
    const ids = await this.opts.mapping.resolve(rest.map((t) => t.item.sku));
    const groups = new Map<string, BatchEntry[]>();
    for (const { item, index } of rest) {
      const ref = ids.get(item.sku);
      if (!ref) {
        out[index] = failed(item.sku, 'not_found', `SKU ${item.sku} is not listed on WooCommerce`);
        continue;
      }
      if (ref.parentStock) {
        // Writing it (with manage_stock: true, as the batch does) would take the variation off its
        // parent's stock; the plugin's endpoint refuses it the same way.
        out[index] = failed(item.sku, 'not_found', `The stock of SKU ${item.sku} is counted under its parent product #${ref.productId} (the variation uses the parent's stock), so WooCommerce takes no quantity for ${item.sku}`);
        continue;
      }
      const endpoint = ref.variationId ? `products/${ref.productId}/variations/batch` : 'products/batch';
      groups.set(endpoint, [...(groups.get(endpoint) ?? []), { index, item, id: ref.variationId ?? ref.productId }]);
    }
    for (const [endpoint, entries] of groups) {
      for (let i = 0; i < entries.length; i += WOO_MAX_BATCH) await this.batch(endpoint, entries.slice(i, i + WOO_MAX_BATCH), out);
    }
    return out;
  }

  private async pushPlugin(todo: { item: PushItem; index: number }[], out: PushOutcome[]): Promise<void> {
    let results;
    try {
      results = await this.opts.client.pluginSetStock(
        todo.map(({ item }) => ({ sku: item.sku, quantity: item.quantity, expected: item.expected ?? null })),
        this.opts.pluginSecret!,
      );
    } catch (err) {
      // The plugin may have been deactivated: probe again next time.
      if (err instanceof ChannelError && err.kind === 'not_found' && this.opts.plugin === 'auto') this.presence.forget();
      throw err;
    }
    const bySku = new Map(results.map((r) => [r.sku, r]));
    for (const { item, index } of todo) {
      const r = bySku.get(item.sku);
      if (!r) out[index] = failed(item.sku, 'transient', 'the plugin did not answer for this SKU');
      else if (r.status === 'ok') out[index] = { sku: item.sku, status: 'ok', quantity: r.quantity ?? item.quantity };
      else if (r.status === 'stale') out[index] = { sku: item.sku, status: 'stale', current: r.quantity ?? 0 };
      else out[index] = failed(item.sku, 'not_found', r.message || `SKU ${item.sku} is not in the WooCommerce store`);
    }
  }

  /** One batch call; on 413 (a store with a lower woocommerce_rest_batch_items_limit) it halves and retries. */
  private async batch(endpoint: string, entries: BatchEntry[], out: PushOutcome[]): Promise<void> {
    let answer: BatchAnswer;
    try {
      answer = await this.opts.client.post<BatchAnswer>(endpoint, {
        update: entries.map((e) => ({ id: e.id, manage_stock: true, stock_quantity: e.item.quantity })),
      });
    } catch (err) {
      if (err instanceof ChannelError && err.options.status === 413 && entries.length > 1) {
        const half = Math.ceil(entries.length / 2);
        await this.batch(endpoint, entries.slice(0, half), out);
        await this.batch(endpoint, entries.slice(half), out);
        return;
      }
      throw err;
    }
    const gone: string[] = [];
    entries.forEach((e, k) => {
      const r = answer.update?.[k];
      if (!r) out[e.index] = failed(e.item.sku, 'transient', 'no answer for this item in the batch');
      else if ('error' in r) {
        const notFound = GONE_ID.test(r.error.code);
        // `woocommerce_rest_invalid_product_id`: the id is a variation's, written through the products
        // endpoint (a mapping cached before variations were told apart): look it up again and retry.
        const wrongEndpoint = /^woocommerce_rest_invalid_\w+_id$/.test(r.error.code);
        if (notFound || wrongEndpoint) gone.push(e.item.sku);
        out[e.index] = failed(e.item.sku, notFound ? 'not_found' : wrongEndpoint ? 'transient' : 'validation', `${r.error.code}: ${r.error.message}`, r.error.code);
      } else out[e.index] = { sku: e.item.sku, status: 'ok', quantity: r.stock_quantity ?? e.item.quantity };
    });
    if (gone.length) await this.opts.mapping.invalidate(gone);
  }

  async read(skus: string[]): Promise<Map<string, number | null>> {
    const ids = await this.opts.mapping.resolve(skus);
    const out = new Map<string, number | null>(skus.map((s) => [s, null]));
    const groups = new Map<string, { sku: string; id: number }[]>();
    for (const sku of skus) {
      const ref = ids.get(sku);
      if (!ref) continue;
      const endpoint = ref.variationId ? `products/${ref.productId}/variations` : 'products';
      groups.set(endpoint, [...(groups.get(endpoint) ?? []), { sku, id: ref.variationId ?? ref.productId }]);
    }
    for (const [endpoint, list] of groups) {
      for (let i = 0; i < list.length; i += 100) {
        const chunk = list.slice(i, i + 100);
        const { data } = await this.opts.client.get<{ id: number; stock_quantity: number | null }[]>(endpoint, {
          include: chunk.map((c) => c.id).join(','),
          per_page: '100',
        });
        const byId = new Map(data.map((d) => [d.id, d.stock_quantity]));
        for (const c of chunk) out.set(c.sku, byId.get(c.id) ?? null);
      }
    }
    return out;
  }

  async resolve(skus: string[], opts: { fresh?: boolean } = {}): Promise<Map<string, ListingRef | null>> {
    if (opts.fresh) await this.opts.mapping.invalidate(skus);
    const ids = await this.opts.mapping.resolve(skus);
    return new Map(skus.map((sku) => [sku, toRef(sku, ids.get(sku) ?? null)]));
  }

  pause(skus: string[]): Promise<PushOutcome[]> {
    return this.push(skus.map((sku) => ({ sku, quantity: 0, expected: null, version: 0, idempotencyKey: `pause:${sku}:${randomUUID()}` })));
  }

  relist(items: PushItem[]): Promise<PushOutcome[]> {
    return this.push(items);
  }

  async close(): Promise<void> {}
}

function toRef(sku: string, ids: WooIds | null): ListingRef | null {
  if (!ids) return null;
  return { sku, ids: { productId: String(ids.productId), ...(ids.variationId ? { variationId: String(ids.variationId) } : {}) } };
}

function failed(sku: string, kind: ChannelError['kind'], message: string, channelCode?: string): PushOutcome {
  return { sku, status: 'failed', error: new ChannelError(message, kind, { channelCode }) };
}
