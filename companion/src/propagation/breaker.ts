/**
 * Circuit breaker per channel, shared through Redis so every worker process agrees.
 *
 * closed ──(failure rate > threshold over the window, with ≥ minSamples outcomes)──▶ open
 * closed ──(≥ consecutiveFailures failed calls in a row, no success between, spanning ≥ consecutiveMs)──▶ open
 * open ──(cool-down elapsed; exactly one caller is granted a probe)──▶ half-open
 * half-open ──(probe succeeds)──▶ closed (window cleared, old failures forgotten)
 * half-open ──(probe fails)──▶ open again (fresh cool-down)
 *
 * Each transition happens inside one Lua script, so two workers can never both take the probe
 * or both re-open. The probe is a lease: a worker that dies mid-probe does not wedge the channel,
 * another probe is granted once the lease runs out. Outcomes are counted in 10-second slot
 * hashes; the window is the sum of the slots it spans. Throttling is not a failure (the limiter
 * handles it), and neither are per-item data errors the caller chooses to ignore.
 *
 * Why two rules: the rate needs minSamples outcomes per window, and a channel that drops every
 * connection at low traffic never gets there — retries back off (1 s, 2 s, 4 s …), so a 40 s
 * outage with a handful of changes is ~6 failed calls, and the channel stayed "closed" and
 * "degraded" throughout. "Every recent call failed" is a sustained failure whatever the traffic,
 * so a run of failed calls opens it too. A run counts calls (reports), not items, so one failed
 * 50-item batch is one failure. Any success ends the run (a flaky failure among successes never
 * opens it), and so does a gap longer than the window (old failures are not "recent"). The run
 * must also span consecutiveMs: a blip that fails every call in flight at one instant (several
 * jobs, several workers) is retried a second later and succeeds; it is not an outage.
 *
 * Keys live under the scope tenant's hash tag (channels are configured once per deployment).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  redis: Redis;
  keys: Keys;
  /** Failure rate above which the breaker opens (0.01 = 1 %). */
  failureRate: number;
  /** Window the rate is measured over (rounded up to whole 10-second slots). */
  windowMs: number;
  /** Fewest outcomes in the window before the rate counts (one failed push of two is not "sustained"). */
  minSamples?: number;
  /** Failed calls in a row (no success between) that open the breaker whatever the traffic; 0 turns the rule off. */
  consecutiveFailures?: number;
  /** …once the first of them is at least this old (a blip failing every call in flight at once is not an outage). */
  consecutiveMs?: number;
  /** How long the breaker stays open before a probe. */
  cooldownMs?: number;
  /**
   * While half-open, at most one probe is granted per this long. Short on purpose: a probe can be
   * granted to a job that then finds nothing to push, and that must not stall the channel.
   */
  probeLeaseMs?: number;
  /** How long a process trusts a "closed" answer before asking Redis again. */
  cacheMs?: number;
  scopeTenant?: string;
  now?: () => number;
  onTransition?: (e: { channel: string; from: BreakerState; to: BreakerState; at: number }) => void;
}

const SLOT_MS = 10_000;

/*
 * KEYS[1] state hash, KEYS[2..] window slot hashes, current slot first.
 * ARGV now, ok, fail, rate, minSamples, cooldownMs, slotTtlSeconds, consecutiveFailures,
 * consecutiveMs, windowMs. The run of failed calls lives in the state hash (streak = calls,
 * streakFrom / streakAt = first and last failure, ms).
 * downSince: when the breaker first opened for the outage under way (kept through failed probes);
 * lastDownFrom / lastDownTo: the last outage once it ended (the admin page shows it afterwards).
 * Returns { previous state, new state }.
 */
