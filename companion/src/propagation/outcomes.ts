/**
 * What happens after a push call answered: per item, ok → record the acknowledgement (never
 * over a newer version), stale compare-and-set → believe the channel's current value and push
 * again, failed → dead letter (permanent) or push again later (transient). Then the audit, the
 * observer hook, and the after-push fence: a SKU whose ledger moved on while we pushed is dirty
 * again, so the newer value follows.
 */
import type { PushItem, PushOutcome } from '../channels/port';
import { appendChannelAudit } from './audit';
import type { SyncCore } from './core';
import { enqueueVerify } from './queues';
import { syncKeys } from './sync-keys';
import type { PushHookItem } from './worker-hooks';

type Release = (items: { sku: string; action: 'done' | 'retry' | 'hold'; until?: number }[], delayMs?: number) => Promise<void>;

const PERMANENT = new Set(['auth', 'validation', 'not_found']);

export async function applyOutcomes(
  core: SyncCore,
  a: { tenant: string; channel: string; items: PushItem[]; outcomes: PushOutcome[]; since: Map<string, number>; release: Release; ownUsed?: Map<string, number> },
): Promise<{ inSync: number }> {
  const { redis, keys, hooks, settings, ledger } = core.deps;
  const { tenant, channel, items, outcomes, since, release } = a;
  const now = Date.now();
  const bySku = new Map(outcomes.map((o) => [o.sku, o]));
  const records: { sku: string; quantity: number; version: number; mode: 'ack' | 'stale' }[] = [];
  const hookItems: PushHookItem[] = [];
  const done: string[] = [];
  const again: string[] = [];
  const later = new Map<number, string[]>();
  const failedLines: { sku: string; quantity: number; version: number; reason: string }[] = [];
  const acks: PushItem[] = [];
  /** Accepted for later (Amazon ACCEPTED): read back after verifyAfterMs (verify.ts). */
  const accepted = new Map<string, number>();

  for (const [i, item] of items.entries()) {
    const o = outcomes[i]?.sku === item.sku ? outcomes[i]! : bySku.get(item.sku);
    if (!o) {
      hookItems.push({ sku: item.sku, ok: false, error: 'no outcome returned', code: 'transient' });
      (later.get(settings.itemRetryDelayMs) ?? later.set(settings.itemRetryDelayMs, []).get(settings.itemRetryDelayMs)!).push(item.sku);
      continue;
    }
    if (o.status === 'ok') {
      records.push({ sku: item.sku, quantity: o.quantity, version: item.version, mode: 'ack' });
      if (o.pending) accepted.set(item.sku, o.quantity);
      acks.push(item);
      hookItems.push({ sku: item.sku, ok: true, lagMs: Math.max(0, now - (since.get(item.sku) ?? now)) });
      done.push(item.sku);
    } else if (o.status === 'stale') {
      // The channel shows something else (a sale we have not heard of yet, or a late write):
      // use its value as the next `expected` and push again with a new idempotency key.
      records.push({ sku: item.sku, quantity: o.current, version: item.version, mode: 'stale' });
      hookItems.push({ sku: item.sku, ok: false, error: `channel shows ${o.current}`, code: 'stale' });
      again.push(item.sku);
    } else {
      const kind = o.error.kind;
      hookItems.push({ sku: item.sku, ok: false, error: o.error.message, code: kind });
      failedLines.push({ sku: item.sku, quantity: item.quantity, version: item.version, reason: `${kind}: ${o.error.message}` });
      if (PERMANENT.has(kind)) {
        await core.dead.add(tenant, { channel, sku: item.sku, error: o.error.message, code: kind });
        hooks.deadLettered?.({ channel, sku: item.sku, reason: o.error.message });
        done.push(item.sku);
      } else {
        const delay = kind === 'rate_limited' ? (o.error.retryAfterMs ?? settings.itemRetryDelayMs) : settings.itemRetryDelayMs;
        (later.get(delay) ?? later.set(delay, []).get(delay)!).push(item.sku);
      }
    }
  }

  const k = syncKeys(keys, tenant, channel);
  // Own sales an applied push accounted for are spent; any counted since stay for the next push.
  // A conflict answers with the channel's whole current number, its unreported sales included:
  // the count restarts at minus that gap, so their reports, when the ledger records them, are
  // not counted twice (a negative count is never subtracted).
  const expectedOf = new Map(items.map((i) => [i.sku, i.expected]));
  const ownPipe = redis.pipeline();
  for (const r of records) {
    if (r.mode === 'stale') {
      const gap = Math.max(0, (expectedOf.get(r.sku) ?? r.quantity) - r.quantity);
      if (gap > 0) ownPipe.hset(k.own, r.sku, -gap);
      else ownPipe.hdel(k.own, r.sku);
    } else if ((a.ownUsed?.get(r.sku) ?? 0) > 0) ownPipe.hincrby(k.own, r.sku, -a.ownUsed!.get(r.sku)!);
  }
  const spendOwn = ownPipe.length ? ownPipe.exec() : Promise.resolve(null);
  // Independent writes and the after-push read go out together (one round trip of latency);
  // the leases are still ours, so nothing else touches these SKUs meanwhile.
  const [, , , , states] = await Promise.all([
    core.scripts.record(k.acked, now, records),
    appendChannelAudit(redis, keys, tenant, 'channel.ack', channel, acks.map((i) => ({ sku: i.sku, quantity: i.quantity, version: i.version }))),
    Promise.all(failedLines.map((f) => appendChannelAudit(redis, keys, tenant, 'channel.failed', channel, [{ sku: f.sku, quantity: f.quantity, version: f.version }], f.reason))),
    core.dead.resolveDelivered(tenant, channel, acks.map((i) => i.sku)),
    acks.length ? ledger.getStockMany(tenant, acks.map((i) => i.sku)) : Promise.resolve([]),
  ]);
  await spendOwn;
  await hooks.pushed({ tenant, channel, items: hookItems });
  const queue = core.deps.queues.get(channel);
  if (queue && accepted.size) await enqueueVerify(queue, tenant, accepted, settings.verifyAfterMs);

  // After-push fence: anything that changed in the ledger while we pushed goes again.
  if (acks.length) {
    const moved = new Map<string, number>();
    acks.forEach((item, i) => {
      const s = states[i];
      if (s && s.version > item.version) moved.set(item.sku, s.updatedAt ? Date.parse(s.updatedAt) : now);
    });
    if (moved.size) await core.markDirty(tenant, moved, [channel]);
  }

  await release(done.map((s) => ({ sku: s, action: 'done' })));
  await release(again.map((s) => ({ sku: s, action: 'retry' })));
  for (const [delay, skus] of later) await release(skus.map((s) => ({ sku: s, action: 'retry' })), delay);
  return { inSync: 0 };
}
