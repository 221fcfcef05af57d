/**
 * Amazon as a ChannelAdapter. One PATCH per SKU; a push carries up to `batchSize` SKUs (2) sent
 * in parallel, and propagation is told 2.5 pushes/s so that makes Amazon's 5 PATCH/s. Our own pacer
 * (5/s) books a slot per PATCH and, rather than let Amazon answer 429, a push whose slots are
 * more than a second away throws `rate_limited` with the wait. `pushMany` takes any number of
 * SKUs (resync, import) and switches to JSON_LISTINGS_FEED at `feedThreshold` (1500).
 * ACCEPTED means "applied later": the outcome is `ok` + `pending`, and `confirm()` reads the
 * listing back to see the quantity actually applied.
 */
import { randomUUID } from 'node:crypto';
import { ChannelError, type ChannelAdapter, type ChannelLimits, type ListingRef, type PushItem, type PushOutcome } from '../port';
import type { SpApiClient } from './client';
import { pushFeed, type FeedOptions } from './feed';
import { errorsError, issuesError, ListingResolver, quantityPatchRequest } from './mapping';
import { mapPool, Pacer } from './throttle';
import type { SpApiErrorBody } from './wire';

export interface AmazonAdapterOptions {
  /** pushMany (and push, when batchSize allows) use JSON_LISTINGS_FEED from this many SKUs (default 1500). */
  feedThreshold?: number;
  /** SKUs per push call (default 2). */
  batchSize?: number;
  /** patchListingsItem: 5/s, burst 5 per seller+app (channels.md §2). */
  patchRate?: number;
  patchBurst?: number;
  /**
   * getListingsItem (read, confirm, resolve): 5/s, burst 10 on Amazon. Default: the PATCH rate, as
   * Amazon publishes the same 5/s for both — lifting the PATCH limit (the sandbox with limits off)
   * lifts reads too; and at least burst 10.
   */
  readRate?: number;
  readBurst?: number;
  /** A push waits at most this long for its PATCH slots before answering rate_limited (default 1000). */
  maxWaitMs?: number;
  feed?: Partial<FeedOptions>;
  /**
   * How long Amazon takes to apply an ACCEPTED PATCH, when known (ChannelLimits.appliesAfterMs):
   * the sandbox's own delay. Unset for the real Amazon, which takes minutes and varies: the pace
   * behind the hold is counted over ~2 s, too short for a lead time of minutes (use a buffer).
   */
  appliesAfterMs?: number;
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
  private readonly patchPacer: Pacer;
  /** getListingsItem has its own bucket: 5/s, burst 10. */
  private readonly readPacer: Pacer;
  private readonly resolver: ListingResolver;
  private readonly feedThreshold: number;
  private readonly maxWaitMs: number;
  /** PATCHes of one push (or pushMany) in flight at once. */
  private readonly patchConcurrency: number;
  private readonly feedOptions: FeedOptions;
  /** ACCEPTED submissions not yet seen applied: sku → quantity (latest wins). */
  private readonly pending = new Map<string, number>();

  constructor(
    readonly client: SpApiClient,
    opts: AmazonAdapterOptions = {},
  ) {
    const rate = opts.patchRate ?? 5;
    const burst = opts.patchBurst ?? 5;
    // One push = up to batchSize PATCHes; propagation charges one token per push, so a push rate
    // of rate/batchSize keeps Amazon's bucket whole.
    const batchSize = opts.batchSize ?? defaultBatchSize(rate);
    this.limits = { batchSize, requestsPerSecond: rate / batchSize, burst: Math.max(1, Math.floor(burst / batchSize)) };
    if (opts.appliesAfterMs) this.limits.appliesAfterMs = opts.appliesAfterMs;
    this.patchConcurrency = Math.max(5, Math.min(batchSize, burst, MAX_PATCHES_IN_FLIGHT));
    // One slot less than Amazon's burst absorbs jitter between our clock and theirs.
    this.patchPacer = new Pacer(rate, Math.max(1, burst - 1));
    // A read-back (propagation's verify) of a 20-SKU push at 5 reads/s would hold a worker slot 4 s.
    this.readPacer = new Pacer(opts.readRate ?? rate, Math.max(1, (opts.readBurst ?? Math.max(10, burst)) - 1));
    this.resolver = new ListingResolver(client);
    this.feedThreshold = opts.feedThreshold ?? 1500;
    this.maxWaitMs = opts.maxWaitMs ?? 1000;
    this.feedOptions = { pollMs: opts.feed?.pollMs ?? 15_000, firstPollMs: opts.feed?.firstPollMs, timeoutMs: opts.feed?.timeoutMs ?? 30 * 60_000 };
  }

  async push(items: PushItem[]): Promise<PushOutcome[]> {
    if (items.length > this.limits.batchSize) {
      throw new ChannelError(`Amazon push takes at most ${this.limits.batchSize} SKUs (got ${items.length}); use pushMany`, 'validation');
    }
    if (items.length >= this.feedThreshold) return this.pushFeed(items);
    // Book every PATCH slot up front; if they are too far away, book and send nothing and say when to return.
    const waits = this.patchPacer.reserveMany(items.length, this.maxWaitMs);
    if (!waits) {
      throw new ChannelError('Amazon patchListingsItem: holding back to stay within its request rate', 'rate_limited', {
        retryAfterMs: Math.max(1, Math.ceil(this.patchPacer.msUntilFree())),
        channelCode: 'ClientThrottle',
      });
    }
    return this.patchAll(items, (i) => waits[i]!);
  }