const RECORD = `
local st = KEYS[1]
local now, ok, fail = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local rate, minSamples, cooldown, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local runMin, runMs, window = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local state = redis.call('HGET', st, 'state') or 'closed'
if state == 'half-open' then
  if fail > 0 then
    redis.call('HSET', st, 'state', 'open', 'openedAt', now, 'until', now + cooldown, 'probeUntil', 0)
    return { state, 'open' }
  elseif ok > 0 then
    -- The outage ends: kept as the last one (downSince is when it first opened, through failed probes).
    local since = redis.call('HGET', st, 'downSince') or now
    redis.call('HSET', st, 'state', 'closed', 'closedAt', now, 'probeUntil', 0, 'lastDownFrom', since, 'lastDownTo', now)
    redis.call('HDEL', st, 'downSince')
    for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
    return { state, 'closed' }
  end
  return { state, state }
end
if ok > 0 then redis.call('HINCRBY', KEYS[2], 'ok', ok) end
if fail > 0 then redis.call('HINCRBY', KEYS[2], 'fail', fail) end
redis.call('EXPIRE', KEYS[2], ttl)
if state == 'open' then return { state, state } end
local tok, tfail = 0, 0
for i = 2, #KEYS do
  local v = redis.call('HMGET', KEYS[i], 'ok', 'fail')
  tok = tok + (tonumber(v[1]) or 0)
  tfail = tfail + (tonumber(v[2]) or 0)
end
local total = tok + tfail
local run = false
if ok > 0 then
  redis.call('HDEL', st, 'streak', 'streakFrom', 'streakAt')
elseif fail > 0 and runMin > 0 then
  -- A gap longer than the window starts a new run: those failures are not recent any more.
  if now - tonumber(redis.call('HGET', st, 'streakAt') or 0) > window then
    redis.call('HSET', st, 'streak', 0, 'streakFrom', now)
  end
  local n = redis.call('HINCRBY', st, 'streak', 1)
  redis.call('HSET', st, 'streakAt', now)
  run = n >= runMin and now - tonumber(redis.call('HGET', st, 'streakFrom')) >= runMs
end
if fail > 0 and (run or (total >= minSamples and tfail / total > rate)) then
  redis.call('HSET', st, 'state', 'open', 'openedAt', now, 'until', now + cooldown, 'probeUntil', 0, 'downSince', now)
  redis.call('HDEL', st, 'streak', 'streakFrom', 'streakAt')
  return { state, 'open' }
end
return { state, state }
`;

/*
 * KEYS[1] state hash. ARGV now, probeLeaseMs.
 * Returns { verdict, previous state, new state }: verdict 1 = push, 2 = push as the probe, 0 = hold.
 */
const ASK = `
local st = KEYS[1]
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HGET', st, 'state') or 'closed'
if state == 'closed' then return { 1, state, state } end
if state == 'open' then
  if now >= tonumber(redis.call('HGET', st, 'until') or 0) then
    redis.call('HSET', st, 'state', 'half-open', 'probeUntil', now + lease)
    return { 2, state, 'half-open' }
  end
  return { 0, state, state }
end
if now >= tonumber(redis.call('HGET', st, 'probeUntil') or 0) then
  redis.call('HSET', st, 'probeUntil', now + lease)
  return { 2, state, state }
end
return { 0, state, state }
`;

/** The defaults of BreakerOptions; config.ts uses the same ones for its STOCKLINE_BREAKER_* variables. */
export const BREAKER_DEFAULTS = { minSamples: 20, consecutiveFailures: 5, consecutiveMs: 5_000, cooldownMs: 15_000, probeLeaseMs: 1_000, cacheMs: 100 } as const;

