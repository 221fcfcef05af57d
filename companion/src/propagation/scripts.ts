/**
 * Loads propagation's Lua scripts (lua/<verb>-<numkeys>.lua, with lua/includes/ pasted in) onto a
 * Redis connection and gives them typed wrappers. ioredis' defineCommand runs EVALSHA and falls
 * back to EVAL, so a Redis restart (script cache flushed) needs nothing from us.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { pasteIncludes } from '../lua-includes';

const here = dirname(fileURLToPath(import.meta.url));
const NAMES = ['claim-10', 'settle-6', 'release-4', 'reap-3', 'renew-3', 'record-1', 'take-1', 'mark-2', 'pace-1'] as const;
type ScriptName = (typeof NAMES)[number];

type Command = (...args: (string | number)[]) => Promise<unknown>;

export interface SyncScripts {
  /** claim-10.lua: unless the bucket is empty, a lease on up to `limit` dirty SKUs and their rows (see the script). */
  claim(keys: ClaimKeys, o: ClaimArgs): Promise<Claim>;
  /** settle-6.lua: record, spend own sales and release, per SKU of an answered push. */
  settle(keys: SettleKeys, token: string, now: number, items: SettleItem[]): Promise<string[]>;
  release(keys: [string, string, string, string], token: string, items: { sku: string; action: 'done' | 'retry' | 'hold'; until?: number }[]): Promise<string[]>;
  reap(keys: [string, string, string], now: number, max: number): Promise<string[]>;
  /** renew-3.lua: a running job's heartbeat; its leases expire at `until` at the earliest. */
  renew(keys: [leases: string, owners: string, claims: string], token: string, until: number): Promise<number>;
  record(key: string, now: number, items: { sku: string; quantity: number; version: number; mode: 'ack' | 'stale' | 'reread' }[]): Promise<boolean[]>;
  /**
   * `ownSale`: SKUs whose only changes here are this channel's own sales, with the earliest
   * sale's time (mark-2.lua defers those made after the last acknowledged push landed).
   * `background`: every SKU (true) or these SKUs are bulk work, pushed after real changes
   * (lua/includes/deferred.lua).
   */
  mark(keys: { dirty: string; acked: string }, since: Map<string, number>, ownSale?: Map<string, number>, background?: boolean | ReadonlySet<string>): Promise<string[]>;
  take(key: string, rate: number, burst: number, cost: number, throttledForMs?: number): Promise<number>;
  /** pace-1.lua: counts sales (time, sku, the channel that sold it or '') into the SKUs' pace. */
  pace(key: string, paceMs: number, sales: { at: number; sku: string; channel: string }[]): Promise<number>;
}

/** claim-10.lua's keys, in its order. */
export interface ClaimKeys {
  dirty: string;
  leases: string;
  owners: string;
  claims: string;
  acked: string;
  own: string;
  rules: string;
  bucket: string;
  pace: string;
  /** The tenant's dead letters (dead-letters.ts deadLettersKey). */
  dead: string;
}

export interface ClaimArgs {
  token: string;
  now: number;
  leaseMs: number;
  limit: number;
  /** The job's own SKU, claimed first when dirty ('' for none). */
  preferred: string;
  channel: string;
  /** The ledger's SKU key prefix: keys.sku(tenant, ''). */
  skuPrefix: string;
  rate: { requestsPerSecond: number; burst: number };
  /** Filling a batch already claimed (its token is that claim's): the bucket is not looked at. */
  topUp?: boolean;
}

/** Values claim-10.lua returns per SKU after its sku and since (includes/read-rows.lua). */
export const CLAIM_ROW = 13;

export type Claim =
  | { waitMs: number }
  | { waitMs: 0; more: boolean; prepaid: boolean; tight: boolean; channelRule: string | null; claimed: { sku: string; since: number; row: (string | null)[] }[] };

/** settle-6.lua's keys: the lease keys (as release-4's), then acked and own. */
export type SettleKeys = [dirty: string, leases: string, owners: string, claims: string, acked: string, own: string];

export interface SettleItem {
  sku: string;
  action: 'done' | 'retry';
  /** What to record of the channel's answer (none: a failed item). */
  record?: { mode: 'ack' | 'accepted' | 'stale' | 'reread'; quantity: number; version: number };
  /** The channel's own-sales count: spend some ('incr' by a negative number), reset, or clear. */
  own?: { op: 'incr' | 'set'; value: number } | { op: 'del' };
}

