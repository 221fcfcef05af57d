/**
 * The flash sale, generated from a seed so the Stockline run and both baselines see exactly the
 * same orders: which SKU, on which channel, how many units, at which millisecond of the sale.
 * Popularity is skewed (a few hot SKUs) and stock covers only part of the demand, so most SKUs
 * sell out mid-sale — the moment where a stale channel oversells.
 */
import { seededRng } from '../../companion/src/channels/shopper';

export interface SaleOrder {
  /** ms after the sale starts. */
  at: number;
  channel: string;
  sku: string;
  qty: number;
}

export interface Sale {
  skus: string[];
  initial: Map<string, number>;
  orders: SaleOrder[];
  durationMs: number;
}

export function generateSale(opts: { seed: number; skus: number; orders: number; ratePerSecond: number; channels: string[]; /** SKU names (default 'FS'). */ prefix?: string; /** Stock of every SKU instead of a share of its demand (a warm-up that sells nothing out). */ stock?: number }): Sale {
  const rand = seededRng(opts.seed);
  // Short ids: the Flipkart sandbox refuses a listings read whose 10 joined SKU ids pass 100 characters.
  const skus = Array.from({ length: opts.skus }, (_, i) => `${opts.prefix ?? 'FS'}-${String(i + 1).padStart(3, '0')}`);
  // Zipf-like weights, shuffled so hot SKUs are not simply the first ones.
  const weights = skus.map((_, i) => 1 / (i + 1) ** 0.7);
  for (let i = weights.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [weights[i], weights[j]] = [weights[j]!, weights[i]!];
  }
  const total = weights.reduce((s, w) => s + w, 0);
  const cumulative: number[] = [];
  weights.reduce((s, w, i) => (cumulative[i] = s + w / total), 0);
  const pick = () => {
    const r = rand();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const meanQty = 1.2;
  const initial = new Map<string, number>();
  skus.forEach((sku, i) => {
    const demand = opts.orders * (weights[i]! / total) * meanQty;
    const share = Math.max(2, Math.round(demand * (0.4 + rand() * 0.7)));
    initial.set(sku, opts.stock ?? share);
  });
  const orders: SaleOrder[] = [];
  let at = 0;
  for (let n = 0; n < opts.orders; n++) {
    at += (-Math.log(1 - rand()) * 1000) / opts.ratePerSecond; // Poisson arrivals
    const r = rand();
    orders.push({
      at: Math.round(at * 1000) / 1000,
      channel: opts.channels[Math.floor(rand() * opts.channels.length)]!,
      sku: skus[pick()]!,
      qty: r < 0.85 ? 1 : r < 0.95 ? 2 : 3,
    });
  }
  return { skus, initial, orders, durationMs: at };
}

/** Units sold beyond stock, per SKU summed: what a merchant has to cancel and apologise for. */
export function oversoldUnits(initial: Map<string, number>, acceptedUnits: Map<string, number>): number {
  let over = 0;
  for (const [sku, units] of acceptedUnits) over += Math.max(0, units - (initial.get(sku) ?? 0));
  return over;
}
