/**
 * Group commit. Every event script call costs Redis a fixed amount before the script does anything
 * useful (parsing the call and its arguments, setting up the script, building its helpers) and
 * costs this process one command, one socket write and one reply. Under load many callers hand the
 * ledger events at the same moment, so the calls queued during one turn of the event loop are sent
 * together: per tenant, up to MAX_GROUP events in one call of lua/batch-n.lua, which runs each
 * event's own script code, in order, each judged alone. A lone event is sent as its own script.
 *
 * Nothing waits for a group to fill: a full group is sent at once, and the rest on process.nextTick,
 * i.e. as soon as the code that is running now (e.g. every caller resumed by one socket read) has
 * queued its events.
 * Order is kept per tenant (one connection, calls pipelined in queue order); tenants are
 * independent (different keys, different Cluster slots).
 */
import { EVENT_SCRIPTS, type ScriptCall, type ScriptRunner } from './scripts';

/**
 * Events per batch call. Small enough that a group leaves while this process is still resuming
 * the callers of the previous one, so Redis and this process work at the same time (one large
 * group per turn would leave each side idle while the other works); large enough to spread the
 * per-call cost. Also bounds how long one call holds Redis (≈ 20 µs per event).
 */
export const MAX_GROUP = 16;

/**
 * Keys and arguments per batch call: a group also leaves once its events carry this many (about
 * 500 order lines), so one call holds Redis for a bounded time whatever the events' size. Sixteen
 * reservations of 500 lines in one call held Redis for 2.1 s, and another tenant's requests
 * timed out behind it (a chaos probe: p99 177 ms → 6 s, seven 503s). An event larger than this
 * still goes, alone.
 */
export const MAX_GROUP_WEIGHT = 1_024;

const weightOf = (call: ScriptCall) => call.keys.length + call.args.length;

interface Pending {
  call: ScriptCall;
  resolve: (reply: unknown) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommit {
  /**
   * Queues one event script call; resolves with its reply, exactly as if it had been sent alone.
   * Any other script call is sent at once, after the calls queued before it.
   */
  submit(tenant: string, call: ScriptCall): Promise<unknown>;
}

const groupable = new Set<string>(EVENT_SCRIPTS);

/**
 * lua/batch-n.lua's layout: the values every event of a tenant shares (audit and change-feed keys,
 * idempotency TTL, SKU key prefix, rare keys: common.lua's KEYS[2..3] and ARGV[6..8]) travel once.
 */
function batchCall(group: Pending[]): ScriptCall {
  const first = group[0]!.call;
  const keys: string[] = [first.keys[1]!, first.keys[2]!];
  const args: (string | number)[] = [group.length, first.args[5]!, first.args[6]!, first.args[7]!];
  for (const { call } of group) {
    const k = call.keys;
    const a = call.args;
    keys.push(k[0]!);
    for (let i = 3; i < k.length; i++) keys.push(k[i]!);
    args.push(call.name, k.length - 2, a.length - 3, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!);
    for (let i = 8; i < a.length; i++) args.push(a[i]!);
  }
  return { name: 'batch-n', keys, args };
}

export function createGroupCommit(scripts: ScriptRunner, maxGroup = MAX_GROUP, maxWeight = MAX_GROUP_WEIGHT): GroupCommit {
  let queue = new Map<string, Pending[]>();
  /** Keys and arguments of each tenant's queued group. */
  const weights = new Map<string, number>();
  let scheduled = false;

  /** Sends groups in one pipeline (runMany keeps their order and loads missing scripts first). */
  function send(groups: Pending[][]) {
    scripts.runMany(groups.map((g) => (g.length === 1 ? g[0]!.call : batchCall(g)))).then(
      (replies) => {
        replies.forEach((reply, i) => {
          const group = groups[i]!;
          if (reply instanceof Error) return group.forEach((p) => p.reject(reply));
          if (group.length === 1) return group[0]!.resolve(reply);
          const each = reply as unknown[];
          group.forEach((p, j) => {
            const r = each[j];
            if (Array.isArray(r) && r[0] === 'error') p.reject(new Error(String(r[1])));
            else p.resolve(r);
          });
        });
      },
      (err: unknown) => groups.forEach((g) => g.forEach((p) => p.reject(err))),
    );
  }

  function flush() {
    scheduled = false;
    const groups = [...queue.values()];
    queue = new Map();
    weights.clear();
    send(groups);
  }

  return {
    submit(tenant, call) {
      if (!groupable.has(call.name)) {
        // Pause, relist and expiry sweeps run alone, after what was queued before them (call order).
        if (queue.size > 0) flush();
        return scripts.run(call);
      }
      return new Promise((resolve, reject) => {
        const weight = weightOf(call);
        let pending = queue.get(tenant);
        // This event would make the group too heavy: the group leaves first, and it starts the next.
        if (pending && (weights.get(tenant) ?? 0) + weight > maxWeight) {
          queue.delete(tenant);
          weights.delete(tenant);
          send([pending]);
          pending = undefined;
        }
        if (!pending) queue.set(tenant, (pending = []));
        pending.push({ call, resolve, reject });
        weights.set(tenant, (weights.get(tenant) ?? 0) + weight);
        if (pending.length === maxGroup || weights.get(tenant)! >= maxWeight) {
          // A full group leaves at once, so Redis starts on it while this process is still
          // resuming callers (e.g. the ones answered by the previous group) and queuing more.
          queue.delete(tenant);
          weights.delete(tenant);
          send([pending]);
        } else if (!scheduled) {
          scheduled = true;
          process.nextTick(flush);
        }
      });
    },
  };
}