  /** Any number of SKUs: paced PATCHes, or JSON_LISTINGS_FEED from `feedThreshold` SKUs. */
  async pushMany(items: PushItem[]): Promise<PushOutcome[]> {
    if (items.length >= this.feedThreshold) return this.pushFeed(items);
    return this.patchAll(items, () => this.patchPacer.reserve()!);
  }

  private async patchAll(items: PushItem[], slot: (i: number) => number): Promise<PushOutcome[]> {
    if (items.length === 0) return [];
    const many = items.length > 1;
    const results = await mapPool(items, this.patchConcurrency, async (item, i) => {
      const wait = slot(i);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return this.patchWithRetry(item, many).catch((err: unknown) => toChannelError(err));
    });
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
      if (attempt > 0) await this.patchPacer.take();
      try {
        return await this.patchOne(item);
      } catch (err) {
        if (!retryThrottled || attempt >= 2 || !(err instanceof ChannelError) || err.kind !== 'rate_limited') throw err;
        await new Promise((r) => setTimeout(r, (err.retryAfterMs ?? 1000) * (1 + Math.random() * 0.2)));
      }
    }
  }

  private async patchOne(item: PushItem): Promise<PushOutcome> {
    const r = await this.client.patchListingsItem(item.sku, quantityPatchRequest(item.quantity));
    // Amazon may lower (or raise) the limit it grants; pace to what it declares (channels.md §7.4).
    const declared = this.client.declaredRates.get('patchListingsItem');
    if (declared && declared !== this.patchPacer.rate) this.patchPacer.setRate(declared);
    if (r.status !== 200) return { sku: item.sku, status: 'failed', error: errorsError(item.sku, r.status, r.body as Partial<SpApiErrorBody>) };
    if (r.body.status === 'INVALID') return { sku: item.sku, status: 'failed', error: issuesError(item.sku, r.body.issues ?? []) };
    this.pending.set(item.sku, item.quantity);
    return { sku: item.sku, status: 'ok', quantity: item.quantity, pending: true };
  }

  async read(skus: string[]): Promise<Map<string, number | null>> {
    const values = await mapPool(skus, this.patchConcurrency, async (sku) => {
      await this.readPacer.take();
      const r = await this.client.getListingsItem(sku, ['fulfillmentAvailability']);
      const declared = this.client.declaredRates.get('getListingsItem');
      if (declared && declared !== this.readPacer.rate) this.readPacer.setRate(declared);
      if (r.status === 404) return null;
      if (r.status !== 200) throw errorsError(sku, r.status, r.body as Partial<SpApiErrorBody>);
      return r.body.fulfillmentAvailability?.find((f) => f.fulfillmentChannelCode === 'DEFAULT')?.quantity ?? 0;
    });
    // Any read that shows an ACCEPTED quantity confirms it (a reconcile read serves confirm()).
    skus.forEach((sku, i) => {
      if (this.pending.get(sku) === values[i]) this.pending.delete(sku);
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
    const expected = new Map(wanted.map((s) => [s, this.pending.get(s)!]));
    const shown = await this.read(wanted);
    return wanted.map((sku) => {
      const now = shown.get(sku) ?? null;
      return { sku, expected: expected.get(sku)!, shown: now, confirmed: now === expected.get(sku) };
    });
  }

  pendingSkus(): string[] {
    return [...this.pending.keys()];
  }

  async resolve(skus: string[], opts: { fresh?: boolean } = {}): Promise<Map<string, ListingRef | null>> {
    const refs = await mapPool(skus, 5, async (sku) => {
      await this.readPacer.take();
      return this.resolver.resolveOne(sku, opts.fresh);
    });
    return new Map(skus.map((sku, i) => [sku, refs[i] ?? null]));
  }

  pause(skus: string[]): Promise<PushOutcome[]> {
    return this.pushMany(skus.map((sku) => ({ sku, quantity: 0, version: 0, idempotencyKey: randomUUID() })));
  }

  relist(items: PushItem[]): Promise<PushOutcome[]> {
    return this.pushMany(items);
  }

  async close(): Promise<void> {}
}

/** Longest batch, and most PATCHes in flight, when the rate allows many at once. */
const MAX_BATCH = 20;
const MAX_PATCHES_IN_FLIGHT = 20;
/** What one push token may be worth in PATCH time at the configured rate (see defaultBatchSize). */
const PUSH_TOKEN_MS = 400;

/**
 * SKUs per push for a PATCH rate. Propagation charges one token per push whatever it carries, so
 * a token worth many PATCHes would make one changed SKU spend (and wait for) a large share of
 * Amazon's budget: at Amazon's 5/s a push carries 2 (the least the port allows, 400 ms of
 * budget). When the rate allows many PATCHes at once (a raised quota, the sandbox with limits
 * off) pushes carry more SKUs, so propagation's fixed work per push (claim, ledger read, audit,
 * ack, release: ~10 Redis round trips and a BullMQ job) is shared by many SKUs instead of capping
 * the channel at a few hundred SKUs a second (measured: ~150/s at 2 per push on 2 busy cores).
 */
export function defaultBatchSize(patchRate: number): number {
  return Math.max(2, Math.min(MAX_BATCH, Math.floor((patchRate * PUSH_TOKEN_MS) / 1000)));
}

function toChannelError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  return new ChannelError(`Amazon push failed: ${(err as Error)?.message ?? String(err)}`, 'transient', { cause: err });
}
