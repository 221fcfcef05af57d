/**
 * What propagation's parts share: marking (channel, sku) dirty and enqueuing its job, rules,
 * dead letters, and the read-outs the HTTP routes serve. Built once per process from its
 * dependencies; workers, the change-feed consumer and the routes all use it.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelAdapter } from '../channels/port';
import type { Keys } from '../ledger/keys';
import { toState } from '../ledger/reads';
import type { Ledger } from '../ledger/types';
import type { StockState } from '../schemas/stock';
import { createDeadLetters, deadLettersKey, letterState, type LetterState } from './dead-letters';
import { enqueueSync, type SyncJobData } from './queues';
import { NO_PACE, paceField, paceOf, shownWithLeadTime, type Pace } from './lead-time';
import { createRulesStore, mergeRules, showsRight, type Rule } from './rules';
import { loadSyncScripts } from './scripts';
import type { RateLimit, SyncSettings } from './settings';
import { paceKey, syncKeys, type Acked } from './sync-keys';
import type { PushHooks } from './worker-hooks';

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

export interface SyncCoreDeps {
  redis: Redis;
  keys: Keys;
  ledger: Ledger;
  adapters: ChannelAdapter[];
  queues: Map<string, Queue<SyncJobData>>;
  settings: SyncSettings;
  logger: Logger;
  hooks: PushHooks;
  /** Tenants known from configuration (the ledger adds the others to keys.tenants()). */
  configuredTenants: string[];
  rateOverrides?: Record<string, { requestsPerSecond?: number; burst?: number }>;
  defaultRules?: Record<string, Rule>;
}

