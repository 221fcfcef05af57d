/**
 * How far the propagation workers are behind on a tenant's change feed, for GET /v1/channels.
 *
 * A change reaches a channel's queue only once a worker's feed consumer has read it (XREADGROUP,
 * group "propagation") and marked its SKUs dirty. Until then it is counted nowhere else: the
 * dirty sets, leases and BullMQ queues are all empty, so with every worker stopped the channels
 * used to read "ok, queue depth 0" while hundreds of changes waited. The feed is per tenant and
 * every channel is fed from it, so this backlog is the same for each channel of the tenant.
 */
import type { Redis } from 'ioredis';

export interface FeedBacklog {
  /** Entries no worker has read yet. */
  unread: number;
  /** Entries a worker read and has not finished yet (in hand, or a crashed worker's until another takes them over). */
  inProgress: number;
  /** How long (ms) the oldest entry no worker has read yet has waited; null when every entry was read. */
  oldestUnreadMs: number | null;
}

/** A fallback count is capped: it reads entries one by one, and "more than this" says enough. */
const COUNT_CAP = 10_000;

/** XINFO GROUPS answers each group as a flat [field, value, …] list. */
function field(group: unknown[], name: string): unknown {
  const i = group.indexOf(name);
  return i >= 0 ? group[i + 1] : undefined;
}

/** The time part (ms) of a stream entry id: when the ledger appended it (Redis's clock). */
const idMs = (id: string) => Number(id.split('-')[0]);

export async function readFeedBacklog(redis: Redis, stream: string, group: string, now: number): Promise<FeedBacklog> {
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  } catch (err) {
    // No change was ever written for this tenant.
    if (String((err as Error).message).includes('no such key')) return { unread: 0, inProgress: 0, oldestUnreadMs: null };
    throw err;
  }
  const g = groups.find((x) => String(field(x, 'name')) === group);
  // No worker ever ran: the group is created (from the start of the feed) by the first one, so
  // every entry there is waiting for it.
  const after = g ? `(${String(field(g, 'last-delivered-id') ?? '0-0')}` : '-';
  const inProgress = g ? Number(field(g, 'pending')) : 0;
  const first = (await redis.xrange(stream, after, '+', 'COUNT', 1)) as [string, string[]][];
  if (!first.length) return { unread: 0, inProgress, oldestUnreadMs: null };
  let unread: number;
  if (!g) unread = await redis.xlen(stream);
  else {
    // `lag` (Redis ≥ 7) is what the group has not been given yet; it is missing before 7 and null
    // when Redis cannot tell (entries deleted past the group's position): count them instead.
    const lag = field(g, 'lag');
    unread = typeof lag === 'number' ? lag : ((await redis.xrange(stream, after, '+', 'COUNT', COUNT_CAP)) as unknown[]).length;
  }
  return { unread: Math.max(1, unread), inProgress, oldestUnreadMs: Math.max(0, now - idMs(first[0]![0])) };
}
