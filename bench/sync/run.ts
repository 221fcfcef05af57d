/**
 * One benchmark mode against the real thing: sandboxes in this process (the shoppers buy there,
 * each accepting an order only if its own last-known quantity allows, then reporting it to
 * Stockline through the channel's real order path), Stockline in a child process.
 *
 * Convergence is judged from outside: a channel has converged when every SKU it shows equals
 * max(0, initial − units accepted on all channels), i.e. what the ledger must project once every
 * order has been reported — no reading of Stockline's own state.
 */
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createKeys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import type { ChannelLimits } from '../../companion/src/channels/port';
import type { SandboxStats } from '../../companion/src/channels/sandbox-kit/types';
import { createLagStore } from '../../companion/src/propagation/lag';
import type { StockEvent } from '../../companion/src/schemas/events';
import type { Incident } from '../../companion/src/schemas/stock';
import { startSandbox, type StartedSandbox } from './channels';
import { oversoldUnits, type Sale } from './orders';
import { freePort } from './redis';
import { placeOrders } from './place-orders';
import { createDirectReporter } from './reporter';
import type { ChildInput } from './stockline-process';

const ROOT = join(import.meta.dirname, '..', '..');
const TENANT = 'default';

export interface ChannelFigures {
  lag: { p50: number; p95: number; p99: number; max: number; count: number };
  apiCalls: number;
  throttled429: number;
  rowsWritten: number;
  ordersAccepted: number;
  ordersRefused: number;
  limits: ChannelLimits | null;
  /** SKUs the channel showed wrong when the last order had been placed. */
  dirtyAtBurstEnd: number;
  /** ms after the burst until the channel showed every SKU right (null: not within the time allowed). */
  convergedAfterBurstMs: number | null;
  /** dirty SKUs ÷ SKUs the channel may be sent per second (rate × batch), in ms. */
  floorMs: number;
  series: { t: number; p50: number; p99: number; max: number; count: number }[];
}

export interface ModeResult {
  mode: 'limits-off' | 'limits-on';
  report: 'channel' | 'direct';
  /** With --report direct: order placed → the ledger acknowledged its report. */
  reportDelayMs?: { p50: number; p99: number; max: number };
  burstMs: number;
  /** 1-minute load average of the machine before the sale and after convergence (2 cores, shared). */
  loadAverage: { before: number; after: number };
  ordersPlaced: number;
  ordersAccepted: number;
  unitsAccepted: number;
  oversoldUnits: number;
  incidentUnits: number;
  unitsInLedger: number;
  /** Units each channel sold, and how many of them reached the ledger as order.confirmed. */
  unitsSoldBy: Record<string, { sold: number; recorded: number; oversold: number }>;
  channels: Record<string, ChannelFigures>;
}

/** Units per source in the ledger's order.confirmed audit entries. */
/** Units of the sale's SKUs (not the warm-up's) the ledger recorded per selling channel. */
async function reportedUnits(redis: Redis, stream: string, skus: Set<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let from = '-';
  for (;;) {
    const page = await redis.xrange(stream, from, '+', 'COUNT', 5000);
    for (const [, fields] of page) {
      const i = fields.indexOf('e');
      const e = JSON.parse(fields[i + 1] ?? '{}') as { type?: string; source?: string; lines?: { sku?: string; qty?: number }[] };
      if (e.type !== 'order.confirmed' || !e.source) continue;
      out.set(e.source, (out.get(e.source) ?? 0) + (e.lines ?? []).reduce((s, l) => s + (l.sku !== undefined && skus.has(l.sku) ? (l.qty ?? 0) : 0), 0));
    }
    if (page.length < 5000) return out;
    from = `(${page[page.length - 1]![0]}`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function commandStats(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g)) out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}

