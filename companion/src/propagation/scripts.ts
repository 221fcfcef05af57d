/**
 * Loads propagation's Lua scripts (lua/<verb>-<numkeys>.lua) onto a Redis connection and gives
 * them typed wrappers. ioredis' defineCommand runs EVALSHA and falls back to EVAL, so a Redis
 * restart (script cache flushed) needs nothing from us.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const here = dirname(fileURLToPath(import.meta.url));
const NAMES = ['claim-4', 'read-n', 'release-4', 'reap-3', 'record-1', 'take-1', 'mark-1'] as const;
type ScriptName = (typeof NAMES)[number];

type Command = (...args: (string | number)[]) => Promise<unknown>;

export interface SyncScripts {
  claim(keys: [string, string, string, string], token: string, now: number, leaseMs: number, limit: number, preferred: string): Promise<{ claimed: { sku: string; since: number }[]; more: boolean }>;
  /** read-n.lua: flat rows of values per SKU after the channel's own rule (see the script). */
  read(keys: [acked: string, own: string, rules: string], skuKeys: string[], channel: string, skus: string[]): Promise<(string | null)[]>;
  release(keys: [string, string, string, string], token: string, items: { sku: string; action: 'done' | 'retry' | 'hold'; until?: number }[]): Promise<string[]>;
  reap(keys: [string, string, string], now: number, max: number): Promise<string[]>;
  record(key: string, now: number, items: { sku: string; quantity: number; version: number; mode: 'ack' | 'stale' | 'reread' }[]): Promise<boolean[]>;
  mark(key: string, since: Map<string, number>): Promise<string[]>;
  take(key: string, rate: number, burst: number, cost: number, throttledForMs?: number): Promise<number>;
}

const loaded = new WeakSet<Redis>();

export function loadSyncScripts(redis: Redis): SyncScripts {
  if (!loaded.has(redis)) {
    for (const name of NAMES) {
      const lua = readFileSync(join(here, 'lua', `${name}.lua`), 'utf8');
      // '-n': the caller passes the key count (read-n.lua takes one key per SKU).
      const keyCount = name.split('-')[1];
      redis.defineCommand(`sync_${name.replace('-', '_')}`, keyCount === 'n' ? { lua } : { numberOfKeys: Number(keyCount), lua });
    }
    loaded.add(redis);
  }
  const cmd = (name: ScriptName): Command => {
    const fn = (redis as unknown as Record<string, Command>)[`sync_${name.replace('-', '_')}`];
    if (!fn) throw new Error(`script ${name} not loaded`);
    return fn.bind(redis);
  };
  return {
    async claim(keys, token, now, leaseMs, limit, preferred) {
      const flat = (await cmd('claim-4')(...keys, token, now, leaseMs, limit, preferred)) as (string | number)[];
      const claimed: { sku: string; since: number }[] = [];
      for (let i = 1; i < flat.length; i += 2) claimed.push({ sku: String(flat[i]), since: Number(flat[i + 1]) });
      return { claimed, more: Number(flat[0]) === 1 };
    },
    async read(keys, skuKeys, channel, skus) {
      return (await cmd('read-n')(3 + skuKeys.length, ...keys, ...skuKeys, channel, ...skus)) as (string | null)[];
    },
    async release(keys, token, items) {
      if (!items.length) return [];
      const args = items.flatMap((i) => [i.sku, i.action, i.until === undefined ? '' : String(i.until)]);
      return (await cmd('release-4')(...keys, token, ...args)) as string[];
    },
    async reap(keys, now, max) {
      return (await cmd('reap-3')(...keys, now, max)) as string[];
    },
    async record(key, now, items) {
      if (!items.length) return [];
      const args = items.flatMap((i) => [i.sku, i.quantity, i.version, i.mode]);
      const res = (await cmd('record-1')(key, now, ...args)) as number[];
      return res.map((r) => r === 1);
    },
    async mark(key, since) {
      const out: string[] = [];
      const args: (string | number)[] = [];
      for (const [sku, at] of since) args.push(at, sku);
      for (let i = 0; i < args.length; i += 1000) out.push(...((await cmd('mark-1')(key, ...args.slice(i, i + 1000))) as string[]));
      return out;
    },
    async take(key, rate, burst, cost, throttledForMs) {
      const signal = throttledForMs === undefined ? ['', 0] : ['throttled', throttledForMs];
      return Number(await cmd('take-1')(key, rate, burst, cost, ...signal));
    },
  };
}
