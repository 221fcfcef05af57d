/**
 * Sync lag per (tenant, channel), kept in Redis so any process (API or worker) computes the same
 * percentiles. Lag = ledger change time → the channel's acknowledgement.
 *
 * Storage: bucketed histograms, HDR-style (each sample rounded to 3 significant digits of µs,
 * so a percentile is off by at most 0.5 %), in one Redis hash per time slot:
 *   - 10-second slots, kept ~6 minutes: serve the 1- and 5-minute windows;
 *   - 1-minute slots, kept ~1 hour: serve the 60-minute window and the per-minute series;
 *   - 1-second slots, kept 15 minutes: a fine series and exact-range summaries (benchmarks, drills).
 * A window is the union of the slots that overlap it (the current slot included), so "1 minute"
 * covers between 50 and 60 seconds of samples. Writing is one pipelined HINCRBY per distinct
 * bucket — no read-modify-write, so concurrent workers never lose a sample.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';

export type LagWindow = '1m' | '5m' | '60m';
export interface LagStats {
  p50: number;
  p95: number;
  p99: number;
  count: number;
}
export interface LagPoint {
  t: number;
  p50: number;
  p99: number;
}

const SECOND_MS = 1_000;
const SLOT_MS = 10_000;
const MINUTE_MS = 60_000;
const SECOND_TTL_S = 15 * 60;
const SLOT_TTL_S = 6 * 60 + 20;
const MINUTE_TTL_S = 62 * 60;
/** How many slots each window spans, counting the current one. */
const WINDOWS: Record<LagWindow, { res: 's10' | 'm'; slots: number }> = {
  '1m': { res: 's10', slots: 6 },
  '5m': { res: 's10', slots: 30 },
  '60m': { res: 'm', slots: 60 },
};

/** Rounds a lag (ms) to its bucket in µs: exact below 1 ms, else 3 significant digits. */
export function bucketOf(ms: number): number {
  const us = Math.max(0, Math.round(ms * 1000));
  if (us < 1000) return us;
  const scale = 10 ** (Math.floor(Math.log10(us)) - 2);
  return Math.round(us / scale) * scale;
}

/** Nearest-rank percentiles (ms) of a bucket → count map. */
export function percentiles(hist: Map<number, number>, ps: number[]): number[] {
  const buckets = [...hist.entries()].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, c]) => s + c, 0);
  return ps.map((p) => {
    if (total === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * total));
    let seen = 0;
    for (const [us, c] of buckets) {
      seen += c;
      if (seen >= rank) return us / 1000;
    }
    return buckets[buckets.length - 1]![0] / 1000;
  });
}

function mergeInto(into: Map<number, number>, raw: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(raw)) {
    const c = Number(v);
    into.set(Number(k), (into.get(Number(k)) ?? 0) + c);
    n += c;
  }
  return n;
}

export interface LagStoreOptions {
  redis: Redis;
  keys: Keys;
  now?: () => number;
}

