/**
 * The drift sweep: a slow, steady read of what each channel really shows, SKU by SKU through the
 * catalogue, so a channel whose numbers changed behind Stockline's back is put right without
 * waiting for the SKU's next change. Pushes only know what the channel acknowledged; a count
 * typed on the channel, a listing re-created, a sandbox or a channel that lost its state, kept
 * the wrong number on sale indefinitely (a chaos run: Amazon at 999 for 30 minutes against a
 * ledger of 111-129, while GET /v1/sync said "matches").
 *
 * Every `everyMs`, per tenant and channel, one process (a Redis lock) reads the next
 * perMinute × everyMs / 60 s SKUs after a cursor kept in Redis, wrapping at the end. A SKU the
 * channel shows more of than it should is pushed again at once (its number taken as what it
 * shows: 'reread'). Less may be a sale whose order has not reached us yet: it is recorded as the
 * channel's number ('stale'), which makes a push wait for the order (worker.ts); found still so
 * after unreportedSaleWaitMs, on a later pass, it is pushed over. SKUs pushed within settleMs, or
 * accepted and not yet applied (Amazon), are left to their push and its read-back.
 */
import { ChannelError, type ChannelAdapter } from '../channels/port';
import type { SyncCore } from './core';
import { enqueueVerify } from './queues';
import { showsRight } from './rules';
import { forgetShown, syncKeys } from './sync-keys';
import { pushAgainOver } from './verify';

export interface DriftSweepSettings {
  /** SKUs read per channel per minute; 0 turns the sweep off (STOCKLINE_DRIFT_CHECK_PER_MINUTE). */
  perMinute: number;
  everyMs: number;
  /** A SKU acknowledged more recently than this is left alone (its push may still be landing). */
  settleMs: number;
}

export interface DriftRound {
  channel: string;
  read: number;
  pushedAgain: string[];
  waiting: string[];
  /** Not listed there any more: what Stockline believed it shows is forgotten. */
  notListed: string[];
}

