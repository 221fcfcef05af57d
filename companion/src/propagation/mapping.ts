/**
 * SKU → channel listing check: resolves every ledger SKU on every channel afresh (adapter.resolve
 * with `fresh`: the channel is asked, not the adapters' id caches, which it refreshes) and keeps
 * the answer per channel — how many are listed and which are not —
 * so a person sees unmapped SKUs before they turn into not_found dead letters. A SKU such a letter
 * parked (not pushed while the channel has no listing) that the check finds listed is retried.
 *
 * The check runs in the background. A large catalogue on a slow channel (Amazon reads at 5/s:
 * 1,000 SKUs take over three minutes) outlasts any request, and the plugin's proxy gives up after
 * 10 s, so the request that starts a check waits for it only a few seconds: a small catalogue
 * gets its answer at once (200), a large one gets 202 and the progress, which GET keeps showing
 * (`running`: checks done of total) until the report replaces it, or `failed` says which channel
 * stopped it. One check per tenant runs at a time across every companion process (a Redis lock
 * renewed as the check moves; a process that dies mid-check lets it go when the lock expires).
 */
import { randomUUID } from 'node:crypto';
import { ChannelError } from '../channels/port';
import type { ChannelAdapter, ListingRef } from '../channels/port';
import { ChannelUnavailableError } from '../errors';
import type { SyncCore } from './core';
import { deadLetterId } from './dead-letters';

export interface MappingProgress {
  startedAt: string;
  /** SKU × channel lookups done, of `total` (every ledger SKU on every channel). */
  checked: number;
  total: number;
}

export interface MappingFailure {
  /** The channel that failed; null when the check stopped on an error of ours (see the log). */
  channel: string | null;
  message: string;
  at: string;
}

export interface MappingReport {
  channels: Record<string, { listed: number; notListed: string[] }>;
  checkedAt: string | null;
  /** A check under way; absent when none runs. */
  running?: MappingProgress;
  /** Why the last check stopped, until a check succeeds; absent when it did not fail. */
  failed?: MappingFailure;
}

/** SKUs per lookup call: the unit of progress (Amazon: 10 s at 5 reads/s; one call elsewhere). */
const RESOLVE_CHUNK = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome = { report: MappingReport } | { error: unknown };

/**
 * A check's stop flags: `stopped` when one channel fails it or this process shuts down; `closed`
 * for the shutdown, which has already recorded why and let the lock go (a check that then wrote
 * or deleted either could undo a check another process has started since).
 */
interface StopFlag {
  stopped: boolean;
  closed: boolean;
}
type Run = StopFlag & { outcome: Promise<Outcome> };

const INTERRUPTED = 'the companion stopped during the check; check again';

async function resolvePatiently(adapter: ChannelAdapter, skus: string[], patienceMs: number, stillAlive: () => Promise<void>): Promise<Map<string, ListingRef | null>> {
  const deadline = Date.now() + patienceMs;
  for (let attempt = 0; ; attempt++) {
    try {
      // Fresh: the check reports what the channel lists now, not what the adapters cached.
      // Background: a channel's budget goes to pushes first (a trial: Shopify's pushes waited 65-80 s behind the check).
      return await adapter.resolve(skus, { fresh: true, background: true });
    } catch (err) {
      const wait = err instanceof ChannelError && err.retryable ? (err.retryAfterMs ?? Math.min(200 * 2 ** attempt, 2_000)) : null;
      if (wait === null || Date.now() + wait > deadline) {
        const why = err instanceof Error ? err.message : String(err);
        throw new ChannelUnavailableError(adapter.id, `the listings check failed: ${why}`);
      }
      await stillAlive();
      await sleep(wait);
    }
  }
}

