/**
 * Amazon as a ChannelAdapter. One PATCH per SKU (batchSize 1 per request), several in flight
 * within our own 5/s pacing; pushes at or above `feedThreshold` SKUs go through
 * JSON_LISTINGS_FEED instead. ACCEPTED means "applied later": the outcome is `ok` + `pending`
 * and `confirm()` reads the listing back to see the quantity actually applied.
 */
import { randomUUID } from 'node:crypto';
import { ChannelError, type ChannelAdapter, type ChannelLimits, type ListingRef, type PushItem, type PushOutcome } from '../port';
import type { SpApiClient } from './client';
import { pushFeed, type FeedOptions } from './feed';
import { errorsError, issuesError, ListingResolver, quantityPatchRequest } from './mapping';
import { mapPool, Pacer } from './throttle';
import type { SpApiErrorBody } from './wire';

export interface AmazonAdapterOptions {
  /** Pushes of at least this many SKUs use JSON_LISTINGS_FEED (default 1500). */
  feedThreshold?: number;
  /** PATCH calls in flight at once (default 5). */
  concurrency?: number;
  /** patchListingsItem is 5/s, burst 5 per seller+app. */
  requestsPerSecond?: number;
  burst?: number;
  /** Items per push call the propagation queue should send (default 1: one PATCH per SKU). */
  batchSize?: number;
  feed?: Partial<FeedOptions>;
}

export interface Confirmation {
  sku: string;
  /** Quantity we pushed and Amazon ACCEPTED. */
  expected: number;
  /** What getListingsItem shows now (null: not listed). */
  shown: number | null;
  confirmed: boolean;
}

export class AmazonAdapter implements ChannelAdapter {
  readonly id = 'amazon';
  readonly limits: ChannelLimits;
  private readonly pacer: Pacer;
  private readonly resolver: ListingResolver;
  private readonly feedThreshold: number;
  private readonly concurrency: number;
  private readonly feedOptions: FeedOptions;
  /** ACCEPTED submissions not yet seen applied: sku → quantity (latest wins). */
  private readonly pending = new Map<string, number>();

  constructor(
    readonly client: SpApiClient,
    opts: AmazonAdapterOptions = {},
  ) {
    const rps = opts.requestsPerSecond ?? 5;
    const burst = opts.burst ?? 5;
    this.limits = { batchSize: opts.batchSize ?? 1, requestsPerSecond: rps, burst };
    // One token less than Amazon's burst absorbs network jitter between our clock and theirs.
    this.pacer = new Pacer(rps, Math.max(1, burst - 1));
    this.resolver = new ListingResolver(client);
    this.feedThreshold = opts.feedThreshold ?? 1500;
    this.concurrency = opts.concurrency ?? 5;
    this.feedOptions = { pollMs: opts.feed?.pollMs ?? 15_000, timeoutMs: opts.feed?.timeoutMs ?? 30 * 60_000 };
  }

  async push(items: PushItem[]): Promise<PushOutcome[]> {
    if (items.length === 0) return [];
    if (items.length >= this.feedThreshold) return this.pushFeed(items);
    const many = items.length > 1;
    const results = await mapPool(items, this.concurrency, (item) => this.patchWithRetry(item, many).catch((err: unknown) => toChannelError(err)));
    const thrown = results.filter((r): r is ChannelError => r instanceof ChannelError);
    // The whole call failed (throttled, auth, outage): say so once, per the port contract.
    if (thrown.length === results.length) throw thrown[0]!;
    return results.map((r, i) => (r instanceof ChannelError ? { sku: items[i]!.sku, status: 'failed', error: r } : r));
  }

  /** JSON_LISTINGS_FEED path; push() switches to it at `feedThreshold` SKUs. */
  async pushFeed(items: PushItem[]): Promise<PushOutcome[]> {
    const outcomes = await pushFeed(this.client, items, this.feedOptions);
    for (const o of outcomes) if (o.status === 'ok') this.pending.delete(o.sku);
    return outcomes;
  }

  /**
   * Inside a multi-SKU push, one throttled SKU waits the time Amazon's declared rate implies and
   * tries again (twice at most) rather than failing alone; a single-SKU push throws at once so
   * the propagation queue pauses the whole channel.
   */
  private async patchWithRetry(item: PushItem, retryThrottled: boolean): Promise<PushOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.patchOne(item);
      } catch (err) {
        if (!retryThrottled || attempt >= 2 || !(err instanceof ChannelError) || err.kind !== 'rate_limited') throw err;
        await new Promise((r) => setTimeout(r, (err.retryAfterMs ?? 1000) * (1 + Math.random() * 0.2)));
      }
    }
  }

  private async patchOne(item: PushItem): Promise<PushOutcome> {
    await this.pacer.take();
    const r = await this.client.patchListingsItem(item.sku, quantityPatchRequest(item.quantity));
    if (r.status !== 200) return { sku: item.sku, status: 'failed', error: errorsError(item.sku, r.status, r.body as Partial<SpApiErrorBody>) };
    if (r.body.status === 'INVALID') return { sku: item.sku, status: 'failed', error: issuesError(item.sku, r.body.issues ?? []) };
    this.pending.set(item.sku, item.quantity);
    return { sku: item.sku, status: 'ok', quantity: item.quantity, pending: true };
  }

  async read(skus: string[]): Promise<Map<string, number | null>> {
    const values = await mapPool(skus, this.concurrency, async (sku) => {
      await this.pacer.take();
      const r = await this.client.getListingsItem(sku, ['fulfillmentAvailability']);
      if (r.status === 404) return null;
      if (r.status !== 200) throw errorsError(sku, r.status, r.body as Partial<SpApiErrorBody>);
      return r.body.fulfillmentAvailability?.find((f) => f.fulfillmentChannelCode === 'DEFAULT')?.quantity ?? 0;
    });
    return new Map(skus.map((sku, i) => [sku, values[i] ?? null]));
  }

  /**
   * Reads back SKUs whose push was ACCEPTED (all pending ones by default) and reports whether
   * Amazon now shows what we sent; confirmed SKUs leave the pending set. An ACCEPTED write that
   * never lands (docs#2068) stays unconfirmed, so the caller re-pushes it.
   */
  async confirm(skus?: string[]): Promise<Confirmation[]> {
    const wanted = (skus ?? [...this.pending.keys()]).filter((s) => this.pending.has(s));
    const shown = await this.read(wanted);
    return wanted.map((sku) => {
      const expected = this.pending.get(sku)!;
      const now = shown.get(sku) ?? null;
      const confirmed = now === expected;
      if (confirmed) this.pending.delete(sku);
      return { sku, expected, shown: now, confirmed };
    });
  }

  pendingSkus(): string[] {
    return [...this.pending.keys()];
  }

  async resolve(skus: string[]): Promise<Map<string, ListingRef | null>> {
    const refs = await mapPool(skus, this.concurrency, async (sku) => {
      await this.pacer.take();
      return this.resolver.resolveOne(sku);
    });
    return new Map(skus.map((sku, i) => [sku, refs[i] ?? null]));
  }

  pause(skus: string[]): Promise<PushOutcome[]> {
    return this.push(skus.map((sku) => ({ sku, quantity: 0, version: 0, idempotencyKey: randomUUID() })));
  }

  relist(items: PushItem[]): Promise<PushOutcome[]> {
    return this.push(items);
  }

  async close(): Promise<void> {}
}

function toChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  return new ChannelError(`Amazon push failed: ${(err as Error)?.message ?? String(err)}`, 'transient', { cause: err });
}
