/**
 * The sandbox shopper simulator: buyers placing small orders on random channels at a steady
 * average rate (Poisson arrivals), through each sandbox's shopper endpoint — so an order is
 * accepted only if that channel shows enough stock, and then reaches Stockline the way that
 * channel reports orders (webhook, notification, poll). `npm start` in sandbox mode runs one.
 */
import type { SandboxHandle } from './sandbox-kit/types';

export interface ShopperOptions {
  sandboxes: SandboxHandle[];
  skus: string[];
  /** Average orders per second across all channels; 0 places none. */
  ordersPerSecond: number;
  /** [0, 1) random source; pass a seeded one for repeatable runs. */
  rng?: () => number;
  /** Largest quantity one order asks for (default 2; most orders ask for 1). */
  maxQty?: number;
  /** At most this many orders in flight; arrivals beyond it are skipped, not queued (default 50). */
  maxInFlight?: number;
}

export interface ShopperStats {
  placed: number;
  accepted: number;
  refused: number;
  errors: number;
  skipped: number;
  byChannel: Record<string, { accepted: number; refused: number; errors: number }>;
}

export interface Shopper {
  stop(): Promise<void>;
  stats(): ShopperStats;
}

/** A small seeded generator (mulberry32) for repeatable simulations. */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startShopper(opts: ShopperOptions): Shopper {
  const rng = opts.rng ?? Math.random;
  const maxQty = Math.max(1, opts.maxQty ?? 2);
  const maxInFlight = opts.maxInFlight ?? 50;
  const stats: ShopperStats = { placed: 0, accepted: 0, refused: 0, errors: 0, skipped: 0, byChannel: {} };
  for (const s of opts.sandboxes) stats.byChannel[s.channel] = { accepted: 0, refused: 0, errors: 0 };
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const pick = <T>(xs: T[]): T => xs[Math.min(xs.length - 1, Math.floor(rng() * xs.length))]!;
  // Three in four buyers take one unit; the rest take 2..maxQty.
  const quantity = () => (maxQty === 1 || rng() < 0.75 ? 1 : 2 + Math.floor(rng() * (maxQty - 1)));

  const placeOne = () => {
    if (inFlight.size >= maxInFlight) {
      stats.skipped += 1;
      return;
    }
    const sandbox = pick(opts.sandboxes);
    const sku = pick(opts.skus);
    const qty = quantity();
    const per = stats.byChannel[sandbox.channel]!;
    stats.placed += 1;
    const p = sandbox
      .placeOrder(sku, qty)
      .then((r) => {
        if (r.accepted) {
          stats.accepted += 1;
          per.accepted += 1;
        } else {
          stats.refused += 1;
          per.refused += 1;
        }
      })
      .catch(() => {
        stats.errors += 1;
        per.errors += 1;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const schedule = () => {
    if (stopped || opts.ordersPerSecond <= 0 || opts.sandboxes.length === 0 || opts.skus.length === 0) return;
    // Exponential gaps: arrivals of independent buyers, averaging ordersPerSecond.
    const gapMs = (-Math.log(1 - rng()) / opts.ordersPerSecond) * 1000;
    timer = setTimeout(() => {
      placeOne();
      schedule();
    }, gapMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
    stats: () => ({ ...stats, byChannel: structuredClone(stats.byChannel) }),
  };
}
