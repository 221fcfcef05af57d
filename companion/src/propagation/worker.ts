/**
 * One BullMQ Worker per channel. A job claims a batch of dirty SKUs (its own first, then the
 * oldest, up to the channel's batch size), reads the ledger NOW, computes what the channel must
 * show, and pushes only what differs from what the channel last acknowledged — with that value
 * as the compare-and-set `expected`. Per-(channel, sku) leases (claim-10.lua) keep two workers
 * from pushing the same SKU at once, and settle-6.lua never lets an older version overwrite a
 * newer one, so a value computed from version v never lands after v' > v.
 *
 * Failure handling follows the ChannelError kind: rate_limited pauses the channel's queue for
 * the time asked (not a failure); transient keeps the claims and retries with backoff, without
 * limit; auth/validation/not_found dead-letter the SKU with the reason.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ChannelError, type ChannelAdapter, type PushItem, type PushOutcome } from '../channels/port';
import { appendChannelAudit, auditLine } from './audit';
import { backoffDelay } from './backoff';
import type { SkuSnapshot, SyncCore } from './core';
import { applyOutcomes, requeue, type Settled } from './outcomes';
import { enqueueVerify, queueName, type SyncJobData } from './queues';
import { shownWithLeadTime } from './lead-time';
import { channelConcurrency } from './settings';
import { syncKeys } from './sync-keys';
import { runVerify, type VerifyResult } from './verify';

export interface SyncJobResult {
  claimed: number;
  pushed: number;
  inSync: number;
}

/** Claims a job at our rate limit makes to fill the gaps in-sync SKUs left in its batch. */
const MAX_FILLS = 8;

/**
 * What one push round did and left to do; spare: its claim found our rate limit with tokens to
 * spare; held: SKUs shown less for the channel's lead time (sku → quantity decided).
 */
type Round = SyncJobResult & { next: Settled; spare: boolean; held?: Map<string, number> };

/**
 * What a job's rounds leave to look at later: accepted-for-later pushes and unread refusals
 * (verify.ts), and SKUs held back for a lead time, pushed again once their sales slow (lead-time.ts).
 */
type Owed = Pick<Settled, 'accepted' | 'unread' | 'unreported'> & { held: Map<string, number> };