const loaded = new WeakSet<Redis>();
const includes = (name: string) => readFileSync(join(here, 'lua', 'includes', `${name}.lua`), 'utf8');

export function loadSyncScripts(redis: Redis): SyncScripts {
  if (!loaded.has(redis)) {
    for (const name of NAMES) {
      const lua = pasteIncludes(readFileSync(join(here, 'lua', `${name}.lua`), 'utf8'), includes);
      redis.defineCommand(`sync_${name.replace('-', '_')}`, { numberOfKeys: Number(name.split('-')[1]), lua });
    }
    loaded.add(redis);
  }
  const cmd = (name: ScriptName): Command => {
    const fn = (redis as unknown as Record<string, Command>)[`sync_${name.replace('-', '_')}`];
    if (!fn) throw new Error(`script ${name} not loaded`);
    return fn.bind(redis);
  };
  return {
    async claim(k, o) {
      const flat = (await cmd('claim-10')(
        k.dirty, k.leases, k.owners, k.claims, k.acked, k.own, k.rules, k.bucket, k.pace, k.dead,
        o.token, o.now, o.leaseMs, o.limit, o.preferred, o.channel, o.skuPrefix, o.rate.requestsPerSecond, o.rate.burst, o.topUp ? '1' : '',
      )) as (string | number | null)[];
      const waitMs = Number(flat[0]);
      if (waitMs > 0) return { waitMs };
      const claimed: { sku: string; since: number; row: (string | null)[] }[] = [];
      for (let i = 4; i < flat.length; i += 2 + CLAIM_ROW) {
        claimed.push({ sku: String(flat[i]), since: Number(flat[i + 1]), row: flat.slice(i + 2, i + 2 + CLAIM_ROW) as (string | null)[] });
      }
      return { waitMs: 0, more: Number(flat[1]) === 1, prepaid: Number(flat[2]) >= 1, tight: Number(flat[2]) === 2, channelRule: (flat[3] as string | null) ?? null, claimed };
    },
    async settle(keys, token, now, items) {
      if (!items.length) return [];
      const args: (string | number)[] = [];
      for (const i of items) {
        args.push(i.sku, i.action, i.record?.mode ?? '', i.record?.quantity ?? '', i.record?.version ?? '', i.own?.op ?? '', i.own && 'value' in i.own ? i.own.value : '');
      }
      return (await cmd('settle-6')(...keys, token, now, ...args)) as string[];
    },
    async release(keys, token, items) {
      if (!items.length) return [];
      const args = items.flatMap((i) => [i.sku, i.action, i.until === undefined ? '' : String(i.until)]);
      return (await cmd('release-4')(...keys, token, ...args)) as string[];
    },
    async reap(keys, now, max) {
      return (await cmd('reap-3')(...keys, now, max)) as string[];
    },
    async renew(keys, token, until) {
      return (await cmd('renew-3')(...keys, token, until)) as number;
    },
    async record(key, now, items) {
      if (!items.length) return [];
      const args = items.flatMap((i) => [i.sku, i.quantity, i.version, i.mode]);
      const res = (await cmd('record-1')(key, now, ...args)) as number[];
      return res.map((r) => r === 1);
    },
    async mark(keys, since, ownSale, background = false) {
      const out: string[] = [];
      const args: (string | number)[] = [];
      const bg = (sku: string) => (background === true || (background !== false && background.has(sku)));
      for (const [sku, at] of since) args.push(at, sku, bg(sku) ? 'bg' : (ownSale?.get(sku) ?? ''));
      for (let i = 0; i < args.length; i += 999) out.push(...((await cmd('mark-2')(keys.dirty, keys.acked, ...args.slice(i, i + 999))) as string[]));
      return out;
    },
    async pace(key, paceMs, sales) {
      let n = 0;
      for (let i = 0; i < sales.length; i += 333) {
        const args = sales.slice(i, i + 333).flatMap((s) => [s.at, s.sku, s.channel]);
        n += Number(await cmd('pace-1')(key, paceMs, ...args));
      }
      return n;
    },
    async take(key, rate, burst, cost, throttledForMs) {
      const signal = throttledForMs === undefined ? ['', 0] : ['throttled', throttledForMs];
      return Number(await cmd('take-1')(key, rate, burst, cost, ...signal));
    },
  };
}
