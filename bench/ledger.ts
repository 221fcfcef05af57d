/**
 * `npm run bench -- ledger`: the ledger called directly beside a raw-Redis baseline (a trivial Lua
 * script via EVALSHA) on the same Redis, in the same run, at the same concurrency; p99 reserve
 * latency at half of peak load (open-loop, rate-limited); Redis bytes retained per event. HTTP rows
 * come from bench/ledger-http.ts when it exists. Prints a table and writes bench/results/ledger.json.
 *
 * Fairness: the baseline and the ledger use the same ioredis connection with default options (no
 * auto-pipelining). The ledger sends the events its callers hand it in the same turn of the event
 * loop as one script call (group commit, ledger/group-commit.ts); `callsPerOp` shows how many
 * EVALSHA calls Redis saw per operation. Ops/s on a shared 2-core machine swing with the load, so
 * each row also reports figures that depend less on it: Redis µs per op (INFO commandstats, time
 * inside EVALSHA), Redis CPU µs per op (INFO cpu) and this process's CPU µs per op.
 *
 * Beside them: the floor (bench/ledger-floor.ts), the nine commands a reserve must issue, run alone
 * from a Lua loop, and the ceiling that leaves; and Redis' slow log during the open-loop runs
 * (bench/slow-calls.ts), which tells stalls inside Redis from stalls in this process.
 *
 * Uses STOCKLINE_BENCH_REDIS_URL, or starts its own non-persistent redis-server on a free port.
 * Knobs: BENCH_OPS (ops per measured row, default 30000), BENCH_CONCURRENCY (default 50),
 * BENCH_HALF_RUNS (open-loop half-peak runs, default 3; the row reports the median run).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createKeys } from '../companion/src/ledger/keys';
import { createLedger } from '../companion/src/ledger/ledger';
import type { StockEvent } from '../companion/src/schemas/events';
import { startThrowawayRedis } from '../scripts/lib/throwaway-redis.mjs';
import { measureFloor, seedFloor } from './ledger-floor';
import { slowCalls } from './slow-calls';

export interface BenchRow {
  name: string;
  opsPerSec: number;
  linesPerSec?: number;
  p50Ms: number;
  p99Ms: number;
  /** EVALSHA calls Redis saw per operation (below 1: group commit). */
  callsPerOp?: number;
  /** Time inside EVALSHA per operation (INFO commandstats). */
  redisUsPerOp?: number;
  /** Redis CPU per operation (INFO cpu, user + sys). */
  redisCpuUsPerOp?: number;
  /** This process's CPU per operation (load generator and ledger client together). */
  clientCpuUsPerOp?: number;
  /** Open loop: worst event-loop delay during the run (timer lateness, GC pauses, CPU starvation). */
  loopDelayMaxMs?: number;
}

const OPS = Number(process.env.BENCH_OPS ?? 30_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const HALF_RUNS = Number(process.env.BENCH_HALF_RUNS ?? 3);
const CLIENT_NOTE =
  'raw and ledger rows share one ioredis connection with default options (no auto-pipelining); the ledger group-commits the events handed to it in the same event-loop turn (<= 16 per EVALSHA)';
const SKUS = 1000;

/** STOCKLINE_BENCH_REDIS_URL, or a private non-persistent redis-server removed after the run. */
async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const given = process.env.STOCKLINE_BENCH_REDIS_URL;
  if (given) return { url: given, stop: async () => {} };
  return startThrowawayRedis({ name: 'bench-ledger' });
}

const pct = (sorted: ArrayLike<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** What Redis and this process spent on a row, per operation (load-independent-ish figures). */
async function costMeter(redis: Redis) {
  const cpu = async () => {
    const info = await redis.info('cpu');
    const f = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return f('used_cpu_user') + f('used_cpu_sys');
  };
  await redis.config('RESETSTAT');
  const redisCpu0 = await cpu();
  const client0 = process.cpuUsage();
  return async (ops: number): Promise<Pick<BenchRow, 'callsPerOp' | 'redisUsPerOp' | 'redisCpuUsPerOp' | 'clientCpuUsPerOp'>> => {
    const client = process.cpuUsage(client0);
    const redisCpu = await cpu();
    const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await redis.info('commandstats'));
    return {
      callsPerOp: round(Number(m?.[1] ?? 0) / ops, 3),
      redisUsPerOp: round(Number(m?.[2] ?? 0) / ops),
      redisCpuUsPerOp: round(((redisCpu - redisCpu0) * 1e6) / ops),
      clientCpuUsPerOp: round((client.user + client.system) / ops),
    };
  };
}