/** Carries the delay we chose (and fenced the leases for) to the backoff strategy. */
class RetryLater extends Error {
  constructor(message: string, readonly retryDelayMs: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function createChannelWorker(core: SyncCore, adapter: ChannelAdapter, connection: Redis): Worker<SyncJobData, SyncJobResult | VerifyResult> {
  const { settings, hooks, logger, keys, redis } = core.deps;
  const channel = adapter.id;

  const worker: Worker<SyncJobData, SyncJobResult | VerifyResult> = new Worker<SyncJobData, SyncJobResult | VerifyResult>(
    queueName(channel),
    async (job, token) => (job.name === 'verify' ? runVerify(core, adapter, job, token) : pushJob(job, token)),
    {
      connection,
      prefix: settings.queuePrefix,
      concurrency: channelConcurrency(adapter.limits.batchSize, settings, core.deps.configuredTenants.length),
      // Our limit is the shared token bucket (lua/includes/bucket.lua); BullMQ only honours worker.rateLimit()
      // (pausing the queue on a 429) when a limiter is configured, so one is, far above any rate.
      limiter: { max: 1_000_000, duration: 1000 },
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      // A worker killed mid-push leaves its job stalled; it must come back however often that happens.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      settings: {
        backoffStrategy: (attemptsMade, _type, err) =>
          err instanceof RetryLater ? err.retryDelayMs : backoffDelay(attemptsMade - 1, settings.backoff),
      },
    },
  );
  // While Redis is gone the worker fails every reconnect attempt; one line per 30 s says so.
  let lastErrorLogAt = 0;
  let unlogged = 0;
  worker.on('error', (err) => {
    if (Date.now() - lastErrorLogAt < 30_000) return void unlogged++;
    logger.error({ err, channel, alsoSince: unlogged }, 'sync worker error');
    lastErrorLogAt = Date.now();
    unlogged = 0;
  });

  /**
   * A sync job (named so it does not shadow Node's global `process`): rounds of claim → push →
   * settle for as long as the channel has dirty SKUs this job can lease (up to drainMs). What a
   * round leaves dirty (changed during its push) is leased by the next round at once, instead of
   * going through a new BullMQ job (add, wait, move to active: most of the lag at 1,000 changes/s).
   * Every way out of the loop keeps the work alive: the job itself is paused, delayed or retried,
   * or what is dirty is queued (requeue) before it ends.
   */
  async function pushJob(job: Job<SyncJobData, SyncJobResult | VerifyResult>, token?: string): Promise<SyncJobResult> {
    /** Read-backs and rechecks owed by this job's rounds (the latest value per SKU), queued once as it ends. */
    const owed: Owed = { accepted: new Map(), unread: new Map(), unreported: new Map(), held: new Map() };
    const heartbeat = renewLeases(job);
    try {
      return await drainRounds(job, token, owed);
    } finally {
      clearInterval(heartbeat);
      // However the job ends (done, paused, delayed, failed), the read-backs it owes are queued.
      const queue = core.deps.queues.get(channel);
      const later = [
        ['verify', owed.accepted, settings.verifyAfterMs],
        ['recheck', owed.unread, settings.recheckAfterMs],
        // A channel left below what we expected: once the wait for a sale report is over (consider()).
        ['recheck', owed.unreported, settings.unreportedSaleWaitMs + 1_000],
        // A recheck pushes again whatever no push has changed since: the hold is worked out anew.
        ['recheck', owed.held, settings.paceMs],
      ] as const;
      // enqueueVerify adds nothing for an empty map.
      for (const [kind, skus, delayMs] of later) {
        if (queue) await enqueueVerify(queue, job.data.tenant, kind, skus, delayMs).catch((err) => logger.error({ err, channel, kind, skus: [...skus.keys()] }, 'could not queue a look back at pushes'));
      }
    }
  }

  /**
   * While the job runs, its leases are renewed every leaseRenewMs (renew-3.lua), so a lease only
   * has to outlast a request, not a whole push: when the worker dies, its SKUs are free a lease
   * after its last heartbeat. A failed renewal is only logged; the next one tries again.
   */
  function renewLeases(job: Job<SyncJobData, SyncJobResult | VerifyResult>): NodeJS.Timeout | undefined {
    if (!(settings.leaseRenewMs > 0)) return undefined;
    const k = syncKeys(keys, job.data.tenant, channel);
    const timer = setInterval(() => {
      core.scripts.renew([k.leases, k.owners, k.claims(job.id!)], job.id!, Date.now() + settings.leaseMs).catch((err: unknown) => logger.debug({ err, channel }, 'lease renewal failed; the next heartbeat tries again'));
    }, settings.leaseRenewMs);
    timer.unref();
    return timer;
  }

  async function drainRounds(job: Job<SyncJobData, SyncJobResult | VerifyResult>, token: string | undefined, owed: Owed): Promise<SyncJobResult> {
    const total: SyncJobResult = { claimed: 0, pushed: 0, inSync: 0 };
    const until = Date.now() + settings.drainMs;
    for (let preferred = job.data.sku; ; preferred = '') {
      const round = await pushRound(job, token, preferred);
      total.claimed += round.claimed;
      total.pushed += round.pushed;
      total.inSync += round.inSync;
      for (const [s, q] of round.next.accepted) owed.accepted.set(s, q);
      for (const [s, q] of round.next.unread) owed.unread.set(s, q);
      for (const [s, q] of round.next.unreported) owed.unreported.set(s, q);
      for (const [s, q] of round.held ?? []) owed.held.set(s, q);
      // Only while our rate limit is far (the claim found tokens to spare): near it, jobs that
      // drain meet the empty bucket together and each pauses the queue for a token's time, which
      // a small bucket does not store (measured: Amazon under its limits drained at 1.94× its
      // floor instead of 1.39×); there, each job pushes once and the queue paces them as before.
      const drain = round.claimed > 0 && round.spare && !round.next.holdOff && !worker.closing && Date.now() < until;
      if (!drain) {
        await requeue(core, job.data.tenant, channel, round.next.dirty);
        return total;
      }
    }
  }

  /** One round: lease a batch, push what the channel does not show yet, settle the answers. */
  async function pushRound(job: Job<SyncJobData, SyncJobResult | VerifyResult>, token: string | undefined, preferred: string): Promise<Round> {
    const { tenant, sku } = job.data;
    const jobToken = job.id!;
    const nothing: Settled = { dirty: new Map(), holdOff: false, accepted: new Map(), unread: new Map(), unreported: new Map() };
    if (!(await hooks.canPush(channel))) {
      // Breaker open: wait without spending an attempt; the claims stay in the dirty set.
      await job.moveToDelayed(Date.now() + settings.breakerRecheckMs, token);
      throw new DelayedError();
    }
    // The channel's own budget is spent (Shopify: searches and read-backs draw on it too): wait
    // before claiming, so the SKUs dirty meanwhile go out together in one push when it refills.
    const readyIn = adapter.readyInMs?.() ?? 0;
    if (readyIn > 0) {
      await worker.rateLimit(readyIn);
      throw Worker.RateLimitError();
    }
    const k = syncKeys(keys, tenant, channel);
    const leaseKeys: [string, string, string, string] = [k.dirty, k.leases, k.owners, k.claims(jobToken)];
    // One call looks at our own rate limit, leases the SKUs and reads the ledger for them:
    // read only once the SKUs are fenced, so nothing older can be in flight; the state, the
    // acknowledged value and the own-sales count from one moment, so the count covers exactly
    // the orders that state includes (both move in the ledger's script).
    const batch = await core.claim(tenant, adapter, jobToken, preferred);
    if (batch.waitMs > 0) {
      // Our budget for this channel is spent: nothing was leased; pause the queue until it refills.
      await worker.rateLimit(batch.waitMs);
      throw Worker.RateLimitError();
    }
    // A full batch with dirty SKUs left: queue a follow-up now, so another job slot helps drain
    // the channel however this job turns out.
    if (batch.more && settings.slots > 0) await core.enqueue(tenant, channel, [sku]);
    if (!batch.claimed.length) return { claimed: 0, pushed: 0, inSync: 0, next: nothing, spare: false };
    const spare = !batch.tight;
    const since = new Map<string, number>();
    const skus: string[] = [];

    const release = async (items: { sku: string; action: 'done' | 'retry' | 'hold'; until?: number }[], delayMs = settings.coalesceMs) => {
      const dirty = await core.scripts.release(leaseKeys, jobToken, items);
      if (dirty.length) await core.enqueue(tenant, channel, dirty, delayMs);
    };

    /** Own sales each push's `expected` accounts for: spent once the channel answers. */
    const ownUsed = new Map<string, number>();
    const items: PushItem[] = [];
    const inSync: string[] = [];
    const held = new Map<string, number>();
    const consider = ({ sku: s, since: changed, state, rule, acked: last, own, pace }: SkuSnapshot) => {
      since.set(s, changed);
      skus.push(s);
      // A channel that shows pushes late is shown less while the others sell fast and stock is low.
      const { quantity, held: heldUnits } = shownWithLeadTime(state, rule, pace);
      if (heldUnits > 0) held.set(s, quantity);
      const version = state?.version ?? 0;
      // The channel's own sales the ledger has recorded since: it already shows them gone. Never
      // below 0: a store that sold on backorder shows a negative count, and a negative "sold"
      // would move the compare-and-set's expected number away from what the channel shows. No
      // more than it showed, either (a marketplace stops at 0) — except on a store whose count
      // goes below 0 when there is stock to give it: WooCommerce reduces a paid-again order a
      // second time for units our push already took off (a hold), and shows −2 where we last told
      // it 2 and it sold 4; expecting 0 there was taken for 2 unreported sales, and the store
      // stayed at −2 against the ledger's 1 for 5 minutes (trial). At 0 due, the old floor keeps
      // a backorder store's negative count (a 0 would forget what it owes).
      const ownSold = Math.max(own, 0);
      const belowZero = adapter.showsBelowZero === true && quantity > 0;
      const sold = !last ? 0 : belowZero ? ownSold : Math.min(ownSold, Math.max(last.q, 0));
      // The channel already shows this number (a newer version can leave it unchanged, e.g. an
      // Amazon order moving Pending → Unshipped): a push would only spend the channel's budget.
      // A sale on the channel we have not heard of yet arrives as its own change. After its own
      // sales it shows less than we last told it, so it is pushed even when the number is equal.
      if (last && sold === 0 && last.q === quantity) {
        inSync.push(s);
        return;
      }
      // A compare-and-set conflict showed the channel lower than the ledger: it sold units whose
      // order report has not reached us. Pushing the ledger's number now would put them back on
      // sale (an oversell); wait until the ledger moves (the report arrives as its own change).
      // Not forever: after unreportedSaleWaitMs with no report, the channel's number is no sale (a
      // push of ours that landed without its answer when a worker died; a chaos run's WooCommerce
      // stayed at 40 of 60 until the SKU changed again) and the ledger's number is pushed.
      if (last?.sv !== undefined && version <= last.sv && quantity > last.q && Date.now() - last.at < settings.unreportedSaleWaitMs) {
        inSync.push(s);
        return;
      }
      if (sold) ownUsed.set(s, sold);
      const expected = last ? last.q - sold : null;
      // Stable across retries of this job (a replay must not apply twice); new for a new job
      // (a person's retry of a dead letter is a new push) and once anything in it changes.
      const idempotencyKey = `${channel}:${s}:v${version}:q${quantity}:e${expected ?? 'none'}:j${jobToken}`;
      items.push({ sku: s, quantity, expected, version, idempotencyKey });
    };
    // SKUs the channel has no listing for (a not_found dead letter nobody retried yet) are not
    // pushed: released like those in sync, they cost no call (dead-letters.ts parked()). The
    // claim read each SKU's letter with its row.
    const parked: string[] = [];
    /** SKUs with a letter on this channel: delivering them (or finding them in sync) ends it. */
    const lettered = new Set<string>();
    const considerAll = async (claimed: SkuSnapshot[]) => {
      // A person retries a letter once they fixed the listing: the adapter's cached "not listed"
      // (Shopify keeps one a minute) must not answer for the channel.
      const retrying = claimed.filter((c) => c.letter === 'retrying').map((c) => c.sku);
      if (retrying.length) await adapter.resolve(retrying, { fresh: true });
      for (const c of claimed) {
        if (c.letter) lettered.add(c.sku);
        if (c.letter !== 'parked') consider(c);
        else {
          since.set(c.sku, c.since);
          skus.push(c.sku);
          parked.push(c.sku);
        }
      }
    };
    await considerAll(batch.claimed);
    // At our rate limit (the claim took the bucket's last token) every call counts: SKUs found
    // in sync left gaps in the batch, so fill them from the dirty set before the token is spent
    // (traced: after a flash sale, Flipkart's calls carried 5-6 rows of their 10).
    for (let more = batch.more, fills = 0; !spare && more && items.length < batch.limit && fills < MAX_FILLS; fills++) {
      const fill = await core.claim(tenant, adapter, jobToken, '', { limit: batch.limit - items.length });
      await considerAll(fill.claimed);
      more = fill.more;
    }
    // In-sync SKUs are released beside the push; those that changed again meanwhile are dirty
    // now: the next round (or a job) takes them.
    const inSyncDirty: Promise<string[]> =
      inSync.length || parked.length
        ? Promise.all([
            core.dead.resolveDelivered(tenant, channel, inSync.filter((s) => lettered.has(s))),
            core.scripts.release(leaseKeys, jobToken, [...inSync, ...parked].map((s) => ({ sku: s, action: 'done' as const }))),
          ]).then(([, dirty]) => dirty)
        : Promise.resolve([]);
    const rate = core.rateFor(adapter);
    if (!items.length) {
      // Nothing to push: the token the claim took for it goes back.
      const [dirty] = await Promise.all([inSyncDirty, core.scripts.take(k.bucket, rate.requestsPerSecond, rate.burst, -1)]);
      return { claimed: skus.length, pushed: 0, inSync: inSync.length, next: { ...nothing, dirty: new Map(dirty.length ? [[settings.coalesceMs, dirty]] : []) }, spare, held };
    }
    // Not drained by a round that may end below: queued, beside the push.
    const inSyncQueued = inSyncDirty.then((dirty) => (dirty.length ? core.enqueue(tenant, channel, dirty) : undefined));
    inSyncQueued.catch(() => undefined); // awaited on every path below; this only keeps an early throw from leaving it unhandled

    // The call goes out right after its token is taken (time between the two is jitter the
    // channel's bucket sees); the audit entry is written alongside, and before any ack.
    const audited = appendChannelAudit(redis, keys, tenant, 'channel.push', channel, items.map(auditLine));
    let outcomes: PushOutcome[];
    try {
      outcomes = await adapter.push(items);
    } catch (err) {
      await Promise.all([audited, inSyncQueued]);
      const r = await handleCallError(err, job, items, release, rate);
      return { ...r, next: { ...nothing, holdOff: true }, spare };
    }
    await Promise.all([audited, inSyncQueued]);
    const next = await applyOutcomes(core, { tenant, channel, items, outcomes, since, lease: { keys: leaseKeys, token: jobToken }, ownUsed, lettered });
    return { claimed: skus.length, pushed: items.length, inSync: inSync.length, next, spare, held };
  }

  async function handleCallError(
    err: unknown,
    job: Job<SyncJobData, SyncJobResult | VerifyResult>,
    items: PushItem[],
    release: (items: { sku: string; action: 'done' | 'retry' | 'hold'; until?: number }[], delayMs?: number) => Promise<void>,
    rate: { requestsPerSecond: number; burst: number },
  ): Promise<SyncJobResult> {
    const { tenant } = job.data;
    const cerr = err instanceof ChannelError ? err : new ChannelError(String((err as Error)?.message ?? err), 'transient', { cause: err });
    const message = cerr.message;
    const fail = (code: string) => items.map((i) => ({ sku: i.sku, ok: false, error: message, code }));
    await appendChannelAudit(redis, keys, tenant, 'channel.failed', channel, items.map(auditLine), `${cerr.kind}: ${message}`);

    if (cerr.kind === 'rate_limited') {
      const ms = Math.max(cerr.retryAfterMs ?? 1000, 1);
      await core.scripts.take(syncKeys(keys, tenant, channel).bucket, rate.requestsPerSecond, rate.burst, 1, ms);
      await hooks.pushed({ tenant, channel, items: fail('rate_limited'), throttled: true, callError: message });
      await release(items.map((i) => ({ sku: i.sku, action: 'retry' })), 0);
      logger.warn({ channel, retryAfterMs: ms }, 'channel throttled us; pausing its queue');
      await worker.rateLimit(ms);
      throw Worker.RateLimitError();
    }
    if (cerr.kind === 'transient') {
      const delay = backoffDelay(job.attemptsMade, settings.backoff);
      await hooks.pushed({ tenant, channel, items: fail('transient'), callError: message });
      // Keep the SKUs fenced for this job until its retry: nobody else hammers a failing channel with them.
      const until = Date.now() + delay + settings.leaseMs;
      await release(items.map((i) => ({ sku: i.sku, action: 'hold', until })));
      throw new RetryLater(message, delay, { cause: err });
    }
    // auth, validation, not_found on the whole call: no retry will help; a person must look.
    for (const i of items) {
      await core.dead.add(tenant, { channel, sku: i.sku, error: message, code: cerr.kind });
      hooks.deadLettered?.({ channel, sku: i.sku, reason: message });
    }
    await hooks.pushed({ tenant, channel, items: fail(cerr.kind), callError: message });
    await release(items.map((i) => ({ sku: i.sku, action: 'done' })));
    return { claimed: items.length, pushed: items.length, inSync: 0 };
  }

  return worker;
}