export function createMapping(core: SyncCore) {
  const { redis, keys } = core.deps;
  const opts = core.deps.settings.mapping;
  const key = (tenant: string) => keys.propagation(tenant, 'mapping');
  const lockKey = (tenant: string) => keys.propagation(tenant, 'mapping:lock');
  /** Checks this process runs, by tenant, so a second request waits on the same one. */
  const local = new Map<string, Run>();

  async function get(tenant: string): Promise<MappingReport> {
    const [[, raw], [, locked]] = (await redis.multi().hgetall(key(tenant)).exists(lockKey(tenant)).exec()) as [[null, Record<string, string>], [null, number]];
    const channels: MappingReport['channels'] = {};
    for (const ch of core.channelIds) channels[ch] = raw[`channel:${ch}`] ? JSON.parse(raw[`channel:${ch}`]!) : { listed: 0, notListed: [] };
    const report: MappingReport = { channels, checkedAt: raw.checkedAt ?? null };
    // Progress left by a process that died mid-check is not shown once its lock has lapsed.
    if (raw.running && locked) report.running = JSON.parse(raw.running) as MappingProgress;
    if (raw.failed) report.failed = JSON.parse(raw.failed) as MappingFailure;
    return report;
  }

  /**
   * SKUs a not_found dead letter parked on this channel (dead-letters.ts parked()) that the channel
   * now lists: retried as a person's retry would, so the listing gets the current count.
   */
  async function unpark(tenant: string, channel: string, listed: string[]) {
    const parked = await core.dead.parked(tenant, channel, listed);
    if (!parked.size) return;
    const letters = await core.dead.markRetrying(tenant, [...parked].map((sku) => deadLetterId(channel, sku)));
    const now = Date.now();
    await core.markDirty(tenant, new Map(letters.map((l) => [l.sku, now])), [channel], true, undefined, true);
  }

  async function check(tenant: string, run: StopFlag): Promise<Outcome> {
    const stillAlive = async () => void (await redis.pexpire(lockKey(tenant), opts.lockMs));
    try {
      const skus = await core.allSkus(tenant);
      const progress: MappingProgress = { startedAt: new Date().toISOString(), checked: 0, total: skus.length * core.adapters.length };
      const report = async () => {
        await redis.multi().hset(key(tenant), 'running', JSON.stringify(progress)).pexpire(lockKey(tenant), opts.lockMs).exec();
      };
      await redis.multi().hdel(key(tenant), 'failed').hset(key(tenant), 'running', JSON.stringify(progress)).exec();
      const channels: MappingReport['channels'] = {};
      await Promise.all(
        core.adapters.map(async (adapter) => {
          let listed = 0;
          const notListed: string[] = [];
          // A stopped check's other lookups end at their next step instead of writing progress for a check that is over.
          for (let i = 0; i < skus.length && !run.stopped; i += RESOLVE_CHUNK) {
            const chunk = skus.slice(i, i + RESOLVE_CHUNK);
            const refs = await resolvePatiently(adapter, chunk, opts.patienceMs, stillAlive);
            for (const s of chunk) (refs.get(s) ? listed++ : notListed.push(s));
            await unpark(tenant, adapter.id, chunk.filter((s) => refs.get(s)));
            progress.checked += chunk.length;
            if (!run.stopped) await report();
          }
          channels[adapter.id] = { listed, notListed };
        }),
      );
      if (run.closed) return { error: new Error(INTERRUPTED) };
      const checkedAt = new Date().toISOString();
      const fields: string[] = ['checkedAt', checkedAt];
      for (const [ch, v] of Object.entries(channels)) fields.push(`channel:${ch}`, JSON.stringify(v));
      await redis.multi().hset(key(tenant), ...fields).hdel(key(tenant), 'running').exec();
      return { report: { channels, checkedAt } };
    } catch (err) {
      run.stopped = true;
      if (run.closed) return { error: err };
      // Whatever stopped the check is kept for GET: nobody may be waiting on this request any more.
      const at = new Date().toISOString();
      const failed: MappingFailure =
        err instanceof ChannelUnavailableError
          ? { channel: String(err.details?.channel), message: err.message, at }
          : { channel: null, message: 'the listings check stopped on an error in the companion (its log has the details); try again in a moment', at };
      if (!(err instanceof ChannelUnavailableError)) core.deps.logger.error({ err, tenant }, 'listings check failed');
      await redis.multi().hset(key(tenant), 'failed', JSON.stringify(failed)).hdel(key(tenant), 'running').exec().catch(() => undefined);
      return { error: err };
    } finally {
      // Plain DEL: were the lock to lapse and pass to another process meanwhile (a minute with no
      // step), deleting it only lets a second check start, which writes the same report.
      if (!run.closed) await redis.del(lockKey(tenant)).catch(() => undefined);
    }
  }

  /**
   * Starts a check here unless one runs here or in another process; the one this process runs, if
   * any. (A Run, not its promise: an async function that returns a promise waits for it.)
   */
  async function start(tenant: string): Promise<Run | undefined> {
    const mine = local.get(tenant);
    if (mine) return mine;
    if ((await redis.set(lockKey(tenant), randomUUID(), 'PX', opts.lockMs, 'NX')) !== 'OK') return undefined;
    const flag: StopFlag = { stopped: false, closed: false };
    const run: Run = Object.assign(flag, { outcome: check(tenant, flag).finally(() => local.delete(tenant)) });
    local.set(tenant, run);
    return run;
  }

  return {
    get,
    /**
     * Starts a check (or joins the one under way) and waits up to answerWithinMs for it: `done`
     * with the report, or not done with the progress GET will keep showing. A check that fails
     * within the wait throws what stopped it (ChannelUnavailableError: 502 naming the channel).
     */
    async refresh(tenant: string): Promise<{ done: boolean; report: MappingReport }> {
      const started = await start(tenant);
      if (started) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const waited = await Promise.race([started.outcome, new Promise<null>((r) => (timer = setTimeout(() => r(null), opts.answerWithinMs)))]);
        clearTimeout(timer);
        if (waited && 'error' in waited) throw waited.error;
        if (waited) return { done: true, report: waited.report };
      }
      return { done: false, report: await get(tenant) };
    },
    /**
     * Shutdown: stops this process's checks and lets their locks go at once, saying why on GET, so
     * a restarted companion can check again straight away. A lookup in flight is not waited for
     * (Amazon's take up to 10 s); its answer is dropped.
     */
    async close(): Promise<void> {
      const at = new Date().toISOString();
      await Promise.all(
        [...local].map(async ([tenant, run]) => {
          run.stopped = run.closed = true;
          const failed: MappingFailure = { channel: null, message: INTERRUPTED, at };
          await redis.multi().hset(key(tenant), 'failed', JSON.stringify(failed)).hdel(key(tenant), 'running').del(lockKey(tenant)).exec();
        }),
      );
    },
  };
}
