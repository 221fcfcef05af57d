/**
 * Trims the ledger's change feed. An entry is only a wake-up call for propagation (the audit keeps
 * the event itself), so once every consumer group has acknowledged it, it is kept only for
 * `retentionMs` (debugging, /metrics counting events by type between scrapes) and then dropped;
 * without this the feed grew by one entry per event for good.
 *
 * Nothing a group still needs is dropped: the cut never passes the oldest entry pending in any
 * group (delivered to a consumer that has not acknowledged it, perhaps one that died and whose
 * entries XAUTOCLAIM will hand over) nor the last entry any group was given. A group that never
 * read keeps the whole feed.
 */
import type { Redis } from 'ioredis';

type Id = [ms: number, seq: number];

const parse = (id: string): Id => {
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq ?? 0)];
};
const before = (a: Id, b: Id) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** XINFO GROUPS answers each group as a flat [field, value, …] list. */
function field(group: unknown[], name: string): unknown {
  const i = group.indexOf(name);
  return i >= 0 ? group[i + 1] : undefined;
}

/**
 * The id below which every group is done with the feed, or null when it has no group (nothing may
 * be trimmed: propagation has not started reading yet).
 */
export async function acknowledgedBelow(redis: Redis, stream: string): Promise<string | null> {
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  } catch (err) {
    if (String((err as Error).message).includes('no such key')) return null;
    throw err;
  }
  if (!groups.length) return null;
  let low: Id | null = null;
  for (const g of groups) {
    let safe = parse(String(field(g, 'last-delivered-id') ?? '0-0'));
    if (Number(field(g, 'pending') ?? 0) > 0) {
      // [count, smallest id, greatest id, consumers]
      const summary = (await redis.xpending(stream, String(field(g, 'name')))) as [number, string | null, ...unknown[]];
      if (summary[1]) safe = parse(summary[1]);
    }
    if (!low || before(safe, low)) low = safe;
  }
  return low ? `${low[0]}-${low[1]}` : null;
}

/**
 * Drops entries every group acknowledged and older than `retentionMs`. `~` lets Redis trim whole
 * internal nodes only (cheap; a few entries more may stay until the next trim). Returns how many
 * entries went.
 */
export async function trimFeed(redis: Redis, stream: string, retentionMs: number, now = Date.now()): Promise<number> {
  const acked = await acknowledgedBelow(redis, stream);
  if (!acked) return 0;
  const byAge: Id = [Math.max(0, now - retentionMs), 0];
  const cut = before(byAge, parse(acked)) ? byAge : parse(acked);
  if (cut[0] === 0 && cut[1] === 0) return 0;
  return (await redis.xtrim(stream, 'MINID', '~', `${cut[0]}-${cut[1]}`)) as number;
}
