/**
 * One BullMQ queue per channel. A job `{ tenant, sku }` means "bring this channel up to date,
 * starting with this SKU": it claims the SKU and the oldest other dirty SKUs up to the batch size.
 * Jobs are deduplicated while they wait, and with keepLastIfActive a change that arrives while
 * the job runs schedules exactly one follow-up. The deduplication key is per (tenant, sku), or —
 * with `slots` > 0, the default — per (tenant, hash(sku) mod slots): a burst over many SKUs then
 * costs a few BullMQ jobs instead of one per SKU (BullMQ's per-job cost, not the channel, was the
 * bottleneck at 1,000 changes/s), and at most `slots` jobs per channel and tenant work in parallel.
 * Attempts are unlimited (never lost); the delay between them comes from backoff.ts.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export interface SyncJobData {
  tenant: string;
  sku: string;
  /** Only on 'verify' jobs: sku → the quantity the channel accepted for later. */
  verify?: Record<string, number>;
  /** Only on 'verify' jobs: sku → what we believed the channel showed when it refused our compare-and-set unread. */
  recheck?: Record<string, number>;
}

export const queueName = (channel: string) => `sync-${channel}`;
export const BACKOFF_TYPE = 'stockline';

/** FNV-1a: a stable, cheap spread of SKUs over slots. */
function slotOf(sku: string, slots: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < sku.length; i++) h = Math.imul(h ^ sku.charCodeAt(i), 0x01000193);
  return (h >>> 0) % slots;
}

export const dedupKey = (tenant: string, sku: string, slots: number) => (slots > 0 ? `${tenant}\n#${slotOf(sku, slots)}` : `${tenant}\n${sku}`);

export function jobOptions(dedupId: string, delayMs: number): JobsOptions {
  return {
    delay: delayMs > 0 ? delayMs : undefined,
    deduplication: { id: dedupId, keepLastIfActive: true },
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: 1000,
  };
}

export function createQueues(channels: string[], connection: () => Redis, prefix: string): Map<string, Queue<SyncJobData>> {
  const out = new Map<string, Queue<SyncJobData>>();
  for (const ch of channels) {
    const queue = new Queue<SyncJobData>(queueName(ch), { connection: connection(), prefix });
    // A queue re-emits its connection's errors; with no listener BullMQ prints each one raw. The
    // connection itself reports an outage once (server.ts), and a failed add rejects its caller.
    queue.on('error', () => undefined);
    out.set(ch, queue);
  }
  return out;
}

export async function enqueueSync(queue: Queue<SyncJobData>, tenant: string, skus: Iterable<string>, delayMs: number, slots: number): Promise<void> {
  const byKey = new Map<string, string>();
  for (const sku of skus) {
    const key = dedupKey(tenant, sku, slots);
    if (!byKey.has(key)) byKey.set(key, sku);
  }
  const jobs = [...byKey].map(([key, sku]) => ({ name: 'sync', data: { tenant, sku }, opts: jobOptions(key, delayMs) }));
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
}

/**
 * A read-back of pushes the channel accepted for later (`verify`), or a recheck (`recheck`) of
 * compare-and-set refusals answered unread or of SKUs held back for a lead time; see verify.ts.
 * Not deduplicated.
 */
export async function enqueueVerify(queue: Queue<SyncJobData>, tenant: string, kind: 'verify' | 'recheck', skus: Map<string, number>, delayMs: number): Promise<void> {
  if (!skus.size) return;
  const [first] = skus.keys();
  const data: SyncJobData = { tenant, sku: first!, [kind]: Object.fromEntries(skus) };
  await queue.add(
    'verify',
    data,
    { delay: delayMs, attempts: Number.MAX_SAFE_INTEGER, backoff: { type: BACKOFF_TYPE }, removeOnComplete: true, removeOnFail: 1000 },
  );
}