export function createLagStore({ redis, keys, now = Date.now }: LagStoreOptions) {
  const slotKey = (tenant: string, channel: string, res: 's1' | 's10' | 'm', slot: number) =>
    keys.propagation(tenant, `lag:${channel}:${res}:${slot}`);

  const slotsFor = (tenant: string, channel: string, w: LagWindow, at: number) => {
    const { res, slots } = WINDOWS[w];
    const cur = Math.floor(at / (res === 's10' ? SLOT_MS : MINUTE_MS));
    return Array.from({ length: slots }, (_, i) => slotKey(tenant, channel, res, cur - i));
  };

  async function readHistograms(keyLists: string[][]): Promise<Map<number, number>[]> {
    const pipe = redis.pipeline();
    for (const list of keyLists) for (const k of list) pipe.hgetall(k);
    const res = (await pipe.exec()) ?? [];
    let i = 0;
    return keyLists.map((list) => {
      const h = new Map<number, number>();
      for (let j = 0; j < list.length; j++) {
        const [err, raw] = res[i++]!;
        if (err) throw err;
        mergeInto(h, raw as Record<string, string>);
      }
      return h;
    });
  }

  return {
    /** Queues the writes for lag samples (ms) acknowledged at `at` on a pipeline (no round trip of its own). */
    recordOn(pipe: ChainableCommander, tenant: string, channel: string, samplesMs: number[], at = now()): void {
      const grouped = new Map<number, number>();
      for (const ms of samplesMs) {
        if (!Number.isFinite(ms)) continue;
        const b = bucketOf(ms);
        grouped.set(b, (grouped.get(b) ?? 0) + 1);
      }
      if (grouped.size === 0) return;
      const s1 = slotKey(tenant, channel, 's1', Math.floor(at / SECOND_MS));
      const s10 = slotKey(tenant, channel, 's10', Math.floor(at / SLOT_MS));
      const m = slotKey(tenant, channel, 'm', Math.floor(at / MINUTE_MS));
      for (const [b, c] of grouped) {
        pipe.hincrby(s1, String(b), c);
        pipe.hincrby(s10, String(b), c);
        pipe.hincrby(m, String(b), c);
      }
      pipe.expire(s1, SECOND_TTL_S);
      pipe.expire(s10, SLOT_TTL_S);
      pipe.expire(m, MINUTE_TTL_S);
    },

    /** Records lag samples (ms) acknowledged at `at` (default now). */
    async record(tenant: string, channel: string, samplesMs: number[], at = now()): Promise<void> {
      const pipe = redis.pipeline();
      this.recordOn(pipe, tenant, channel, samplesMs, at);
      if (pipe.length) await pipe.exec();
    },

    /** p50/p95/p99 (ms) and sample count over the last 1, 5 and 60 minutes. */
    async windows(tenant: string, channel: string, at = now()): Promise<Record<LagWindow, LagStats>> {
      const names: LagWindow[] = ['1m', '5m', '60m'];
      const hists = await readHistograms(names.map((w) => slotsFor(tenant, channel, w, at)));
      const out = {} as Record<LagWindow, LagStats>;
      names.forEach((w, i) => {
        const h = hists[i]!;
        const [p50, p95, p99] = percentiles(h, [0.5, 0.95, 0.99]) as [number, number, number];
        let count = 0;
        for (const c of h.values()) count += c;
        out[w] = { p50, p95, p99, count };
      });
      return out;
    },

    /** p99 (ms) and count over the last `slots` 10-second slots; what alerts watch. */
    async recent(tenant: string, channel: string, slots = 6, at = now()): Promise<{ p99: number; count: number }> {
      const cur = Math.floor(at / SLOT_MS);
      const list = Array.from({ length: slots }, (_, i) => slotKey(tenant, channel, 's10', cur - i));
      const [h] = await readHistograms([list]);
      let count = 0;
      for (const c of h!.values()) count += c;
      return { p99: percentiles(h!, [0.99])[0]!, count };
    },

    /**
     * Percentiles and max (ms) of every sample acknowledged in [fromMs, toMs], from 1-second
     * slots, so only the last 15 minutes can be asked for.
     */
    async summary(tenant: string, channel: string, fromMs: number, toMs: number) {
      const first = Math.floor(fromMs / SECOND_MS);
      const list = Array.from({ length: Math.floor(toMs / SECOND_MS) - first + 1 }, (_, i) => slotKey(tenant, channel, 's1', first + i));
      const [h] = await readHistograms([list]);
      const [p50, p95, p99, max] = percentiles(h!, [0.5, 0.95, 0.99, 1]) as [number, number, number, number];
      let count = 0;
      for (const c of h!.values()) count += c;
      return { p50, p95, p99, max, count };
    },

    /** One point per second in [fromMs, toMs] (p50, p99, max, count), for charts of a run. */
    async fineSeries(tenant: string, channel: string, fromMs: number, toMs: number) {
      const first = Math.floor(fromMs / SECOND_MS);
      const seconds = Array.from({ length: Math.floor(toMs / SECOND_MS) - first + 1 }, (_, i) => first + i);
      const hists = await readHistograms(seconds.map((sec) => [slotKey(tenant, channel, 's1', sec)]));
      return seconds.map((sec, i) => {
        const [p50, p99, max] = percentiles(hists[i]!, [0.5, 0.99, 1]) as [number, number, number];
        let count = 0;
        for (const c of hists[i]!.values()) count += c;
        return { t: sec * SECOND_MS, p50, p99, max, count };
      });
    },

    /** One point per minute for the last hour, oldest first; minutes without samples show 0. */
    async series(tenant: string, channel: string, at = now()): Promise<LagPoint[]> {
      const cur = Math.floor(at / MINUTE_MS);
      const minutes = Array.from({ length: 60 }, (_, i) => cur - 59 + i);
      const hists = await readHistograms(minutes.map((mm) => [slotKey(tenant, channel, 'm', mm)]));
      return minutes.map((mm, i) => {
        const [p50, p99] = percentiles(hists[i]!, [0.5, 0.99]) as [number, number];
        return { t: mm * MINUTE_MS, p50, p99 };
      });
    },
  };
}
export type LagStore = ReturnType<typeof createLagStore>;
