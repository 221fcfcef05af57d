/**
 * Baselines: a stock poller that every `periodMs` reads the orders every channel has reported,
 * works out the true stock and writes it to every channel — the way most multichannel tools sync.
 * Simulated on a virtual clock over the same order stream (generous to the poller: each poll sees
 * every order so far and writes every channel instantly). Between polls each channel only knows
 * its own sales, so the same last units are sold on several channels at once.
 */
import { oversoldUnits, type Sale } from './orders';

export interface PollerResult {
  periodMs: number;
  phases: number;
  /** Over all poll phases (when in the sale the first poll lands). */
  oversold: { mean: number; min: number; max: number };
  ordersAccepted: number;
  /** API calls during the sale per channel: one order read plus ceil(SKUs / batch) writes per poll. */
  apiCalls: Record<string, number>;
}

export function simulatePoller(sale: Sale, channels: string[], batchSize: Record<string, number>, periodMs: number, phases = 60, buffers: Record<string, number> = {}): PollerResult {
  const results: number[] = [];
  let acceptedTotal = 0;
  let polls = 0;
  for (let k = 0; k < phases; k++) {
    const phase = (periodMs * k) / phases;
    const truth = new Map(sale.initial);
    const shown = new Map(channels.map((c) => [c, new Map([...sale.initial].map(([sku, q]) => [sku, Math.max(0, q - (buffers[c] ?? 0))]))]));
    const accepted = new Map<string, number>();
    let nextPoll = phase;
    let pollsHere = 0;
    let acceptedHere = 0;
    for (const o of sale.orders) {
      while (nextPoll <= o.at) {
        // The same per-channel buffers Stockline was given (--buffer), so both hold back alike.
        for (const c of channels) for (const [sku, q] of truth) shown.get(c)!.set(sku, Math.max(0, q - (buffers[c] ?? 0)));
        nextPoll += periodMs;
        pollsHere++;
      }
      const local = shown.get(o.channel)!;
      const q = local.get(o.sku) ?? 0;
      if (q < o.qty) continue;
      local.set(o.sku, q - o.qty);
      truth.set(o.sku, (truth.get(o.sku) ?? 0) - o.qty);
      accepted.set(o.sku, (accepted.get(o.sku) ?? 0) + o.qty);
      acceptedHere++;
    }
    results.push(oversoldUnits(sale.initial, accepted));
    acceptedTotal += acceptedHere;
    polls += pollsHere;
  }
  const meanPolls = polls / phases;
  return {
    periodMs,
    phases,
    oversold: {
      mean: Math.round((results.reduce((s, x) => s + x, 0) / phases) * 10) / 10,
      min: Math.min(...results),
      max: Math.max(...results),
    },
    ordersAccepted: Math.round(acceptedTotal / phases),
    apiCalls: Object.fromEntries(channels.map((c) => [c, Math.round(meanPolls * (1 + Math.ceil(sale.skus.length / (batchSize[c] ?? 1))))])),
  };
}
