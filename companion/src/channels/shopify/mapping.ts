/**
 * SKU → Shopify inventory item. Each variant has exactly one inventory item; a SKU is looked up
 * with `productVariants(query: "sku:…")` (25 SKUs per query, OR-ed), matches compared exactly
 * because Shopify's search is loose. No match = not listed; several variants sharing the SKU =
 * ambiguous (refused, never guessed). Results are cached in memory and, when Redis is given, in
 * one hash per tenant so every worker shares them.
 */
import type { Redis } from 'ioredis';
import type { ShopifyClient } from './client';
import { RESOLVE_SKUS, type ResolveSkusData } from './operations';
import { SingleFlight } from './single-flight';

export type Resolution =
  | { kind: 'listed'; inventoryItemId: string; variantId: string }
  | { kind: 'missing' }
  | { kind: 'ambiguous'; count: number };

export interface MappingOptions {
  redis?: Redis;
  /** Redis hash holding the shared cache. */
  cacheKey?: string;
  /** How long a "not listed" answer is trusted (listings appear); listed ones live until invalidated. */
  missingTtlMs?: number;
  now?: () => number;
}

interface Cached {
  r: Resolution;
  at: number;
}

const CHUNK = 25;
/** How long a background search may wait for the share of the budget pushes leave it. */
const BACKGROUND_WAIT_MS = 30_000;
/** Nodes asked for beyond one per SKU before a search counts as overflowing. */
const ROOM = 4;

export function skuSearchTerm(sku: string): string {
  return `sku:"${sku.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export class ShopifyMapping {
  private memory = new Map<string, Cached>();
  private flight = new SingleFlight<string, Resolution>();
  private now: () => number;
  private missingTtlMs: number;

  constructor(
    private client: ShopifyClient,
    private opts: MappingOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.missingTtlMs = opts.missingTtlMs ?? 60_000;
  }

  private fresh(c: Cached | undefined): boolean {
    if (!c) return false;
    return c.r.kind !== 'missing' || this.now() - c.at < this.missingTtlMs;
  }

  /**
   * `fresh`: ask Shopify, not the caches, and refill them with its answer; pushes meanwhile keep
   * the cached answer instead of queueing on this lookup. `background` (the listings check): its
   * searches leave part of the cost budget to pushes (ShopifyClient.request).
   */
  async resolve(skus: string[], opts: { fresh?: boolean; background?: boolean } = {}): Promise<Map<string, Resolution>> {
    if (opts.fresh) return this.lookup([...new Set(skus)], opts.background);
    const out = new Map<string, Resolution>();
    let todo = [...new Set(skus)].filter((sku) => {
      const c = this.memory.get(sku);
      if (this.fresh(c)) out.set(sku, c!.r);
      return !this.fresh(c);
    });
    if (todo.length && this.opts.redis && this.opts.cacheKey) {
      const shared = await this.opts.redis.hmget(this.opts.cacheKey, ...todo);
      todo = todo.filter((sku, i) => {
        const raw = shared[i];
        if (!raw) return true;
        const c = JSON.parse(raw) as Cached;
        if (!this.fresh(c)) return true;
        this.memory.set(sku, c);
        out.set(sku, c.r);
        return false;
      });
    }
    if (todo.length) for (const [sku, r] of await this.flight.run(todo, (keys) => this.lookup(keys))) out.set(sku, r);
    return out;
  }

  /** Asks Shopify, CHUNK SKUs per search (the searches in parallel), and fills both caches. */
  private async lookup(todo: string[], background = false): Promise<Map<string, Resolution>> {
    const chunks: string[][] = [];
    for (let i = 0; i < todo.length; i += CHUNK) chunks.push(todo.slice(i, i + CHUNK));
    // Every search that answered is kept even when another was refused (cost budget, outage):
    // discarding them made a cold 250-SKU push spend the whole bucket on every retry and never
    // land (livelock under the published limits). The first failure is thrown after caching.
    const settled = await Promise.allSettled(chunks.map((chunk) => this.search(chunk, background)));
    const found = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const out = new Map<string, Resolution>();
    const fields: string[] = [];
    for (const [sku, nodes] of found.flatMap((m) => [...m])) {
      const r: Resolution =
        nodes.length === 0
          ? { kind: 'missing' }
          : nodes.length > 1
            ? { kind: 'ambiguous', count: nodes.length }
            : { kind: 'listed', inventoryItemId: nodes[0]!.inventoryItem.id, variantId: nodes[0]!.id };
      const c = { r, at: this.now() };
      this.memory.set(sku, c);
      out.set(sku, r);
      fields.push(sku, JSON.stringify(c));
    }
    if (this.opts.redis && this.opts.cacheKey && fields.length) await this.opts.redis.hset(this.opts.cacheKey, ...fields);
    if (failure) throw failure.reason;
    return out;
  }

  /**
   * The variants whose SKU is exactly one of `chunk`. A search is priced by its `first` (Shopify
   * charges 2 + first × node up front), so it asks for one node per SKU plus a little room; a page
   * that overflows (several variants per SKU, or loose matches) is searched again in halves, and a
   * single SKU with a doubled page — duplicates always show up, and the common case stays cheap
   * (25 SKUs: 61 points instead of 214 with room for four matches per SKU).
   */
  private async search(chunk: string[], background: boolean, first = Math.min(250, chunk.length + ROOM)): Promise<Map<string, ResolveSkusData['productVariants']['nodes']>> {
    const data = await this.client.request<ResolveSkusData>(
      `resolve:${first}`, // priced per size
      RESOLVE_SKUS,
      { first, query: chunk.map(skuSearchTerm).join(' OR ') },
      3 + first * 2,
      background ? BACKGROUND_WAIT_MS : undefined,
      { background },
    );
    const conn = data.productVariants;
    if (conn.pageInfo?.hasNextPage && first < 250) {
      if (chunk.length === 1) return this.search(chunk, background, Math.min(250, first * 2));
      const half = chunk.length >> 1;
      const parts = await Promise.all([this.search(chunk.slice(0, half), background), this.search(chunk.slice(half), background)]);
      return new Map(parts.flatMap((m) => [...m]));
    }
    const found = new Map<string, ResolveSkusData['productVariants']['nodes']>(chunk.map((sku) => [sku, []]));
    for (const node of conn.nodes) if (node.sku !== null) found.get(node.sku)?.push(node);
    return found;
  }

  /** Forget a SKU (its item was deleted or moved): the next push looks it up again. */
  async invalidate(skus: string[]): Promise<void> {
    for (const sku of skus) this.memory.delete(sku);
    if (skus.length && this.opts.redis && this.opts.cacheKey) await this.opts.redis.hdel(this.opts.cacheKey, ...skus);
  }
}
