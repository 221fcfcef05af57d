/**
 * The conformance fake channel: a real HTTP server (Fastify on 127.0.0.1, port 0) with the
 * smallest API that has everything a real channel throws at propagation — a batch limit,
 * compare-and-set, idempotency keys, a published rate limit enforced with 429 + Retry-After,
 * latency, 5xx, outages (dropped connections), per-SKU permanent errors and unknown listings.
 * It records every write it applied, with the ledger version the caller computed it from, so
 * tests can prove no older value ever landed after a newer one.
 *
 * Channel API (Bearer token):
 *   POST /api/inventory          { items: [{ sku, quantity, expected?, version, idempotencyKey }] }
 *                                → { results: [{ sku, status: 'ok'|'accepted'|'stale'|'not_found'|'invalid', quantity?, current?, message? }] }
 *   POST /api/inventory/read     { skus } → { quantities: { [sku]: number|null } }
 *   POST /api/listings/resolve   { skus } → { listings: { [sku]: { listingId } | null } }
 *   POST /api/listings/pause     { skus } → { results }      (inactive: shows 0)
 *   POST /api/listings/relist    { items } → { results }
 * Sandbox routes as in sandbox-kit/types.ts (/_sandbox/quantities, listings, faults, stats).
 */
import Fastify from 'fastify';
import type { ChannelLimits } from '../port';
import { Faults } from '../sandbox-kit/faults';
import { TokenBucket } from '../sandbox-kit/token-bucket';
import type { FaultConfig, SandboxStats } from '../sandbox-kit/types';

export interface FakeFaults extends FaultConfig {
  /** Extra latency for the next N write calls (then normal again): slows one worker's first push. */
  slowWrites: { calls: number; ms: number };
  /** SKUs answered with a permanent per-item error. */
  rejectSkus: Record<string, string>;
  /** Every call answered 401 (credentials revoked). */
  authFailure: boolean;
  /**
   * Writes are answered `accepted` and applied `applyAfterMs` later (Amazon's ACCEPTED); the
   * first `dropFirst` accepted writes are never applied (Amazon's known failure). null = off.
   */
  acceptLater: { applyAfterMs: number; dropFirst: number } | null;
}

export interface AppliedWrite {
  sku: string;
  quantity: number;
  version: number;
  at: number;
}

export interface FakeChannelOptions {
  id?: string;
  port?: number;
  token?: string;
  limits?: Partial<ChannelLimits>;
  faults?: Partial<FakeFaults> & { outageForMs?: number };
}

export interface FakeChannel {
  id: string;
  url: string;
  token: string;
  limits: ChannelLimits;
  quantities(): Record<string, number>;
  seed(listings: { sku: string; quantity: number }[]): void;
  /** Deletes listings, as a merchant deleting the product on the channel does. */
  unlist(skus: string[]): void;
  setFaults(f: Partial<FakeFaults> & { outageForMs?: number }): FakeFaults;
  stats(): SandboxStats & { writeCalls: number; staleRows: number; writesInFlight: number };
  /** Every write applied, in order. */
  writes(): AppliedWrite[];
  close(): Promise<void>;
}

interface Listing {
  quantity: number;
  active: boolean;
  listingId: string;
}

export const FAKE_DEFAULT_LIMITS: ChannelLimits = { batchSize: 50, requestsPerSecond: 20, burst: 20 };