/** Closed loop: `concurrency` workers each awaiting one op at a time until `ops` are done. */
async function closedLoop(name: string, ops: number, concurrency: number, op: (i: number) => Promise<unknown>, linesPerOp?: number, redis?: Redis): Promise<BenchRow> {
  const lat = new Float64Array(ops);
  let next = 0;
  const meter = redis ? await costMeter(redis) : null;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < ops; i = next++) {
        const s = performance.now();
        await op(i);
        lat[i] = performance.now() - s;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const costs = meter ? await meter(ops) : {};
  const sorted = lat.sort();
  const row: BenchRow = { name, opsPerSec: Math.round(ops / secs), p50Ms: round(pct(sorted, 50), 3), p99Ms: round(pct(sorted, 99), 3), ...costs };
  if (linesPerOp) row.linesPerSec = Math.round((ops * linesPerOp) / secs);
  return row;
}

/**
 * Open loop at a fixed arrival rate: op i is due at t0 + i/rate and is sent when due, whether or
 * not earlier ones returned; its latency runs from the moment it was sent. Node's timers tick about
 * once a millisecond, so each tick sends the ops that fell due since the last one (rate/1000 of
 * them, a handful; the ledger sends them to Redis as one group). A tick that comes late (a GC pause,
 * the machine busy elsewhere) sends a bigger burst; `loopDelayMaxMs` shows how late the worst was.
 * Latencies go into a preallocated array and completions are counted, not kept as promises: a
 * generator that holds every request's promise grows the heap by tens of MB per run and causes
 * the very GC pauses it then measures.
 */
async function openLoop(name: string, ratePerSec: number, seconds: number, op: (i: number) => Promise<unknown>): Promise<BenchRow> {
  const total = Math.round(ratePerSec * seconds);
  const lat = new Float64Array(total);
  let done = 0;
  let failed: unknown = null;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * ratePerSec));
    for (; sent < due; sent++) {
      const i = sent;
      const s = performance.now();
      op(i).then(
        () => {
          lat[i] = performance.now() - s;
          if (++done === total) allDone();
        },
        (err: unknown) => {
          failed = err;
          if (++done === total) allDone();
        },
      );
    }
    // Yield to the timer queue (not setImmediate): a busy loop would steal the CPU Redis needs.
    await new Promise((r) => setTimeout(r, 1));
  }
  await finished;
  delay.disable();
  if (failed) throw failed;
  const secs = (performance.now() - t0) / 1000;
  const sorted = lat.sort();
  return {
    name,
    opsPerSec: Math.round(total / secs),
    p50Ms: round(pct(sorted, 50), 3),
    p99Ms: round(pct(sorted, 99), 3),
    loopDelayMaxMs: round(delay.max / 1e6, 1),
  };
}

/**
 * The open loop HALF_RUNS times (its p99 rests on the worst 1% of a few seconds); the run with
 * the median p99 is the one reported.
 */
