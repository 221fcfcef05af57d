/**
 * What happens after a push call answered: per item, ok → record the acknowledgement (never
 * over a newer version), stale compare-and-set → believe the channel's current value and push
 * again (or, refused unread, wait for the order that explains it, with a recheck later),
 * unsent → push again with fresh values, failed → dead letter (permanent) or push again later
 * (transient).
 *
 * The leases end in the same script call that records the answers (settle-6.lua): a SKU that
 * changed while we pushed is in the dirty set (the change-feed consumer marked it), so ending
 * the lease hands it straight back and the newer value follows. Only that call stands between
 * the answer and the next push of a hot SKU; the audit, the dead-letter check and the observer's
 * report go out beside it. What settled dirty is returned: the worker either drains it itself in
 * its next round or queues jobs for it (requeue); what was accepted for later, for its read-back.
 */
import type { PushItem, PushOutcome } from '../channels/port';
import { appendChannelAudit, auditLine } from './audit';
import type { SyncCore } from './core';
import type { SettleItem } from './scripts';
import { syncKeys } from './sync-keys';
import type { PushHookItem } from './worker-hooks';

const PERMANENT = new Set(['auth', 'validation', 'not_found']);

export interface AnsweredPush {
  tenant: string;
  channel: string;
  items: PushItem[];
  outcomes: PushOutcome[];
  /** Earliest unsynced change per SKU (lag counts from it). */
  since: Map<string, number>;
  /** The job's lease keys (dirty, leases, owners, claims) and its token. */
  lease: { keys: [string, string, string, string]; token: string };
  /** Own sales each item's `expected` accounted for: spent now that the channel answered. */
  ownUsed?: Map<string, number>;
  /** SKUs with a dead letter on the channel when claimed: only their delivery ends one (no read for the others). */
  lettered: ReadonlySet<string>;
}

/** What a settled push leaves to do. */
export interface Settled {
  /** SKUs dirty again (changed meanwhile, or to be pushed again), by delay (ms): coalesceMs for those that only changed. */
  dirty: Map<number, string[]>;
  /** Something asked for a pause (a per-item failure, a failed call): do not drain at once. */
  holdOff: boolean;
  /** Accepted for later (Amazon ACCEPTED): sku → quantity, to read back after verifyAfterMs (verify.ts). */
  accepted: Map<string, number>;
  /**
   * Refused by compare-and-set, unread (stale, current null): sku → the quantity we believe the
   * channel shows, to look at again after recheckAfterMs if no push has landed since (verify.ts).
   */
  unread: Map<string, number>;
  /**
   * Found below what we expected (stale, read): sku → the channel's number. Looked at again after
   * unreportedSaleWaitMs: still believed, it was not a sale, and the ledger's number is pushed.
   */
  unreported: Map<string, number>;
}

/** Queues a job per delay for SKUs dirty again that no running job will drain. */
export const requeue = (core: SyncCore, tenant: string, channel: string, dirty: Map<number, string[]>) =>
  Promise.all([...dirty].map(([delay, skus]) => core.enqueue(tenant, channel, skus, delay)));

