/**
 * Read-back of pushes a channel accepted but applies later (PushOutcome ok + `pending`, e.g.
 * Amazon's ACCEPTED, which now and then never lands). After settings.verifyAfterMs the channel is
 * read; a SKU that does not show what was accepted — while that is still what we believe it
 * shows — gets the channel's real value as its acknowledged quantity and is marked dirty, so the
 * next push sends the right number again. Reads spend the channel's tokens like pushes do.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import { ChannelError, type ChannelAdapter } from '../channels/port';
import type { SyncCore } from './core';
import type { SyncJobData } from './queues';
import { syncKeys } from './sync-keys';

export interface VerifyResult {
  verified: number;
  repushed: number;
}

export async function runVerify<R>(core: SyncCore, adapter: ChannelAdapter, worker: Worker<SyncJobData, R>, job: Job<SyncJobData, R>, token?: string): Promise<VerifyResult> {
  const { tenant, verify = {} } = job.data;
  const channel = adapter.id;
  const k = syncKeys(core.deps.keys, tenant, channel);
  const rate = core.rateFor(adapter);
  const waitMs = await core.scripts.take(k.bucket, rate.requestsPerSecond, rate.burst, 1);
  if (waitMs > 0) {
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  }
  const skus = Object.keys(verify);
  let shown: Map<string, number | null>;
  try {
    shown = await adapter.read(skus);
  } catch (err) {
    if (err instanceof ChannelError && err.kind === 'rate_limited') {
      await core.scripts.take(k.bucket, rate.requestsPerSecond, rate.burst, 1, err.retryAfterMs ?? 1000);
      await worker.rateLimit(err.retryAfterMs ?? 1000);
      throw Worker.RateLimitError();
    }
    throw err; // transient or otherwise: retried with backoff; the accepted values stay to check
  }
  const acked = await core.acked(tenant, channel, skus);
  const wrong = new Map<string, number>();
  const records: { sku: string; quantity: number; version: number; mode: 'reread' }[] = [];
  const now = Date.now();
  for (const sku of skus) {
    const expected = verify[sku]!;
    const actual = shown.get(sku) ?? null;
    const belief = acked.get(sku);
    // Only when our belief is still the accepted value: a newer push has its own story.
    if (actual === expected || !belief || belief.q !== expected) continue;
    records.push({ sku, quantity: actual ?? 0, version: belief.v, mode: 'reread' });
    wrong.set(sku, now);
  }
  if (records.length) {
    await core.scripts.record(k.acked, now, records);
    core.deps.logger.warn({ channel, skus: [...wrong.keys()] }, 'channel did not apply accepted pushes; pushing again');
    await core.markDirty(tenant, wrong, [channel], true);
  }
  return { verified: skus.length, repushed: records.length };
}
