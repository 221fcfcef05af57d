/**
 * SKU → WooCommerce ids, found with `GET products?sku=A,B` (50 SKUs per call). With a SKU filter
 * WooCommerce searches variations too and returns them as type `variation` with their `parent_id`
 * (seen on a real WooCommerce 9.2 store): they are written through their parent's variations
 * endpoint. SKUs still unresolved (a store whose REST API leaves variations out) are looked up in
 * an index of every variable product's variations, built once and reused for `indexTtlMs`. Answers are cached in memory and, with Redis, in one
 * hash per tenant; a "not listed" answer is trusted for `missingTtlMs` only.
 */
import type { Redis } from 'ioredis';
import { SingleFlight } from '../shopify/single-flight';
import type { WooClient } from './client';

export interface WooIds {
  productId: number;
  variationId?: number;
  /** A variation whose stock its parent manages ("Manage stock" at the parent level): it takes no quantity of its own. */
  parentStock?: true;
}
const variationIds = (productId: number, v: { id: number; manage_stock?: boolean | 'parent' }): WooIds =>
  v.manage_stock === 'parent' ? { productId, variationId: v.id, parentStock: true } : { productId, variationId: v.id };

interface Cached {
  ids: WooIds | null;
  at: number;
}

export interface WooMappingOptions {
  redis?: Redis;
  cacheKey?: string;
  missingTtlMs?: number;
  indexTtlMs?: number;
  now?: () => number;
}

const CHUNK = 50;

export class WooMapping {
  private memory = new Map<string, Cached>();
  private flight = new SingleFlight<string, WooIds | null>();
  private indexLoad: Promise<Map<string, WooIds>> | null = null;
  private variationIndex: { at: number; bySku: Map<string, WooIds> } | null = null;
  private now: () => number;

  constructor(
    private client: WooClient,
    private opts: WooMappingOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  private fresh(c: Cached | undefined): c is Cached {
    return !!c && (c.ids !== null || this.now() - c.at < (this.opts.missingTtlMs ?? 60_000));
  }

  async resolve(skus: string[]): Promise<Map<string, WooIds | null>> {
    const out = new Map<string, WooIds | null>();
    let todo = [...new Set(skus)].filter((sku) => {
      const c = this.memory.get(sku);
      if (this.fresh(c)) out.set(sku, c.ids);
      return !this.fresh(c);
    });
    if (todo.length && this.opts.redis && this.opts.cacheKey) {
      const shared = await this.opts.redis.hmget(this.opts.cacheKey, ...todo);
      todo = todo.filter((sku, i) => {
        const c = shared[i] ? (JSON.parse(shared[i]!) as Cached) : undefined;
        if (!this.fresh(c)) return true;
        this.memory.set(sku, c);
        out.set(sku, c.ids);
        return false;
      });
    }
    if (todo.length) for (const [sku, ids] of await this.flight.run(todo, (keys) => this.lookup(keys))) out.set(sku, ids);
    return out;
  }

  /** Asks the store (SKU search, then the variation index) and fills both caches. */
  private async lookup(todo: string[]): Promise<Map<string, WooIds | null>> {
    const out = new Map<string, WooIds | null>();
    const found = new Map<string, WooIds>();
    for (let i = 0; i < todo.length; i += CHUNK) {
      const chunk = todo.slice(i, i + CHUNK);
      const { data } = await this.client.get<{ id: number; sku: string; type: string; parent_id?: number; manage_stock?: boolean | 'parent' }[]>('products', { sku: chunk.join(','), per_page: '100' });
      for (const p of data) {
        if (p.type === 'variable' || !chunk.includes(p.sku)) continue;
        found.set(p.sku, p.type === 'variation' && p.parent_id ? variationIds(p.parent_id, p) : { productId: p.id });
      }
    }
    const rest = todo.filter((s) => !found.has(s));
    if (rest.length) {
      const index = await this.variations();
      for (const sku of rest) {
        const ids = index.get(sku);
        if (ids) found.set(sku, ids);
      }
    }
    const fields: string[] = [];
    for (const sku of todo) {
      const c: Cached = { ids: found.get(sku) ?? null, at: this.now() };
      this.memory.set(sku, c);
      out.set(sku, c.ids);
      fields.push(sku, JSON.stringify(c));
    }
    if (this.opts.redis && this.opts.cacheKey) await this.opts.redis.hset(this.opts.cacheKey, ...fields);
    return out;
  }

  private async variations(): Promise<Map<string, WooIds>> {
    if (this.variationIndex && this.now() - this.variationIndex.at < (this.opts.indexTtlMs ?? 300_000)) return this.variationIndex.bySku;
    // One index build at a time, however many look-ups need it.
    this.indexLoad ??= this.buildIndex().finally(() => {
      this.indexLoad = null;
    });
    return this.indexLoad;
  }

  private async buildIndex(): Promise<Map<string, WooIds>> {
    const bySku = new Map<string, WooIds>();
    for (let page = 1; ; page++) {
      const { data: parents } = await this.client.get<{ id: number }[]>('products', { type: 'variable', per_page: '100', page: String(page) });
      for (const parent of parents) {
        for (let vpage = 1; ; vpage++) {
          const { data: vs } = await this.client.get<{ id: number; sku: string; manage_stock?: boolean | 'parent' }[]>(`products/${parent.id}/variations`, { per_page: '100', page: String(vpage) });
          for (const v of vs) if (v.sku) bySku.set(v.sku, variationIds(parent.id, v));
          if (vs.length < 100) break;
        }
      }
      if (parents.length < 100) break;
    }
    this.variationIndex = { at: this.now(), bySku };
    return bySku;
  }

  async invalidate(skus: string[]): Promise<void> {
    for (const s of skus) this.memory.delete(s);
    this.variationIndex = null;
    if (skus.length && this.opts.redis && this.opts.cacheKey) await this.opts.redis.hdel(this.opts.cacheKey, ...skus);
  }
}