export async function applyOutcomes(core: SyncCore, a: AnsweredPush): Promise<Settled> {
  const { redis, keys, hooks, settings } = core.deps;
  const { tenant, channel, items, outcomes, since } = a;
  const now = Date.now();
  const bySku = new Map(outcomes.map((o) => [o.sku, o]));
  const settle: SettleItem[] = [];
  /** Items pushed again after a pause other than the usual coalescing (per-item failures). */
  const retryDelay = new Map<string, number>();
  const hookItems: PushHookItem[] = [];
  const failedLines: { sku: string; quantity: number; version: number; reason: string }[] = [];
  // Compare-and-set conflicts: one audit entry per call, so every push line has its outcome (a
  // chaos run found conflicts with none) without an entry per row during a flash sale.
  const staleLines: { sku: string; quantity: number; version: number; note: string }[] = [];
  const acks: PushItem[] = [];
  /** Pushes of 0 to a SKU the channel has no listing for: done, nothing to sell there. */
  const notListed: PushItem[] = [];
  const accepted = new Map<string, number>();
  const unread = new Map<string, number>();
  const unreported = new Map<string, number>();

  for (const [i, item] of items.entries()) {
    const o = outcomes[i]?.sku === item.sku ? outcomes[i]! : bySku.get(item.sku);
    if (!o) {
      hookItems.push({ sku: item.sku, ok: false, error: 'no outcome returned', code: 'transient' });
      settle.push({ sku: item.sku, action: 'retry' });
      retryDelay.set(item.sku, settings.itemRetryDelayMs);
    } else if (o.status === 'ok') {
      const used = a.ownUsed?.get(item.sku) ?? 0;
      settle.push({
        sku: item.sku,
        action: 'done',
        record: { mode: o.pending ? 'accepted' : 'ack', quantity: o.quantity, version: item.version },
        // Own sales this push accounted for are spent; any counted since stay for the next push.
        own: used > 0 ? { op: 'incr', value: -used } : undefined,
      });
      if (o.pending) accepted.set(item.sku, o.quantity);
      acks.push(item);
      hookItems.push({ sku: item.sku, ok: true, lagMs: Math.max(0, now - (since.get(item.sku) ?? now)) });
    } else if (o.status === 'unsent') {
      // Its call was refused for other rows: back to the dirty set (lag keeps counting from its
      // first change), to leave in the next round with fresh values. Neither success nor failure.
      settle.push({ sku: item.sku, action: 'retry' });
      hookItems.push({ sku: item.sku, ok: false, error: 'not applied: its call was refused for other rows', code: 'unsent' });
    } else if (o.status === 'stale' && o.current === null) {
      // Refused, not read: almost always a sale on the channel whose order reaches the ledger in
      // a moment, and that change brings the SKU back (its own-sales count then makes the
      // compare match). Pushing again before would meet the same refusal. Nothing is recorded;
      // if no push lands by recheckAfterMs (a manual edit on the channel: no order will come),
      // the recheck marks it dirty and the adapter reads the channel on the second refusal.
      settle.push({ sku: item.sku, action: 'done' });
      unread.set(item.sku, (item.expected ?? 0) + (a.ownUsed?.get(item.sku) ?? 0));
      hookItems.push({ sku: item.sku, ok: false, error: 'channel refused the compare-and-set (not read)', code: 'stale' });
      staleLines.push({ sku: item.sku, quantity: item.quantity, version: item.version, note: `${item.sku} not read` });
    } else if (o.status === 'stale' && o.current !== null) {
      const current = o.current;
      // The channel shows something else (a sale we have not heard of yet, or a late write):
      // use its value as the next `expected` and push again with a new idempotency key.
      // Its number includes its unreported sales: the own-sales count restarts at minus that
      // gap, so their reports, when the ledger records them, are not counted twice (a negative
      // count is never subtracted).
      const gap = Math.max(0, (item.expected ?? current) - current);
      // Sales only lower a channel's count. One at or above what we expected was raised there (a
      // push of ours that landed though its answer was lost when a worker died, or a count typed
      // there): not a sale to wait for, so the next push goes out at once ('reread'). Below it,
      // the gap may be sales not reported yet: the next push waits for the ledger to move
      // ('stale'; a chaos run left WooCommerce at 217 of 243 after a killed worker's lost push,
      // waiting for a sale that never came).
      settle.push({
        sku: item.sku,
        action: 'retry',
        record: { mode: gap > 0 ? 'stale' : 'reread', quantity: current, version: item.version },
        own: gap > 0 ? { op: 'set', value: -gap } : { op: 'del' },
      });
      hookItems.push({ sku: item.sku, ok: false, error: `channel shows ${current}`, code: 'stale' });
      staleLines.push({ sku: item.sku, quantity: item.quantity, version: item.version, note: `${item.sku} shows ${current}, not ${item.expected}${gap > 0 ? '' : ' (pushed again)'}` });
      if (gap > 0) unreported.set(item.sku, current);
    } else if (o.status === 'failed' && o.error.kind === 'not_found' && item.quantity <= 0) {
      // No listing, and nothing to show: nothing is on sale there, which is what the push asks.
      // Not a dead letter: a trashed or renamed product's 0 in the merchant's own store became one,
      // parked the SKU there, and the product restored (or renamed back) never got a push again
      // (a trial: WooCommerce at 6 against a true 4). Once there is stock to show, a missing
      // listing is a letter as before.
      // Recorded as showing 0, what it sells: a listing back later (a restore) is pushed to, not taken as in sync.
      settle.push({ sku: item.sku, action: 'done', record: { mode: 'ack', quantity: 0, version: item.version }, own: { op: 'del' } });
      notListed.push(item);
      hookItems.push({ sku: item.sku, ok: true, lagMs: Math.max(0, now - (since.get(item.sku) ?? now)) });
    } else if (o.status === 'failed') {
      const kind = o.error.kind;
      hookItems.push({ sku: item.sku, ok: false, error: o.error.message, code: kind });
      failedLines.push({ sku: item.sku, quantity: item.quantity, version: item.version, reason: `${kind}: ${o.error.message}` });
      if (PERMANENT.has(kind)) {
        // Kept before the lease ends: a person retrying it finds the letter.
        await core.dead.add(tenant, { channel, sku: item.sku, error: o.error.message, code: kind });
        hooks.deadLettered?.({ channel, sku: item.sku, reason: o.error.message });
        settle.push({ sku: item.sku, action: 'done' });
      } else {
        settle.push({ sku: item.sku, action: 'retry' });
        retryDelay.set(item.sku, kind === 'rate_limited' ? (o.error.retryAfterMs ?? settings.itemRetryDelayMs) : settings.itemRetryDelayMs);
      }
    }
  }

  const k = syncKeys(keys, tenant, channel);
  const settled = core.scripts.settle([...a.lease.keys, k.acked, k.own], a.lease.token, now, settle).then((dirty) => {
    const byDelay = new Map<number, string[]>();
    for (const sku of dirty) {
      const delay = retryDelay.get(sku) ?? settings.coalesceMs;
      (byDelay.get(delay) ?? byDelay.set(delay, []).get(delay)!).push(sku);
    }
    return byDelay;
  });
  const [dirty] = await Promise.all([
    settled,
    appendChannelAudit(redis, keys, tenant, 'channel.ack', channel, acks.map(auditLine)),
    Promise.all(failedLines.map((f) => appendChannelAudit(redis, keys, tenant, 'channel.failed', channel, [{ sku: f.sku, quantity: f.quantity, version: f.version }], f.reason))),
    staleLines.length
      ? appendChannelAudit(redis, keys, tenant, 'channel.failed', channel, staleLines.map(auditLine), staleReason(staleLines))
      : undefined,
    notListed.length
      ? appendChannelAudit(redis, keys, tenant, 'channel.ack', channel, notListed.map(auditLine), 'not listed on the channel: nothing on sale there, as the 0 pushed asks')
      : undefined,
    core.dead.resolveDelivered(tenant, channel, [...acks, ...notListed].map((i) => i.sku).filter((s) => a.lettered.has(s))),
    hooks.pushed({ tenant, channel, items: hookItems }),
  ]);
  return { dirty, holdOff: retryDelay.size > 0, accepted, unread, unreported };
}

/** The audit reason of a call's compare-and-set conflicts: a few named, more counted. */
function staleReason(lines: { note: string }[]): string {
  const named = lines.slice(0, 5).map((l) => l.note).join('; ');
  const more = lines.length > 5 ? `; and ${lines.length - 5} more` : '';
  return `stale (compare-and-set: a sale not reported yet is waited for, anything else pushed again): ${named}${more}`;
}