export function startDriftSweep(core: SyncCore, s: DriftSweepSettings): { stop(): void; round(): Promise<DriftRound[]> } {
  const { redis, keys, ledger, logger, settings } = core.deps;
  const batch = Math.max(1, Math.round((s.perMinute * s.everyMs) / 60_000));
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;

  async function sweep(tenant: string, adapter: ChannelAdapter): Promise<DriftRound | null> {
    const channel = adapter.id;
    const lock = keys.propagation(tenant, `drift:lock:${channel}`);
    // One pass per (tenant, channel) and everyMs across all processes: the lock is not released, it
    // lapses (a chaos run's two workers each ran their own pass, twice the rate asked for).
    if ((await redis.set(lock, token, 'PX', s.everyMs, 'NX')) !== 'OK') return null;
    const cursorKey = keys.propagation(tenant, `drift:cursor:${channel}`);
    const cursor = (await redis.get(cursorKey)) ?? '';
    const page = await ledger.listStock(tenant, { cursor: cursor || undefined, limit: batch });
    const now = Date.now();
    const k = syncKeys(keys, tenant, channel);
    const listed = page.items.map((i) => i.sku);
    const [acked, pending] = await Promise.all([core.acked(tenant, channel, listed), listed.length ? pendingPush(k, listed) : new Set<string>()]);
    // Only SKUs with no push pending (a restock not landed yet reads low, and is no sale: a chaos run
    // held 200 of them back 10 min) whose last push the channel took a while ago: applied, or
    // accepted for later (Amazon) long enough ago to have been applied (it was never read before).
    const skus = listed.filter((sku) => {
      const a = acked.get(sku);
      if (!a || pending.has(sku)) return false;
      return now - a.at > (a.l === 1 || a.sv !== undefined ? s.settleMs : s.settleMs * 5);
    });
    let shown: Map<string, number | null>;
    let status: Awaited<ReturnType<SyncCore['syncStatus']>>;
    try {
      [status, shown] = skus.length ? await Promise.all([core.syncStatus(tenant, skus, [channel]), adapter.read(skus)]) : [[], new Map()];
    } catch (err) {
      // Throttled or unreachable: this batch is read again on the next pass (the cursor stays).
      logger.info({ tenant, channel, err: err instanceof Error ? err.message : String(err) }, 'drift sweep could not read the channel; trying the same SKUs next pass');
      return null;
    }
    await redis.set(cursorKey, page.nextCursor ?? ''); // the end wraps to the start
    if (!skus.length) return { channel, read: 0, pushedAgain: [], waiting: [], notListed: [] };
    try {
      const pushedAgain = new Map<string, number>();
      const waiting: { sku: string; quantity: number; version: number }[] = [];
      const gone: string[] = [];
      for (const [i, sku] of skus.entries()) {
        const showing = shown.get(sku);
        const expected = status[i]?.channels[channel]?.expected;
        if (showing === null) {
          // No listing there any more: Stockline's record of a number it shows is not true. Forgotten,
          // the page says "not listed" and the next push sets the count (a missing listing then is a letter).
          gone.push(sku);
          continue;
        }
        if (showing === undefined || expected === undefined) continue;
        if (showsRight(showing, expected)) continue;
        const a = acked.get(sku)!;
        // Already waiting for a sale report at this number: pushed over once the wait is out.
        const alreadyWaiting = a.sv !== undefined && a.q === showing;
        if (alreadyWaiting && now - a.at <= settings.unreportedSaleWaitMs) continue;
        if (showing > expected || alreadyWaiting) {
          pushedAgain.set(sku, showing);
        } else {
          // The version last pushed, not the ledger's now: a later change is pushed as usual (worker.ts consider()).
          waiting.push({ sku, quantity: showing, version: a.v });
        }
      }
      if (pushedAgain.size) {
        // Not background work: a channel showing more than it should oversells (a few SKUs a pass).
        await pushAgainOver(core, tenant, channel, pushedAgain);
        logger.warn({ tenant, channel, skus: [...pushedAgain.keys()] }, 'channel shows other numbers than Stockline set there; pushing again');
      }
      if (waiting.length) {
        await core.scripts.record(k.acked, now, waiting.map((w) => ({ ...w, mode: 'stale' as const })));
        // Looked at again once the wait for a sale report is out, not a whole pass later (a trial:
        // ~68 min on 4,000 SKUs): still showing that number, it is pushed over (worker.ts consider()).
        const queue = core.deps.queues.get(channel);
        if (queue) await enqueueVerify(queue, tenant, 'recheck', new Map(waiting.map((w) => [w.sku, w.quantity])), settings.unreportedSaleWaitMs + 1_000);
      }
      if (gone.length) await forgetShown(redis, keys, tenant, channel, gone);
      return { channel, read: skus.length, pushedAgain: [...pushedAgain.keys()], waiting: waiting.map((w) => w.sku), notListed: gone };
    } catch (err) {
      if (!(err instanceof ChannelError)) logger.warn({ err, tenant, channel }, 'drift sweep failed');
      return null;
    }
  }

  /** SKUs dirty or leased for the channel: a push of theirs is on its way. */
  async function pendingPush(k: ReturnType<typeof syncKeys>, skus: string[]): Promise<Set<string>> {
    const [dirty, leased] = await Promise.all([redis.zmscore(k.dirty, ...skus), redis.zmscore(k.leases, ...skus)]);
    return new Set(skus.filter((_, i) => dirty[i] !== null || leased[i] !== null));
  }

  async function round(): Promise<DriftRound[]> {
    const out: DriftRound[] = [];
    for (const tenant of await core.tenants()) {
      for (const adapter of core.adapters) {
        const r = await sweep(tenant, adapter);
        if (r) out.push(r);
      }
    }
    return out;
  }

  const timer = s.perMinute > 0 ? setInterval(() => void round().catch((err: unknown) => logger.warn({ err }, 'drift sweep failed')), s.everyMs) : undefined;
  timer?.unref();
  return {
    stop: () => clearInterval(timer),
    round,
  };
}