/** CPU time (user + system, ms) a child has used so far, from /proc (Linux); 0 elsewhere. */
function childCpuMs(child: ChildProcess | undefined): number {
  try {
    const stat = readFileSync(`/proc/${child?.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return 0;
  }
}

function startChild(input: ChildInput): Promise<{ child: ChildProcess; limits: Record<string, ChannelLimits>; stderr: () => string }> {
  // BENCH_CHILD_NODE_ARGS: extra node flags for the Stockline process (e.g. --cpu-prof), which NODE_OPTIONS refuses.
  const extra = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', join(ROOT, 'bench/sync/stockline-process.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_SYNC: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (process.env.BENCH_LOG_LEVEL) child.stderr!.pipe(process.stderr);
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + String(d)).slice(-8000)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Stockline process did not start within 60 s:\n${err}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /READY (.*)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, limits: (JSON.parse(m[1]!) as { limits: Record<string, ChannelLimits> }).limits, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Stockline process exited (${code}) before it was ready:\n${err}`));
    });
  });
}

/**
 * Waits until no channel has work outstanding (dirty or being pushed) and each has acknowledged
 * at least `minAcks` pushes in the last 5 minutes; false when `timeoutMs` passes first.
 */
async function untilIdle(base: string, adminToken: string, timeoutMs: number, minAcks = 0, onTimeout?: (channels: ChannelRow[]) => void): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${base}/v1/channels`, { headers: { authorization: `Bearer ${adminToken}` } });
    const { channels } = (await res.json()) as { channels: ChannelRow[] };
    if (channels.every((c) => c.queueDepth === 0 && c.lag['5m'].count >= minAcks)) return true;
    if (Date.now() > deadline) {
      onTimeout?.(channels);
      return false;
    }
    await sleep(250);
  }
}
type ChannelRow = { id: string; queueDepth: number; lag: { '5m': { count: number } } };

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

const diff = (a: SandboxStats, b: SandboxStats) => ({
  calls: a.calls - b.calls,
  throttled: a.throttled - b.throttled,
  rowsWritten: a.rowsWritten - b.rowsWritten,
  ordersAccepted: a.ordersAccepted - b.ordersAccepted,
  ordersRefused: a.ordersRefused - b.ordersRefused,
});

export async function runMode(o: {
  limitsOff: boolean;
  /** 'channel': each channel's own order path; 'direct': the bench posts each accepted order to /v1/events. */
  report: 'channel' | 'direct';
  sale: Sale;
  channels: string[];
  redisUrl: string;
  log: (s: string) => void;
  /** Longest wait for convergence after the burst. */
  convergeTimeoutMs: number;
  /** Per-channel buffers (units held back), set as channel rules before the sale. */
  buffers?: Record<string, number>;
  /** Orders on other SKUs (stock to spare) played before the sale and not measured: Stockline as it runs in a store, warm, not just started. */
  warmup?: Sale;
}): Promise<ModeResult> {
  const mode = o.limitsOff ? 'limits-off' : 'limits-on';
  const prefix = `bench-${mode}-${randomBytes(3).toString('hex')}:`;
  const secret = randomBytes(24).toString('hex');
  const adminToken = randomBytes(24).toString('hex');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const catalogue = [o.sale, ...(o.warmup ? [o.warmup] : [])];
  const listings = catalogue.flatMap((sale) => sale.skus.map((sku) => ({ sku, quantity: sale.initial.get(sku)! })));
  const sandboxes: StartedSandbox[] = [];
  for (const id of o.channels) {
    const webhookUrl = o.report === 'channel' ? `${base}/v1/webhooks/${id}` : undefined;
    sandboxes.push(await startSandbox(id, { throttling: !o.limitsOff, webhookUrl, pluginSecret: secret, listings }));
  }
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const keys = createKeys({ prefix });
  const ledger = createLedger({ redis, keys, idempotencyTtlSeconds: 3600 });
  await ledger.ready();
  const lag = createLagStore({ redis, keys });
  let child: ChildProcess | undefined;
  let workerChild: ChildProcess | undefined;
  try {
    // The catalogue: the ledger learns the stock the channels already show.
    const at = new Date().toISOString();
    await ledger.applyBatch(listings.map((l, i) => ({ id: `seed-${i}`, type: 'stock.received', source: 'manual', occurredAt: at, sku: l.sku, qty: l.quantity }) as StockEvent));
    o.log(`${mode}: starting Stockline (child process) with ${o.channels.join(', ')}`);
    const childInput = { redisUrl: o.redisUrl, prefix, port, secret, adminToken, limitsOff: o.limitsOff, ingestion: o.report === 'channel', channels: sandboxes.map((s) => ({ id: s.id, config: s.childConfig })) };
    // BENCH_PROCESSES=2 runs Stockline as README's "at scale" does: an api process and a worker process.
    const split = process.env.BENCH_PROCESSES === '2';
    const started = await startChild({ ...childInput, role: split ? 'api' : 'all' });
    child = started.child;
    if (split) workerChild = (await startChild({ ...childInput, role: 'worker' })).child;
    for (const [channel, buffer] of Object.entries(o.buffers ?? {})) {
      const res = await fetch(`${base}/v1/rules/channels/${channel}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ buffer }),
      });
      if (!res.ok) throw new Error(`rule for ${channel} refused: ${res.status} ${await res.text()}`);
      o.log(`${mode}: ${channel} shows ${buffer} unit(s) fewer than available (buffer rule)`);
    }
    // Let the first push of every SKU (the catalogue) finish before the sale, so it does not count.
    await untilIdle(base, adminToken, o.convergeTimeoutMs, listings.length, (channels) =>
      o.log(`${mode}: catalogue push not finished (${channels.map((c) => `${c.id} ${c.lag['5m'].count}/${listings.length}`).join(', ')}); starting anyway`),
    );
    const byId = new Map(sandboxes.map((s) => [s.id, s.handle]));
    if (o.warmup) {
      o.log(`${mode}: warm-up — ${o.warmup.orders.length} orders on ${o.warmup.skus.length} other SKUs (not measured)`);
      const warm = o.report === 'direct' ? createDirectReporter({ url: base, secret, idPrefix: 'warmup' }) : null;
      await placeOrders(o.warmup.orders, byId, warm, () => undefined);
      await warm?.close();
      await untilIdle(base, adminToken, o.convergeTimeoutMs, 0, () => o.log(`${mode}: warm-up pushes not finished; starting the sale anyway`));
    }
    await sleep(1000);
    const before = new Map(sandboxes.map((s) => [s.id, s.handle.stats()]));

    // The sale: every order at its millisecond, on its channel, through the shopper endpoint.
    o.log(`${mode}: flash sale — ${o.sale.orders.length} orders at ${Math.round((o.sale.orders.length / o.sale.durationMs) * 1000)}/s over ${o.sale.skus.length} SKUs`);
    const accepted = new Map<string, number>();
    const acceptedBy = new Map<string, number>(o.channels.map((c) => [c, 0]));
    let ordersAccepted = 0;
    const acceptedLog: { channel: string; sku: string; qty: number }[] = [];
    const loadBefore = loadavg()[0]!;
    const t0 = Date.now();
    const apiCpu0 = childCpuMs(child);
    const cpu0 = apiCpu0 + childCpuMs(workerChild);
    const stats0 = process.env.BENCH_REDIS_STATS ? await commandStats(redis) : null;
    const direct = o.report === 'direct' ? createDirectReporter({ url: base, secret }) : null;
    await placeOrders(o.sale.orders, byId, direct, (ord) => {
      ordersAccepted++;
      acceptedLog.push(ord);
      acceptedBy.set(ord.channel, acceptedBy.get(ord.channel)! + ord.qty);
      accepted.set(ord.sku, (accepted.get(ord.sku) ?? 0) + ord.qty);
    });
    const burstEnd = Date.now();
    const cpuBurst = childCpuMs(child) + childCpuMs(workerChild) - cpu0;
    const apiCpuBurst = childCpuMs(child) - apiCpu0;
    if (stats0) {
      // BENCH_REDIS_STATS=1: which Redis commands the burst cost (calls and server µs per order).
      const after = await commandStats(redis);
      const rows = [...after].map(([cmd, v]) => ({ cmd, calls: v.calls - (stats0.get(cmd)?.calls ?? 0), usec: v.usec - (stats0.get(cmd)?.usec ?? 0) }));
      rows.sort((a, b) => b.calls - a.calls);
      for (const r of rows.slice(0, 15)) o.log(`  redis ${r.cmd.padEnd(16)} ${(r.calls / o.sale.orders.length).toFixed(2)} calls/order, ${(r.usec / o.sale.orders.length).toFixed(1)} µs/order`);
    }
    o.log(`${mode}: Stockline ${workerChild ? 'processes (api + worker)' : 'process'} CPU during the burst: ${(cpuBurst / 1000).toFixed(2)} s over ${((burstEnd - t0) / 1000).toFixed(1)} s (${Math.round((cpuBurst / (burstEnd - t0)) * 100)}% of one core), ${Math.round((cpuBurst * 1000) / o.sale.orders.length)} µs per order${workerChild ? ` (api ${Math.round((apiCpuBurst * 1000) / o.sale.orders.length)} µs, worker ${Math.round(((cpuBurst - apiCpuBurst) * 1000) / o.sale.orders.length)} µs)` : ''}`);
    const reporting = direct ? await direct.close() : null;
    if (reporting) o.log(`${mode}: order reports acknowledged by the ledger after p50 ${reporting.delayMs.p50} ms, p99 ${reporting.delayMs.p99} ms (${reporting.failed} undelivered)`);
    for (const why of new Set(reporting?.failures ?? [])) o.log(`${mode}: a batch of order reports was not delivered: ${why}`);
    if (reporting && o.channels.includes('woocommerce')) {
      const g = reporting.guard;
      o.log(`${mode}: WooCommerce checkout guard: ${g.held} held, ${g.refused} refused (sold out), ${g.open} failed open (no answer within 500 ms)`);
    }
    const truth = new Map(o.sale.skus.map((s) => [s, Math.max(0, o.sale.initial.get(s)! - (accepted.get(s) ?? 0))]));
    const wrong = (id: string) => {
      const shown = byId.get(id)!.quantities();
      let n = 0;
      // A buffered channel is right when it shows the buffer less (never below 0).
      const buffer = o.buffers?.[id] ?? 0;
      for (const [sku, q] of truth) if (shown[sku] !== Math.max(0, q - buffer)) n++;
      return n;
    };
    const dirtyAtBurstEnd = new Map(o.channels.map((c) => [c, wrong(c)]));
    o.log(`${mode}: burst over after ${burstEnd - t0} ms; SKUs shown wrong then: ${o.channels.map((c) => `${c} ${dirtyAtBurstEnd.get(c)}`).join(', ')}`);

    // Convergence, watched from outside every 10 ms.
    const convergedAt = new Map<string, number | null>(o.channels.map((c) => [c, null]));
    const deadline = burstEnd + o.convergeTimeoutMs;
    while (Date.now() < deadline) {
      for (const c of o.channels) {
        const ok = wrong(c) === 0;
        if (ok && convergedAt.get(c) === null) convergedAt.set(c, Date.now());
        if (!ok) convergedAt.set(c, null);
      }
      if ([...convergedAt.values()].every((v) => v !== null) && Date.now() - Math.max(...([...convergedAt.values()] as number[])) > 1000) break;
      await sleep(10);
    }
    const end = Date.now();
    for (const c of o.channels) if (convergedAt.get(c) === null) o.log(`${mode}: ${c} still shows ${wrong(c)} SKUs wrong after ${o.convergeTimeoutMs} ms`);
    const incidents: Incident[] = [];
    let cursor: string | undefined;
    do {
      const page = await ledger.listIncidents(TENANT, { limit: 1000, cursor });
      incidents.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const states = await ledger.getStockMany(TENANT, o.sale.skus);
    if (process.env.BENCH_LOG_LEVEL) {
      const bad = o.sale.skus.filter((s) => o.channels.some((c) => byId.get(c)!.quantities()[s] !== truth.get(s))).slice(0, 6);
      for (const s of bad) {
        const st = states[o.sale.skus.indexOf(s)];
        o.log(`  ${s}: initial ${o.sale.initial.get(s)} accepted ${accepted.get(s) ?? 0} truth ${truth.get(s)} | ledger onHand ${st?.onHand} committed ${st?.committed} reserved ${st?.reserved} available ${st?.available} paused ${st?.paused} | shown ${o.channels.map((c) => `${c}=${byId.get(c)!.quantities()[s]}`).join(' ')}`);
      }
    }
    const committed = states.reduce((s, st) => s + (st?.committed ?? 0), 0);
    const unitsAccepted = [...accepted.values()].reduce((s, x) => s + x, 0);
    const reported = await reportedUnits(redis, keys.audit(TENANT), new Set(o.sale.skus));
    // Which channel sold the units beyond stock: walk accepted orders in the order they were accepted.
    const left = new Map(o.sale.initial);
    const oversoldBy = new Map<string, number>(o.channels.map((c) => [c, 0]));
    for (const a of acceptedLog) {
      const before = left.get(a.sku)!;
      left.set(a.sku, before - a.qty);
      const over = Math.min(a.qty, Math.max(0, a.qty - Math.max(0, before)));
      oversoldBy.set(a.channel, oversoldBy.get(a.channel)! + over);
    }
    o.log(`${mode}: units sold per channel → recorded by the ledger: ${o.channels.map((c) => `${c} ${acceptedBy.get(c)} → ${reported.get(c) ?? 0}`).join(', ')}`);

    const channels: Record<string, ChannelFigures> = {};
    for (const c of o.channels) {
      const d = diff(byId.get(c)!.stats(), before.get(c)!);
      const limits = started.limits[c] ?? null;
      const dirty = dirtyAtBurstEnd.get(c)!;
      // The floor its limits allow counts whole requests: a batch that is not full still costs
      // one, so a handful of dirty SKUs take one request's interval (1 / requestsPerSecond).
      const requests = limits ? Math.ceil(dirty / limits.batchSize) : 0;
      const conv = convergedAt.get(c);
      channels[c] = {
        lag: await lag.summary(TENANT, c, t0, end),
        apiCalls: d.calls,
        throttled429: d.throttled,
        rowsWritten: d.rowsWritten,
        ordersAccepted: d.ordersAccepted,
        ordersRefused: d.ordersRefused,
        limits,
        dirtyAtBurstEnd: dirty,
        convergedAfterBurstMs: conv == null ? null : Math.max(0, conv - burstEnd),
        floorMs: limits ? Math.round((requests / limits.requestsPerSecond) * 1000) : 0,
        series: (await lag.fineSeries(TENANT, c, t0, end)).map((p) => ({ ...p, t: (p.t - t0) / 1000 })),
      };
    }
    return {
      mode,
      report: o.report,
      ...(reporting ? { reportDelayMs: reporting.delayMs } : {}),
      burstMs: burstEnd - t0,
      loadAverage: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadavg()[0]! * 100) / 100 },
      ordersPlaced: o.sale.orders.length,
      ordersAccepted,
      unitsAccepted,
      oversoldUnits: oversoldUnits(o.sale.initial, accepted),
      incidentUnits: incidents.reduce((s, x) => s + x.oversoldUnits, 0),
      unitsInLedger: committed,
      unitsSoldBy: Object.fromEntries(
        o.channels.map((c) => [c, { sold: acceptedBy.get(c)!, recorded: reported.get(c) ?? 0, oversold: oversoldBy.get(c)! }]),
      ),
      channels,
    };
  } catch (err) {
    throw err;
  } finally {
    if (workerChild) await stopChild(workerChild);
    if (child) await stopChild(child);
    await Promise.all(sandboxes.map((s) => s.handle.close()));
    redis.disconnect();
  }
}
