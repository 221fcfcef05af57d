/**
 * What each channel is told:
 *   shown = min(maxShown, max(0, floor((available − buffer − hold) × (1 − percent/100)))),
 * where hold is what a channel that shows pushes late keeps back (leadTimeMs, lead-time.ts),
 * and 0 while the SKU is paused (oversell or manual) or gone from the ledger. Rules live per
 * channel and per SKU (for one channel or '*' for all) in one Redis hash per tenant; the most
 * specific rule wins field by field: SKU+channel over SKU+'*' over channel over defaults.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';
import type { StockState } from '../schemas/stock';

export interface Rule {
  buffer?: number;
  percent?: number;
  maxShown?: number;
  /**
   * How long the channel takes to show a push it accepted: the units the other channels are
   * expected to sell within it are held back while stock is low (lead-time.ts). Defaults to the
   * adapter's `limits.appliesAfterMs`; 0 turns it off.
   */
  leadTimeMs?: number;
  /** The maxShown before a stop from the admin page (maxShown 0), to put back on "sell here again"; shapes nothing. */
  maxShownBeforeStop?: number;
}

export interface RulesSnapshot {
  channels: Record<string, Rule>;
  skus: Record<string, Record<string, Rule>>;
}

export function mergeRules(...rules: (Rule | undefined)[]): Rule {
  const out: Rule = {};
  for (const r of rules) {
    if (!r) continue;
    if (r.buffer !== undefined) out.buffer = r.buffer;
    if (r.percent !== undefined) out.percent = r.percent;
    if (r.maxShown !== undefined) out.maxShown = r.maxShown;
    if (r.leadTimeMs !== undefined) out.leadTimeMs = r.leadTimeMs;
    if (r.maxShownBeforeStop !== undefined) out.maxShownBeforeStop = r.maxShownBeforeStop;
  }
  return out;
}

export function shownQuantity(state: StockState | null, rule: Rule, hold = 0): number {
  if (!state || state.paused) return 0;
  const afterBuffer = state.available - (rule.buffer ?? 0) - hold;
  const afterPercent = Math.floor(afterBuffer * (1 - (rule.percent ?? 0) / 100));
  const shown = Math.max(0, afterPercent);
  return rule.maxShown === undefined ? shown : Math.min(rule.maxShown, shown);
}

/**
 * Whether a channel showing `shown` shows what it should: the number itself, or, where 0 is due, a
 * store below 0 (backorders): nothing to sell either way, and its negative count is the right one
 * to keep (a 0 would forget what it owes). GET /v1/sync, the one-SKU check and the drift sweep.
 */
export function showsRight(shown: number | null | undefined, expected: number): boolean {
  return shown !== null && shown !== undefined && (shown === expected || (expected === 0 && shown < 0));
}

const channelField = (channel: string) => `channel:${channel}`;
// The SKU goes last: it may contain ':' but never a newline-free ambiguity with the scope before it.
const skuField = (scope: string, sku: string) => `sku:${scope}:${sku}`;

export function createRulesStore(deps: { redis: Redis; keys: Keys; defaults?: Record<string, Rule> }) {
  const { redis, keys } = deps;
  const defaults = deps.defaults ?? {};
  const key = (tenant: string) => keys.propagation(tenant, 'rules');
  const parse = (raw: string | null | undefined): Rule | undefined => (raw ? (JSON.parse(raw) as Rule) : undefined);

  return {
    key,
    /**
     * The effective rule from the stored JSON of a channel's rule and a SKU's rules (for every
     * channel, for this one): what forChannel does, for callers that read the hash themselves.
     */
    effective(channel: string, channelRaw: string | null | undefined, skuAllRaw: string | null | undefined, skuChannelRaw: string | null | undefined): Rule {
      return mergeRules(defaults[channel], parse(channelRaw), parse(skuAllRaw), parse(skuChannelRaw));
    },
    /** The effective rule per SKU for one channel (one HMGET for the whole batch). */
    async forChannel(tenant: string, channel: string, skus: string[]): Promise<Map<string, Rule>> {
      const both = await this.forChannelWithOwn(tenant, channel, skus);
      return new Map([...both].map(([sku, r]) => [sku, r.effective]));
    },
    /** As forChannel, with each SKU's own rule for this channel alone (PUT /v1/rules/skus/:sku with a channel), if it has one. */
    async forChannelWithOwn(tenant: string, channel: string, skus: string[]): Promise<Map<string, { effective: Rule; own: Rule | undefined }>> {
      const fields = [channelField(channel), ...skus.flatMap((s) => [skuField('*', s), skuField(channel, s)])];
      const raw = await redis.hmget(key(tenant), ...fields);
      const out = new Map<string, { effective: Rule; own: Rule | undefined }>();
      skus.forEach((sku, i) => out.set(sku, { effective: this.effective(channel, raw[0], raw[1 + 2 * i], raw[2 + 2 * i]), own: parse(raw[2 + 2 * i]) }));
      return out;
    },
    async snapshot(tenant: string): Promise<RulesSnapshot> {
      const all = await redis.hgetall(key(tenant));
      const snap: RulesSnapshot = { channels: { ...defaults }, skus: {} };
      for (const [field, raw] of Object.entries(all)) {
        const rule = JSON.parse(raw) as Rule;
        if (field.startsWith('channel:')) {
          snap.channels[field.slice('channel:'.length)] = mergeRules(defaults[field.slice('channel:'.length)], rule);
        } else if (field.startsWith('sku:')) {
          const rest = field.slice('sku:'.length);
          const colon = rest.indexOf(':');
          const scope = rest.slice(0, colon);
          const sku = rest.slice(colon + 1);
          (snap.skus[sku] ??= {})[scope] = rule;
        }
      }
      return snap;
    },
    /** Replaces the channel's rule; returns the rule it now follows (its defaults filled in, as snapshot shows it). */
    async setChannel(tenant: string, channel: string, rule: Rule): Promise<Rule> {
      const stored = clean(rule);
      await redis.hset(key(tenant), channelField(channel), JSON.stringify(stored));
      return mergeRules(defaults[channel], stored);
    },
    async setSku(tenant: string, sku: string, scope: string, rule: Rule): Promise<void> {
      await redis.hset(key(tenant), skuField(scope, sku), JSON.stringify(clean(rule)));
    },
  };
}
export type RulesStore = ReturnType<typeof createRulesStore>;

function clean(rule: Rule): Rule {
  return mergeRules(rule);
}
