/**
 * One BullMQ queue per channel. A job `{ tenant, sku }` means "make this channel show this SKU's
 * current quantity"; it is deduplicated per (tenant, sku) while it waits, and with
 * keepLastIfActive a change that arrives while the job runs schedules exactly one follow-up.
 * Attempts are unlimited (never lost); the delay between them comes from backoff.ts.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export interface SyncJobData {
  tenant: string;
  sku: string;
}

export const queueName = (channel: string) => `sync-${channel}`;
export const BACKOFF_TYPE = 'stockline';

export function jobOptions(tenant: string, sku: string, delayMs: number): JobsOptions {
  return {
    delay: delayMs > 0 ? delayMs : undefined,
    deduplication: { id: `${tenant}\n${sku}`, keepLastIfActive: true },
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: 1000,
  };
}

export function createQueues(channels: string[], connection: () => Redis, prefix: string): Map<string, Queue<SyncJobData>> {
  const out = new Map<string, Queue<SyncJobData>>();
  for (const ch of channels) out.set(ch, new Queue<SyncJobData>(queueName(ch), { connection: connection(), prefix }));
  return out;
}

export async function enqueueSync(queue: Queue<SyncJobData>, tenant: string, skus: Iterable<string>, delayMs: number): Promise<void> {
  const jobs = [...new Set(skus)].map((sku) => ({ name: 'sync', data: { tenant, sku }, opts: jobOptions(tenant, sku, delayMs) }));
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
}
