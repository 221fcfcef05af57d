/**
 * ChannelAdapter for the conformance fake channel, over real HTTP. The mapping from the
 * channel's answers to ChannelError kinds is the part every real adapter repeats:
 * 429 → rate_limited with the channel's Retry-After; 401/403 → auth; 400 → validation;
 * 5xx, timeouts, dropped connections → transient; per-item not_found / invalid → item outcomes.
 */
import { ChannelError, type ChannelAdapter, type ChannelLimits, type ListingRef, type PushItem, type PushOutcome } from '../port';
import { FAKE_DEFAULT_LIMITS } from './sandbox';

export interface FakeAdapterOptions {
  id?: string;
  url: string;
  token: string;
  limits?: Partial<ChannelLimits>;
  timeoutMs?: number;
  /** Behave as a store whose count can go below 0 (ChannelAdapter.showsBelowZero). */
  showsBelowZero?: boolean;
}

type WireResult = { sku: string; status: 'ok' | 'accepted' | 'stale' | 'not_found' | 'invalid'; quantity?: number; current?: number; message?: string };

export function createFakeAdapter(opts: FakeAdapterOptions): ChannelAdapter {
  const limits: ChannelLimits = { ...FAKE_DEFAULT_LIMITS, ...opts.limits };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const cache = new Map<string, ListingRef | null>();

  async function call<T>(path: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${opts.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ChannelError(`fake channel unreachable: ${(err as Error).message}`, 'transient', { cause: err });
    }
    if (res.ok) return (await res.json()) as T;
    const text = await res.text().catch(() => '');
    const status = res.status;
    if (status === 429) {
      const ms = Number(res.headers.get('x-retry-after-ms')) || Number(res.headers.get('retry-after')) * 1000 || 1000;
      throw new ChannelError('fake channel throttled the call', 'rate_limited', { retryAfterMs: ms, status });
    }
    if (status === 401 || status === 403) throw new ChannelError(`fake channel refused the credentials (${status})`, 'auth', { status });
    if (status === 400 || status === 422) throw new ChannelError(`fake channel refused the payload: ${text}`, 'validation', { status });
    throw new ChannelError(`fake channel answered ${status}: ${text}`, 'transient', { status });
  }

  const toOutcome = (r: WireResult): PushOutcome => {
    switch (r.status) {
      case 'ok':
        return { sku: r.sku, status: 'ok', quantity: r.quantity ?? 0 };
      case 'accepted':
        // Applied later by the channel; propagation reads it back (verify.ts).
        return { sku: r.sku, status: 'ok', quantity: r.quantity ?? 0, pending: true };
      case 'stale':
        return { sku: r.sku, status: 'stale', current: r.current ?? 0 };
      case 'not_found':
        return { sku: r.sku, status: 'failed', error: new ChannelError(r.message ?? `SKU ${r.sku} is not listed`, 'not_found', { channelCode: 'not_found' }) };
      default:
        return { sku: r.sku, status: 'failed', error: new ChannelError(r.message ?? 'refused', 'validation', { channelCode: r.status }) };
    }
  };

  const wireItem = (i: PushItem) => ({ sku: i.sku, quantity: i.quantity, expected: i.expected ?? null, version: i.version, idempotencyKey: i.idempotencyKey });

  return {
    id: opts.id ?? 'fake',
    limits,
    ...(opts.showsBelowZero ? { showsBelowZero: true } : {}),
    async push(items) {
      if (items.length > limits.batchSize) throw new ChannelError(`at most ${limits.batchSize} items per push`, 'validation');
      if (!items.length) return [];
      const { results } = await call<{ results: WireResult[] }>('/api/inventory', { items: items.map(wireItem) });
      return results.map(toOutcome);
    },
    async read(skus) {
      const { quantities } = await call<{ quantities: Record<string, number | null> }>('/api/inventory/read', { skus });
      return new Map(skus.map((s) => [s, quantities[s] ?? null]));
    },
    async resolve(skus, opts = {}) {
      if (opts.fresh) for (const s of skus) cache.delete(s);
      const missing = skus.filter((s) => !cache.has(s));
      if (missing.length) {
        const { listings } = await call<{ listings: Record<string, { listingId: string } | null> }>('/api/listings/resolve', { skus: missing });
        for (const s of missing) {
          const l = listings[s];
          // Unlisted answers are not cached: the merchant may list the SKU at any time.
          if (l) cache.set(s, { sku: s, ids: { listingId: l.listingId } });
        }
        return new Map(skus.map((s) => [s, cache.get(s) ?? (listings[s] ? { sku: s, ids: { listingId: listings[s]!.listingId } } : null)]));
      }
      return new Map(skus.map((s) => [s, cache.get(s) ?? null]));
    },
    async pause(skus) {
      const { results } = await call<{ results: WireResult[] }>('/api/listings/pause', { skus });
      return results.map(toOutcome);
    },
    async relist(items) {
      const { results } = await call<{ results: WireResult[] }>('/api/listings/relist', { items: items.map(wireItem) });
      return results.map(toOutcome);
    },
    async close() {
      cache.clear();
    },
  };
}