export function createSyncCore(deps: SyncCoreDeps) {
  const { redis, keys, ledger, adapters, queues, settings } = deps;
  const scripts = loadSyncScripts(redis);
  // A channel that shows pushes late has that lead time by default (lead-time.ts).
  const defaults: Record<string, Rule> = { ...deps.defaultRules };
  for (const a of adapters) if (a.limits.appliesAfterMs) defaults[a.id] = mergeRules({ leadTimeMs: a.limits.appliesAfterMs }, defaults[a.id]);
  const rules = createRulesStore({ redis, keys, defaults });
  const dead = createDeadLetters({ redis, keys });
  const channelIds = adapters.map((a) => a.id);

  const enqueue = async (tenant: string, channel: string, skus: Iterable<string>, delayMs = settings.coalesceMs) => {
    const q = queues.get(channel);
    if (!q) throw new Error(`no queue for channel ${channel}`);
    await enqueueSync(q, tenant, skus, delayMs, settings.slots);
  };

  /**
   * Marks SKUs dirty (keeping the earliest unsynced change time) and enqueues a job for each SKU
   * that was not dirty yet; `force` enqueues all (a person's retry, a resync). `ownSales`: per
   * SKU whose only changes are one channel's own sales, that channel and the earliest sale's
   * time (null for the others): for that channel they may be confirmations (lua/includes/deferred.lua).
   */
  const markDirty = async (
    tenant: string,
    since: Map<string, number>,
    channels: string[] = channelIds,
    force = false,
    ownSales?: Map<string, { channel: string; soldAt: number } | null>,
    /**
     * Bulk work (retry-all, a channel-wide rule, a catalogue import): pushed after every real
     * change (includes/deferred.lua); true for every SKU, or the set of SKUs that are.
     */
    background: boolean | ReadonlySet<string> = false,
  ) => {
    if (!since.size) return;
    const soldOn = new Map<string, Map<string, number>>();
    for (const [sku, o] of ownSales ?? []) if (o) (soldOn.get(o.channel) ?? soldOn.set(o.channel, new Map()).get(o.channel)!).set(sku, o.soldAt);
    await Promise.all(
      channels.map(async (ch) => {
        const k = syncKeys(keys, tenant, ch);
        const fresh = await scripts.mark({ dirty: k.dirty, acked: k.acked }, since, soldOn.get(ch), background);
        await enqueue(tenant, ch, force ? since.keys() : fresh);
      }),
    );
  };

  /**
   * Tenants known from configuration and from the ledger, read at most once a second: the
   * change-feed consumer asks before every read of the feed, the workers' slot fitting and the
   * routes now and then; a tenant's first event is picked up within that second.
   */
  let tenantList: { at: number; list: Promise<string[]> } | undefined;
  const tenants = (): Promise<string[]> => {
    if (!tenantList || Date.now() - tenantList.at >= 1000) {
      const list = redis.smembers(keys.tenants()).then((known) => [...new Set([...deps.configuredTenants, ...known])].sort());
      // A failed read is not kept: the next caller reads again.
      list.catch(() => {
        if (tenantList?.list === list) tenantList = undefined;
      });
      tenantList = { at: Date.now(), list };
    }
    return tenantList.list;
  };

  /** Every SKU of the tenant, from the ledger's index (paged). */
  const allSkus = async (tenant: string): Promise<string[]> => {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ledger.listStock(tenant, { cursor, limit: 500 });
      out.push(...page.items.map((s) => s.sku));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  };

  /**
   * Our bucket for a channel: its published (or configured) rate, kept a little under it —
   * 3 % of the rate, and 150 ms worth of tokens off the burst — because a call is counted here
   * before it travels and there when it arrives: jitter between the two would otherwise turn a
   * bucket exactly as large as theirs into the odd 429.
   */
  const rateFor = (adapter: ChannelAdapter): RateLimit => {
    const o = deps.rateOverrides?.[adapter.id] ?? {};
    const rps = o.requestsPerSecond ?? adapter.limits.requestsPerSecond;
    const burst = o.burst ?? adapter.limits.burst;
    return { requestsPerSecond: rps * 0.97, burst: Math.max(1, burst - Math.max(1, Math.ceil(rps * 0.15))) };
  };

  return {
    deps,
    scripts,
    rules,
    dead,
    channelIds,
    adapters,
    enqueue,
    markDirty,
    tenants,
    allSkus,
    rateFor,
    /** Counts orders into their SKUs' pace of sales (pace-1.lua; read for lead-time holds). */
    async countSales(tenant: string, sales: { at: number; sku: string; channel: string }[]) {
      if (sales.length) await scripts.pace(paceKey(keys, tenant), settings.paceMs, sales);
    },
    /** After a rule change: every affected SKU must be pushed again. */
    async resync(tenant: string, opts: { channel?: string; skus?: string[] } = {}) {
      const skus = opts.skus ?? (await allSkus(tenant));
      const now = Date.now();
      // A channel-wide rule touches every SKU: background, so sales keep their turn.
      await markDirty(tenant, new Map(skus.map((s) => [s, now])), opts.channel ? [opts.channel] : channelIds, true, undefined, skus.length > 1);
      return skus.length;
    },
    /**
     * Returns SKUs whose lease expired (their job died) to the dirty set and enqueues them; and,
     * as a safety net, enqueues SKUs dirty for longer than `stuckMs` (deduplicated, so cheap).
     */
    async reap(tenant: string, stuckMs = 30_000): Promise<number> {
      let n = 0;
      const now = Date.now();
      for (const ch of channelIds) {
        const k = syncKeys(keys, tenant, ch);
        const skus = await scripts.reap([k.dirty, k.leases, k.owners], now, 1000);
        const stuck = await redis.zrangebyscore(k.dirty, '-inf', now - stuckMs, 'LIMIT', 0, 1000);
        if (skus.length || stuck.length) await enqueue(tenant, ch, [...skus, ...stuck], 0);
        n += skus.length;
      }
      return n;
    },
    /**
     * Work outstanding for a channel: SKUs dirty or being pushed (over every tenant when none is
     * given). A truer "queue depth" than BullMQ's job counts, which are at most `slots` per tenant.
     */
    async pending(channel: string, tenant?: string): Promise<number> {
      const ts = tenant ? [tenant] : await tenants();
      const pipe = redis.pipeline();
      for (const t of ts) {
        const k = syncKeys(keys, t, channel);
        pipe.zcard(k.dirty).zcard(k.leases);
      }
      const res = (await pipe.exec()) ?? [];
      return res.reduce((n, [, v]) => n + Number(v ?? 0), 0);
    },
    /**
     * How long the SKU first in line for the channel has waited past its turn (ms; null when none
     * waits or only background work does): the dirty set's lowest score is its due time, a
     * change's own time, or for a likely confirmation that time + 30 s (lua/includes/deferred.lua).
     */
    async oldestWaiting(channel: string, tenant: string, now = Date.now()): Promise<number | null> {
      const [, score] = await redis.zrange(syncKeys(keys, tenant, channel).dirty, '0', '0', 'WITHSCORES');
      if (score === undefined) return null;
      const s = Number(score);
      const frac = Math.round((s % 1) * 100) / 100;
      if (frac === 0.25) return null; // background work waits behind real changes by design
      return Math.max(0, now - Math.floor(s));
    },
    async acked(tenant: string, channel: string, skus: string[]): Promise<Map<string, Acked>> {
      const out = new Map<string, Acked>();
      if (!skus.length) return out;
      const raw = await redis.hmget(syncKeys(keys, tenant, channel).acked, ...skus);
      skus.forEach((s, i) => raw[i] && out.set(s, JSON.parse(raw[i]!) as Acked));
      return out;
    },
    /**
     * Starts a push job (claim-10.lua, one call): a look at our rate limit for the channel, a
     * lease on up to `limit` dirty SKUs (the job's own first), and per SKU what the push needs —
     * the ledger's state, the channel's effective rule, what the channel last acknowledged, and
     * the units it sold itself since (syncKeys.own) — all from the moment of the lease.
     * `waitMs` > 0: the bucket is empty and nothing was leased. `fill`: more SKUs for a batch
     * this job already claimed (the bucket is not looked at; its token is that claim's).
     */
    async claim(tenant: string, adapter: ChannelAdapter, token: string, preferred: string, fill?: { limit: number }): Promise<ClaimedBatch> {
      const channel = adapter.id;
      const k = syncKeys(keys, tenant, channel);
      const limit = fill?.limit ?? adapter.pushSize?.() ?? adapter.limits.batchSize;
      const now = Date.now();
      const res = await scripts.claim(
        { dirty: k.dirty, leases: k.leases, owners: k.owners, claims: k.claims(token), acked: k.acked, own: k.own, rules: rules.key(tenant), bucket: k.bucket, pace: paceKey(keys, tenant), dead: deadLettersKey(keys, tenant) },
        { token, now, leaseMs: settings.leaseMs, limit, preferred, channel, skuPrefix: keys.sku(tenant, ''), rate: rateFor(adapter), topUp: !!fill },
      );
      if (!('claimed' in res)) return { waitMs: res.waitMs, more: false, tight: false, limit, claimed: [] };
      return {
        waitMs: 0,
        limit,
        more: res.more,
        tight: res.tight,
        claimed: res.claimed.map(({ sku, since, row }) => {
          const own = Number(row[7]);
          return {
            sku,
            since,
            state: toState(sku, row.slice(0, 6)),
            rule: rules.effective(channel, res.channelRule, row[8] ?? null, row[9] ?? null),
            acked: row[6] ? (JSON.parse(row[6]) as Acked) : undefined,
            own: row[7] && Number.isFinite(own) ? own : 0,
            pace: paceOf(row[10], row[11], now, settings.paceMs),
            letter: letterState(row[12]),
          };
        }),
      };
    },
    /** Each SKU's pace of sales now, in all and on one channel (lead-time.ts). */
    async paces(tenant: string, channel: string, skus: string[]): Promise<Map<string, Pace>> {
      if (!skus.length) return new Map();
      const raw = await redis.hmget(paceKey(keys, tenant), ...skus.flatMap((s) => [s, paceField(s, channel)]));
      const now = Date.now();
      return new Map(skus.map((s, i) => [s, paceOf(raw[2 * i], raw[2 * i + 1], now, settings.paceMs)]));
    },
    /**
     * GET /v1/sync: what each channel was last told versus what it should show now, with what
     * its lead time holds back now (as a push would work it out). `channels`: only these (the drift
     * sweep reads one channel at a time).
     */
    async syncStatus(tenant: string, skus: string[], channels: readonly string[] = channelIds) {
      const states = await ledger.getStockMany(tenant, skus);
      const perChannel = await Promise.all(
        channels.map(async (ch) => {
          const [acked, r, paces] = await Promise.all([this.acked(tenant, ch, skus), rules.forChannelWithOwn(tenant, ch, skus), this.paces(tenant, ch, skus)]);
          return { ch, acked, rules: r, paces };
        }),
      );
      return skus.map((sku, i) => {
        const channels: Record<string, { shown: number | null; expected: number; held: number; at: string | null; matches: boolean; skuRule?: Rule }> = {};
        for (const { ch, acked, rules: r, paces } of perChannel) {
          const a = acked.get(sku);
          const rule = r.get(sku);
          const { quantity: expected, held } = shownWithLeadTime(states[i] ?? null, rule?.effective ?? {}, paces.get(sku) ?? NO_PACE);
          const matches = showsRight(a?.q, expected);
          channels[ch] = { shown: a ? a.q : null, expected, held, at: a ? new Date(a.at).toISOString() : null, matches, ...(rule?.own && { skuRule: rule.own }) };
        }
        return { sku, channels };
      });
    },
  };
}
export type SyncCore = ReturnType<typeof createSyncCore>;

/** A claimed SKU and what its push needs to know. */
export interface SkuSnapshot {
  sku: string;
  /** Earliest ledger change not yet on the channel (ms): lag counts from here. */
  since: number;
  state: StockState | null;
  rule: Rule;
  acked: Acked | undefined;
  own: number;
  /** Its sales per second now, on all channels and on this one (lead-time.ts). */
  pace: Pace;
  /** The channel's dead letter for it, if any, at the moment of the claim. */
  letter: LetterState | undefined;
}

export interface ClaimedBatch {
  /** > 0: our rate limit's bucket is empty for this long; nothing was claimed. */
  waitMs: number;
  /** A full batch with dirty SKUs left (the caller queues a follow-up). */
  more: boolean;
  /**
   * A claim that leased anything took the push's token (given back if nothing is pushed); tight:
   * that token was the bucket's last, so the channel is at our rate limit.
   */
  tight: boolean;
  /** How many SKUs the claim could lease (the channel's push size). */
  limit: number;
  claimed: SkuSnapshot[];
}