export async function startFakeChannel(opts: FakeChannelOptions = {}): Promise<FakeChannel> {
  const id = opts.id ?? 'fake';
  const token = opts.token ?? 'fake-token';
  const limits: ChannelLimits = { ...FAKE_DEFAULT_LIMITS, ...opts.limits };
  const { slowWrites, rejectSkus, authFailure, acceptLater, ...kit } = opts.faults ?? {};
  const faults = new Faults({ throttling: false, ...kit });
  const extra = {
    slowWrites: slowWrites ?? { calls: 0, ms: 0 },
    rejectSkus: rejectSkus ?? {},
    authFailure: authFailure ?? false,
    acceptLater: acceptLater ?? null,
  };
  const timers = new Set<NodeJS.Timeout>();
  const bucket = new TokenBucket(limits.requestsPerSecond, limits.burst);
  const listings = new Map<string, Listing>();
  const applied: AppliedWrite[] = [];
  const idem = new Map<string, unknown>();
  const stats = { calls: 0, throttled: 0, writes: 0, rowsWritten: 0, ordersAccepted: 0, ordersRefused: 0, writeCalls: 0, staleRows: 0, writesInFlight: 0 };
  let nextListing = 1;

  const seed = (rows: { sku: string; quantity: number }[]) => {
    for (const r of rows) {
      const l = listings.get(r.sku);
      if (l) l.quantity = r.quantity;
      else listings.set(r.sku, { quantity: r.quantity, active: true, listingId: `L${nextListing++}` });
    }
  };
  const shown = (l: Listing) => (l.active ? l.quantity : 0);

  const app = Fastify({ logger: false });
  faults.install(app, (reply) => reply.code(503).send({ error: 'service unavailable' }));
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/_sandbox')) return;
    stats.calls++;
    if (extra.authFailure || req.headers.authorization !== `Bearer ${token}`) return reply.code(401).send({ error: 'invalid token' });
    if (faults.throttling && !bucket.tryTake(1)) {
      stats.throttled++;
      const ms = Math.max(bucket.msUntil(1), 1);
      return reply.code(429).header('retry-after', String(Math.ceil(ms / 1000))).header('x-retry-after-ms', String(ms)).send({ error: 'rate limited' });
    }
  });

  type WriteItem = { sku: string; quantity: number; expected?: number | null; version?: number; idempotencyKey?: string };
  const write = (item: WriteItem) => {
    if (item.idempotencyKey && idem.has(item.idempotencyKey)) return idem.get(item.idempotencyKey);
    let result: unknown;
    const l = listings.get(item.sku);
    if (!l) result = { sku: item.sku, status: 'not_found', message: `no listing for SKU ${item.sku}` };
    else if (extra.rejectSkus[item.sku]) result = { sku: item.sku, status: 'invalid', message: extra.rejectSkus[item.sku] };
    else if (!Number.isInteger(item.quantity) || item.quantity < 0) result = { sku: item.sku, status: 'invalid', message: 'quantity must be a whole number ≥ 0' };
    else if (item.expected !== undefined && item.expected !== null && item.expected !== shown(l)) {
      stats.staleRows++;
      result = { sku: item.sku, status: 'stale', current: shown(l) };
    } else if (extra.acceptLater) {
      const later = extra.acceptLater;
      const drop = later.dropFirst > 0;
      if (drop) later.dropFirst--;
      else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          l.quantity = item.quantity;
          stats.rowsWritten++;
          applied.push({ sku: item.sku, quantity: item.quantity, version: item.version ?? -1, at: Date.now() });
        }, later.applyAfterMs);
        timers.add(timer);
      }
      result = { sku: item.sku, status: 'accepted', quantity: item.quantity };
    } else {
      l.quantity = item.quantity;
      stats.rowsWritten++;
      applied.push({ sku: item.sku, quantity: item.quantity, version: item.version ?? -1, at: Date.now() });
      result = { sku: item.sku, status: 'ok', quantity: shown(l) };
    }
    if (item.idempotencyKey) idem.set(item.idempotencyKey, result);
    return result;
  };

  app.post<{ Body: { items: WriteItem[] } }>('/api/inventory', async (req, reply) => {
    const items = req.body?.items;
    if (!Array.isArray(items)) return reply.code(400).send({ error: 'items must be an array' });
    if (items.length > limits.batchSize) return reply.code(400).send({ error: `at most ${limits.batchSize} items per call` });
    stats.writesInFlight++;
    try {
      if (extra.slowWrites.calls > 0) {
        extra.slowWrites.calls--;
        // The request has reached the channel; it is applied after the delay whatever the caller does.
        await new Promise((r) => setTimeout(r, extra.slowWrites.ms));
      }
    } finally {
      stats.writesInFlight--;
    }
    stats.writeCalls++;
    stats.writes++;
    return { results: items.map(write) };
  });
  app.post<{ Body: { skus: string[] } }>('/api/inventory/read', async (req) => {
    const quantities: Record<string, number | null> = {};
    for (const s of req.body.skus) {
      const l = listings.get(s);
      quantities[s] = l ? shown(l) : null;
    }
    return { quantities };
  });
  app.post<{ Body: { skus: string[] } }>('/api/listings/resolve', async (req) => {
    const out: Record<string, { listingId: string } | null> = {};
    for (const s of req.body.skus) {
      const l = listings.get(s);
      out[s] = l ? { listingId: l.listingId } : null;
    }
    return { listings: out };
  });
  app.post<{ Body: { skus: string[] } }>('/api/listings/pause', async (req) => ({
    results: req.body.skus.map((s) => {
      const l = listings.get(s);
      if (!l) return { sku: s, status: 'not_found', message: `no listing for SKU ${s}` };
      l.active = false;
      return { sku: s, status: 'ok', quantity: 0 };
    }),
  }));
  app.post<{ Body: { items: WriteItem[] } }>('/api/listings/relist', async (req) => ({
    results: req.body.items.map((i) => {
      const l = listings.get(i.sku);
      if (l) l.active = true;
      return write(i);
    }),
  }));

  app.get('/_sandbox/quantities', async () => quantities());
  app.post<{ Body: { sku: string; quantity: number }[] }>('/_sandbox/listings', async (req) => {
    seed(req.body);
    return quantities();
  });
  app.get('/_sandbox/faults', async () => currentFaults());
  app.post<{ Body: Partial<FakeFaults> & { outageForMs?: number } }>('/_sandbox/faults', async (req) => setFaults(req.body));
  app.get('/_sandbox/stats', async () => ({ ...stats }));

  function quantities(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [s, l] of listings) out[s] = shown(l);
    return out;
  }
  function currentFaults(): FakeFaults {
    return {
      ...faults.get(),
      ...extra,
      slowWrites: { ...extra.slowWrites },
      rejectSkus: { ...extra.rejectSkus },
      acceptLater: extra.acceptLater ? { ...extra.acceptLater } : null,
    };
  }
  function setFaults(f: Partial<FakeFaults> & { outageForMs?: number }): FakeFaults {
    const { slowWrites: sw, rejectSkus: rs, authFailure: af, acceptLater: al, ...rest } = f;
    if (sw) extra.slowWrites = { ...sw };
    if (rs) extra.rejectSkus = { ...rs };
    if (af !== undefined) extra.authFailure = af;
    if (al !== undefined) extra.acceptLater = al ? { ...al } : null;
    faults.set(rest);
    return currentFaults();
  }

  const address = await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  return {
    id,
    url: address,
    token,
    limits,
    quantities,
    seed,
    unlist: (skus) => skus.forEach((sku) => listings.delete(sku)),
    setFaults,
    stats: () => ({ ...stats }),
    writes: () => [...applied],
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await app.close();
    },
  };
}
