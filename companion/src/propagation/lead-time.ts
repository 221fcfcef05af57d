/**
 * Lead time: a channel that shows our pushes late (Amazon applies an ACCEPTED listings PATCH
 * later: 500 ms in its sandbox, minutes on Amazon) keeps selling off its old number meanwhile,
 * while the other channels sell the same units. No push speed closes that window; holding back
 * what the others are expected to sell within it does — the safety stock of demand × lead time.
 *
 * Demand is each SKU's pace (pace-1.lua, counted from the change feed's sales): a rate that
 * decays by e every `paceMs`, for all channels and per channel. The channel's own sales do not
 * count: it takes them off its own number. The hold applies only while the stock is low enough
 * for those sales to run it out before the channel shows our push; above that it changes no
 * outcome and would only cost pushes. A push that held units back is looked at again after
 * `paceMs` (a recheck, verify.ts), so the channel gets its full number once the sales slow.
 *
 * Meant for delays of up to a few seconds: the pace is counted over ~paceMs, so a lead time of
 * minutes would swing with each sale (and re-push as the pace decays); that needs a pace over a
 * window as long as the lead time.
 *
 * Measured (`npm run bench -- sync`, 1,000 orders/s over four channels): see the README.
 */
import type { StockState } from '../schemas/stock';
import { shownQuantity, type Rule } from './rules';

/** A SKU's sales per second now: on all channels, and on the channel being pushed to. */
export interface Pace {
  all: number;
  own: number;
}

export const NO_PACE: Pace = { all: 0, own: 0 };

/** The pace key's field of one SKU's sales on one channel (pace-1.lua). */
export const paceField = (sku: string, channel: string) => `${sku}\n${channel}`;

/** A stored "rate at" (pace-1.lua), decayed to `now`. */
export function paceAt(raw: string | null | undefined, now: number, paceMs: number): number {
  if (!raw) return 0;
  const [rate, at] = raw.split(' ').map(Number);
  if (!Number.isFinite(rate) || !Number.isFinite(at)) return 0;
  return rate! * Math.exp(-Math.max(0, now - at!) / paceMs);
}

/** A SKU's pace now from the pace hash's two fields for it (in all, on the channel). */
export function paceOf(allRaw: string | null | undefined, hereRaw: string | null | undefined, now: number, paceMs: number): Pace {
  if (!allRaw) return NO_PACE;
  return { all: paceAt(allRaw, now, paceMs), own: paceAt(hereRaw, now, paceMs) };
}

/** Expected sales below this many units hold nothing back (a decayed pace ends here). */
const NEGLIGIBLE = 0.2;

/**
 * Units to hold back from the channel, beside its buffer, when `available` units are left:
 * the other channels' expected sales within the lead time, rounded up, while the stock is within
 * reach of everything expected to sell in that time (mean + 2 standard deviations of a Poisson
 * count, + 1); otherwise 0.
 */
export function leadTimeHold(rule: Rule, pace: Pace, available: number): number {
  const leadS = (rule.leadTimeMs ?? 0) / 1000;
  if (leadS <= 0) return 0;
  const others = Math.max(0, pace.all - pace.own) * leadS;
  if (others < NEGLIGIBLE) return 0;
  const everyone = Math.max(others, pace.all * leadS);
  const reach = Math.ceil(everyone + 2 * Math.sqrt(everyone)) + 1;
  return available - (rule.buffer ?? 0) <= reach ? Math.ceil(others) : 0;
}

/**
 * What the channel is shown (rules.ts, with the lead time's hold) and how many units the hold
 * took off it: a push and GET /v1/sync work it out alike.
 */
export function shownWithLeadTime(state: StockState | null, rule: Rule, pace: Pace): { quantity: number; held: number } {
  const hold = leadTimeHold(rule, pace, state?.available ?? 0);
  const quantity = shownQuantity(state, rule, hold);
  return { quantity, held: hold > 0 ? shownQuantity(state, rule) - quantity : 0 };
}