export function createBreaker(opts: BreakerOptions) {
  const { redis, keys, failureRate, windowMs, now = Date.now, onTransition } = opts;
  const minSamples = opts.minSamples ?? BREAKER_DEFAULTS.minSamples;
  const consecutiveFailures = opts.consecutiveFailures ?? BREAKER_DEFAULTS.consecutiveFailures;
  const consecutiveMs = opts.consecutiveMs ?? BREAKER_DEFAULTS.consecutiveMs;
  const cooldownMs = opts.cooldownMs ?? BREAKER_DEFAULTS.cooldownMs;
  const probeLeaseMs = opts.probeLeaseMs ?? BREAKER_DEFAULTS.probeLeaseMs;
  const cacheMs = opts.cacheMs ?? BREAKER_DEFAULTS.cacheMs;
  const scope = opts.scopeTenant ?? 'default';
  const slots = Math.max(1, Math.ceil(windowMs / SLOT_MS));
  const slotTtl = Math.ceil((slots + 1) * SLOT_MS / 1000) + 10;
  /** channel → until when a "closed" answer may be reused without asking Redis. */
  const closedUntil = new Map<string, number>();
  // EVALSHA through defineCommand (EVAL fallback after a script flush): RECORD runs on every push,
  // and sending its 1.2 kB body each time cost the event loop and Redis a hash of it per call.
  const r = redis as unknown as Record<string, unknown>;
  if (typeof r.stocklineBreakerRecord !== 'function') {
    redis.defineCommand('stocklineBreakerRecord', { lua: RECORD });
    redis.defineCommand('stocklineBreakerAsk', { numberOfKeys: 1, lua: ASK });
  }
  const ask = (key: string, at: number, lease: number) =>
    (redis as unknown as { stocklineBreakerAsk(k: string, at: number, lease: number): Promise<[number, string, string]> }).stocklineBreakerAsk(key, at, lease);

  const stateKey = (channel: string) => keys.propagation(scope, `breaker:${channel}`);
  const windowKeys = (channel: string, at: number) => {
    const cur = Math.floor(at / SLOT_MS);
    return Array.from({ length: slots }, (_, i) => keys.propagation(scope, `breaker:${channel}:w:${cur - i}`));
  };

  const transition = (channel: string, from: string, to: string, at: number) => {
    if (from === to) return;
    if (to !== 'closed') closedUntil.delete(channel);
    onTransition?.({ channel, from: from as BreakerState, to: to as BreakerState, at });
  };

  return {
    /** True when a push may go out; in half-open only the one probe gets true. */
    async canPush(channel: string): Promise<boolean> {
      const at = now();
      if ((closedUntil.get(channel) ?? 0) > at) return true;
      const [verdict, from, to] = await ask(stateKey(channel), at, probeLeaseMs);
      transition(channel, from, to, at);
      if (verdict === 1 && cacheMs > 0) closedUntil.set(channel, at + cacheMs);
      return verdict !== 0;
    },

    /**
     * Queues the counting of one push's outcomes on a pipeline (items, not calls, so channels
     * with different batch sizes compare); call the returned function with that command's reply.
     */
    recordOn(pipe: ChainableCommander, channel: string, ok: number, fail: number, at = now()): (reply: unknown) => BreakerState {
      const ks = [stateKey(channel), ...windowKeys(channel, at)];
      // Variable key count: defineCommand without numberOfKeys takes it as the first argument.
      (pipe as unknown as { stocklineBreakerRecord(...a: (string | number)[]): unknown }).stocklineBreakerRecord(ks.length, ...ks, at, ok, fail, failureRate, minSamples, cooldownMs, slotTtl, consecutiveFailures, consecutiveMs, windowMs);
      return (reply) => {
        const [from, to] = reply as [string, string];
        transition(channel, from, to, at);
        return to as BreakerState;
      };
    },

    /** Counts outcomes of one push on its own. */
    async record(channel: string, ok: number, fail: number): Promise<BreakerState> {
      if (ok === 0 && fail === 0) return this.state(channel);
      const pipe = redis.pipeline();
      const settle = this.recordOn(pipe, channel, ok, fail);
      const [[err, reply]] = (await pipe.exec()) as [[Error | null, unknown]];
      if (err) throw err;
      return settle(reply);
    },

    /**
     * State plus when it last closed (ms, 0 if never), so alerts can ignore failures from before;
     * the last outage (opened → closed again, ms) once one ended; and since when it is down now.
     */
    async snapshot(channel: string): Promise<{ state: BreakerState; closedAt: number; lastOutage: { from: number; to: number } | null; downSince: number | null }> {
      const [state, closedAt, from, to, since] = await redis.hmget(stateKey(channel), 'state', 'closedAt', 'lastDownFrom', 'lastDownTo', 'downSince');
      return {
        state: (state as BreakerState | null) ?? 'closed',
        closedAt: Number(closedAt ?? 0),
        lastOutage: from && to ? { from: Number(from), to: Number(to) } : null,
        downSince: since ? Number(since) : null,
      };
    },

    /** The shared state as stored; an open breaker whose cool-down passed still reads "open" until probed. */
    async state(channel: string): Promise<BreakerState> {
      return ((await redis.hget(stateKey(channel), 'state')) as BreakerState | null) ?? 'closed';
    },
  };
}
export type Breaker = ReturnType<typeof createBreaker>;
