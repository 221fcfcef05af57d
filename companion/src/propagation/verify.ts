/**
 * Read-back of pushes a channel accepted but applies later (PushOutcome ok + `pending`, e.g.
 * Amazon's ACCEPTED, which now and then never lands). After settings.verifyAfterMs the channel is
 * read; a SKU that does not show what was accepted — while that is still what we believe it
 * shows — gets the channel's real value as its acknowledged quantity and is marked dirty, so the
 * next push sends the right number again. Reads do not spend the push budget: the adapter paces
 * them against the channel's read limit (Amazon's getListingsItem has its own, 5/s), and spending
 * push tokens on them halved Amazon's push rate after a burst (2.2× its convergence floor).
 */
import { DelayedError, type Job } from 'bullmq';
import { ChannelError, type ChannelAdapter } from '../channels/port';
import type { SyncCore } from './core';
import type { SyncJobData } from './queues';
import { syncKeys } from './sync-keys';

export interface VerifyResult {
  verified: number;
  repushed: number;
}

export async function runVerify<R>(core: SyncCore, adapter: ChannelAdapter, job: Job<SyncJobData, R>, token?: string): Promise<VerifyResult> {
  const { tenant, verify = {}, recheck } = job.data;
  const channel = adapter.id;
  if (recheck) return runRecheck(core, channel, tenant, recheck);
  // Only SKUs whose last acknowledged push is still this one are read: a newer push has its own
  // read-back. After a flash sale on Amazon most pushes are superseded, and reading each one at
  // Amazon's 5 reads/s would take the read budget for many minutes (12,000 pushes in 20 s).
  const skus = await stillBelieved(core, tenant, channel, verify);
  if (!skus.length) return { verified: 0, repushed: 0 };
  let shown: Map<string, number | null>;
  try {
    shown = await adapter.read(skus);
  } catch (err) {
    if (err instanceof ChannelError && err.kind === 'rate_limited') {
      // Only this read waits: pushes have their own budget and keep going.
      await job.moveToDelayed(Date.now() + (err.retryAfterMs ?? 1000), token);
      throw new DelayedError();
    }
    throw err; // transient or otherwise: retried with backoff; the accepted values stay to check
  }
  const acked = await core.acked(tenant, channel, skus);
  const wrong = new Map<string, number>();
  for (const sku of skus) {
    const expected = verify[sku]!;
    const actual = shown.get(sku) ?? null;
    const belief = acked.get(sku);
    // Only when our belief is still the accepted value (a push may have landed during the read).
    if (actual === expected || !belief || belief.q !== expected) continue;
    wrong.set(sku, actual ?? 0);
  }
  if (wrong.size) {
    core.deps.logger.warn({ channel, skus: [...wrong.keys()] }, 'channel did not apply accepted pushes; pushing again');
    await pushAgainOver(core, tenant, channel, wrong);
  }
  return { verified: skus.length, repushed: wrong.size };
}

/**
 * Compare-and-set refusals the adapter answered unread (outcomes.ts): a SKU whose belief is
 * still what it was then had no push land since — no order came to explain the refusal (a
 * manual edit or a restock on the channel) — so it is pushed again; the adapter, refused a
 * second time at the same compare, reads the channel and propagation follows what it shows.
 * Also SKUs a push held back for the channel's lead time (lead-time.ts): pushed again, the hold
 * is worked out from the pace as it is now.
 */
/**
 * A channel read showing other numbers than Stockline set there (a read-back, the one-SKU check,
 * the drift sweep): each is taken as what it shows ('reread': not a sale, record-ack.lua) and the
 * SKU is pushed again there at once.
 */
export async function pushAgainOver(core: SyncCore, tenant: string, channel: string, shown: Map<string, number>): Promise<void> {
  const now = Date.now();
  await core.scripts.record(syncKeys(core.deps.keys, tenant, channel).acked, now, [...shown].map(([sku, quantity]) => ({ sku, quantity, version: 0, mode: 'reread' as const })));
  await core.markDirty(tenant, new Map([...shown.keys()].map((sku) => [sku, now])), [channel], true);
}

async function runRecheck(core: SyncCore, channel: string, tenant: string, recheck: Record<string, number>): Promise<VerifyResult> {
  const now = Date.now();
  const again = new Map((await stillBelieved(core, tenant, channel, recheck)).map((sku) => [sku, now]));
  if (again.size) await core.markDirty(tenant, again, [channel], true);
  return { verified: Object.keys(recheck).length, repushed: again.size };
}

/** The SKUs whose acknowledged quantity is still the one given (no other push has landed since). */
async function stillBelieved(core: SyncCore, tenant: string, channel: string, values: Record<string, number>): Promise<string[]> {
  const skus = Object.keys(values);
  const acked = await core.acked(tenant, channel, skus);
  return skus.filter((sku) => acked.get(sku)?.q === values[sku]);
}