async function medianOpenLoop(name: string, ratePerSec: number, op: (i: number) => Promise<unknown>): Promise<{ runs: BenchRow[]; median: BenchRow }> {
  const runs: BenchRow[] = [];
  for (let r = 0; r < HALF_RUNS; r++) runs.push(await openLoop(name, ratePerSec, 3, op));
  const median = [...runs].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(runs.length / 2)]!;
  console.log(`${name}: p99 ms per run`, runs.map((r) => r.p99Ms), 'worst event-loop delay ms:', runs.map((r) => r.loopDelayMaxMs));
  return { runs, median };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function main() {
  const server = await startRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const prefix = `bench${randomBytes(4).toString('hex')}:`;
  const keys = createKeys({ prefix });
  const ledger = createLedger({ redis, keys, idempotencyTtlSeconds: 7 * 24 * 3600 });
  await ledger.ready();
  const now = () => new Date().toISOString();
  const sku = (i: number) => `SKU-${i % SKUS}`;
  let seq = 0;
  const id = (p: string) => `${p}-${++seq}`;

  // Plenty of stock everywhere so the measured ops are applied, not refused.
  await ledger.applyBatch(
    Array.from({ length: SKUS }, (_, i) => ({ id: id('seed'), type: 'stock.adjusted', source: 'manual', occurredAt: now(), sku: sku(i), set: 1e9, reason: 'bench' }) as StockEvent),
  );

  const trivial = `return redis.call('INCR', KEYS[1])`;
  const sha = (await redis.script('LOAD', trivial)) as string;
  const raw = (i: number) => redis.evalsha(sha, 1, `${prefix}{default}:raw:${i % SKUS}`);
  const reserve = (i: number) =>
    ledger.apply({ id: id('r'), type: 'stock.reserved', source: 'woocommerce', occurredAt: now(), reservationId: id('cart'), lines: [{ sku: sku(i), qty: 1 }], ttlSeconds: 900 });
  const confirm = (i: number) =>
    ledger.apply({ id: id('c'), type: 'order.confirmed', source: 'woocommerce', occurredAt: now(), orderId: id('o'), lines: [{ sku: sku(i), qty: 1 }] });
  const adjust = (i: number) => ledger.apply({ id: id('a'), type: 'stock.adjusted', source: 'manual', occurredAt: now(), sku: sku(i), delta: 1, reason: 'bench' });

  // Warm up the JIT, the connection and Redis' allocator before measuring.
  await closedLoop('warmup', 5000, CONCURRENCY, raw);
  await closedLoop('warmup', 5000, CONCURRENCY, reserve);

  const rows: BenchRow[] = [];
  const baseline = await closedLoop(`raw EVALSHA (trivial Lua), c=${CONCURRENCY}`, OPS, CONCURRENCY, raw, undefined, redis);
  rows.push(baseline);
  const direct = {
    reserve: await closedLoop(`ledger reserve (direct, group commit), c=${CONCURRENCY}`, OPS, CONCURRENCY, reserve, 1, redis),
    confirm: await closedLoop(`ledger confirm (direct, group commit), c=${CONCURRENCY}`, OPS, CONCURRENCY, confirm, 1, redis),
    adjust: await closedLoop(`ledger adjust (direct, group commit), c=${CONCURRENCY}`, OPS, CONCURRENCY, adjust, 1, redis),
  };
  rows.push(direct.reserve, direct.confirm, direct.adjust);
  const baselineAgain = await closedLoop(`raw EVALSHA again (drift check), c=${CONCURRENCY}`, OPS, CONCURRENCY, raw, undefined, redis);
  rows.push(baselineAgain);

  // The floor: the nine commands a reserve must issue, alone in a Lua loop (bench/ledger-floor.ts).
  await seedFloor(ledger);
  const floorSlow = await slowCalls(redis);
  const floorUs = await measureFloor(redis, keys, OPS);
  const slowDuringFloor = await floorSlow.read();

  // Peak is re-measured just before the rate-limited runs: on a shared machine capacity drifts,
  // and half of a stale peak can be more than the machine now sustains. The open-loop run is
  // repeated (its p99 rests on the worst 1% of a few seconds) and the median run is reported.
  const peakNow = await closedLoop('peak again', Math.min(OPS, 10_000), CONCURRENCY, reserve);
  const peak = Math.max(direct.reserve.opsPerSec, peakNow.opsPerSec);
  const half = Math.round(Math.min(direct.reserve.opsPerSec, peakNow.opsPerSec) / 2);
  const slow = await slowCalls(redis);
  const { runs: halfRuns, median: halfLoad } = await medianOpenLoop(`ledger reserve at half peak (${half}/s of ${peak}/s, open loop)`, half, reserve);
  const slowDuringHalfPeak = await slow.read();
  rows.push({ ...halfLoad, name: `${halfLoad.name}, median of ${HALF_RUNS} runs` });
  if (halfLoad.opsPerSec < half * 0.95) console.warn(`half-peak run only reached ${halfLoad.opsPerSec}/s: the machine is busier than when peak was measured`);

  // The same open loop for the trivial script at half of its own peak: what this machine's tail
  // is for a call that costs Redis almost nothing (the reserve's target, 2 ms, beside it).
  const rawHalf = Math.round(Math.min(baseline.opsPerSec, baselineAgain.opsPerSec) / 2);
  const rawSlow = await slowCalls(redis);
  const { runs: rawHalfRuns, median: rawHalfLoad } = await medianOpenLoop(`raw EVALSHA at half its peak (${rawHalf}/s, open loop)`, rawHalf, raw);
  const slowDuringRawHalfPeak = await rawSlow.read();
  rows.push({ ...rawHalfLoad, name: `${rawHalfLoad.name}, median of ${HALF_RUNS} runs` });

  // Bytes retained per applied event: everything an event leaves behind (idempotency result,
  // audit entry, change-feed entry, reservation/order state), measured on fresh SKUs.
  const memory: Record<string, number> = {};
  for (const [kind, op] of Object.entries({ reserve, confirm, adjust })) {
    const n = 20_000;
    const before = await usedMemory(redis);
    await closedLoop('memory', n, CONCURRENCY, op);
    memory[kind] = Math.round(((await usedMemory(redis)) - before) / n);
  }

  // bench/ledger-http.ts belongs to the HTTP API work; a computed specifier keeps tsc from requiring it.
  const httpModule = './ledger-http';
  const http = await import(httpModule).catch(() => null);
  if (http && typeof http.benchLedgerHttp === 'function') {
    const httpRows = (await http.benchLedgerHttp({ redisUrl: server.url, prefix: `${prefix}http:` })) as BenchRow[];
    rows.push(...httpRows);
  }

  const base = (baseline.opsPerSec + baselineAgain.opsPerSec) / 2;
  const ratios = Object.fromEntries(Object.entries(direct).map(([k, r]) => [k, round(r.opsPerSec / base)]));
  const table = rows.map((r) => ({ ...r, ratioToRaw: r.name.startsWith('ledger') && !r.name.includes('half') ? round(r.opsPerSec / base) : undefined }));
  console.log(CLIENT_NOTE);
  console.table(table);
  console.log('Redis bytes retained per event:', memory);
  const targets = {
    directAtLeastHalfOfRaw: Math.min(...Object.values(ratios)) >= 0.5,
    p99ReserveUnder2msAtHalfPeak: halfLoad.p99Ms < 2,
  };
  console.log('targets:', targets);
  // Not a target: the trivial script's own p99 at half of its peak, for scale.
  // Where the ratio target stands against the commands alone: Redis CPU per reserve outside the
  // script (reading the call, replying) plus the floor is the least any script could cost.
  const r = direct.reserve;
  const outsideUs = Math.max(0, (r.redisCpuUsPerOp ?? 0) - (r.redisUsPerOp ?? 0));
  const ceilingOps = Math.round(1e6 / (floorUs + outsideUs));
  const floor = {
    commandsUsPerReserve: round(floorUs),
    reserveScriptUsPerOp: r.redisUsPerOp,
    redisOutsideScriptUsPerOp: round(outsideUs),
    ceilingOpsPerSec: ceilingOps,
    ceilingRatioToRaw: round(ceilingOps / base),
    slowRedisCalls: slowDuringFloor,
  };
  console.log('floor (reserve\'s nine commands alone, no script logic; Redis at 100%):', floor);
  const reference = { rawP99AtHalfPeakMs: rawHalfLoad.p99Ms, reserveP99AtHalfPeakMs: halfLoad.p99Ms, slowRedisCallsDuringReserveHalfPeak: slowDuringHalfPeak, slowRedisCallsDuringRawHalfPeak: slowDuringRawHalfPeak };
  console.log('reference:', reference);
  // Shared machines swing by 5× between runs; the load average says how busy this one was.
  const machine = { cpus: cpus().length, loadAverage: loadavg().map((l) => round(l)) };
  console.log('machine:', machine);

  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'ledger.json');
  mkdirSync(dirname(out), { recursive: true });
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  writeFileSync(
    out,
    `${JSON.stringify({ at: new Date().toISOString(), command: 'npm run bench -- ledger', redisVersion, concurrency: CONCURRENCY, opsPerRow: OPS, machine, client: CLIENT_NOTE, rows: table, halfPeakRuns: halfRuns, rawHalfPeakRuns: rawHalfRuns, ratioToRaw: ratios, bytesPerEvent: memory, targets, floor, reference }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
  await redis.quit();
  await server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
