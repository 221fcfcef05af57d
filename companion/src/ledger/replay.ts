/**
 * Rebuilds SKU state from the audit stream alone, as a check that the audit is a complete record:
 * every entry's `before` must equal the state the previous entries produced, and applying each
 * entry's change in stream order must land on the live state. Channel entries (channel.push/ack/
 * failed, written by propagation) carry no quantities and are skipped.
 */
import type { Redis } from 'ioredis';
import type { AuditEntry } from '../schemas/stock';
import type { Keys } from './keys';

export interface ReplayedSku {
  onHand: number;
  committed: number;
  reserved: number;
  /** Number of entries that touched the SKU: equals its version when nothing is missing. */
  version: number;
}

export interface Replay {
  stock: Map<string, ReplayedSku>;
  /** Entries (non-channel) replayed. */
  entries: number;
  /** Places where an entry's `before` did not match the replayed state (empty for a sound audit). */
  gaps: { id: string; sku: string; expected: Omit<ReplayedSku, 'version'>; before: Omit<ReplayedSku, 'version'> }[];
}

export async function replayAudit(redis: Redis, keys: Keys, tenant: string, chunk = 1000): Promise<Replay> {
  const stock = new Map<string, ReplayedSku>();
  const gaps: Replay['gaps'] = [];
  let entries = 0;
  let cursor = '-';
  for (;;) {
    const rows = await redis.xrange(keys.audit(tenant), cursor, '+', 'COUNT', chunk);
    for (const [id, fields] of rows) {
      const raw = fields[fields.indexOf('e') + 1];
      if (!raw) continue;
      const e = JSON.parse(raw) as Omit<AuditEntry, 'id'>;
      if (e.type.startsWith('channel.')) continue;
      entries++;
      for (const line of e.lines ?? []) {
        if (!line.before || !line.after) continue;
        const s = stock.get(line.sku) ?? { onHand: 0, committed: 0, reserved: 0, version: 0 };
        const { onHand, committed, reserved } = s;
        if (onHand !== line.before.onHand || committed !== line.before.committed || reserved !== line.before.reserved) {
          gaps.push({ id, sku: line.sku, expected: { onHand, committed, reserved }, before: line.before });
        }
        // Apply the entry's change (after − before) rather than copying `after`, so a gap shows up
        // in the final state too instead of being papered over.
        stock.set(line.sku, {
          onHand: onHand + line.after.onHand - line.before.onHand,
          committed: committed + line.after.committed - line.before.committed,
          reserved: reserved + line.after.reserved - line.before.reserved,
          version: s.version + 1,
        });
      }
    }
    if (rows.length < chunk) break;
    cursor = `(${rows[rows.length - 1]![0]}`;
  }
  return { stock, entries, gaps };
}
