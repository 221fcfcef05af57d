/**
 * `npm run bench -- sync [--quick] [--mode off|on|both] [--report direct|channel] [--channels a,b] [--seed N] [--warmup N]`
 *
 * A flash sale on the sandbox channels: 500 SKUs, 20,000 orders arriving at 1,000/s spread over
 * every channel; each channel accepts an order only if its own last-known quantity allows, then
 * reports it to Stockline — by default at once (`--report direct`: the bench posts the channel's
 * signed order.confirmed, as the pollers below also see every order the moment it happens), or
 * through each channel's own order path (`--report channel`: webhooks, the Amazon queue, Flipkart
 * polling, whose own delays then dominate). Stockline runs for real (own process, real Redis, real HTTP); two
 * baselines — a 15-minute and a 1-minute stock poller — replay the same seeded order stream on a
 * simulated clock. Writes bench/results/sync.json and bench/results/sync-lag.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { availableChannels } from './sync/channels';
import { generateSale } from './sync/orders';
import { simulatePoller } from './sync/poller';
import { startBenchRedis } from './sync/redis';
import { baselineTable, table } from './sync/report';
import { runMode, type ModeResult } from './sync/run';
import { lagChart } from './sync/svg';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    mode: { type: 'string', default: 'both' },
    seed: { type: 'string', default: '20261123' },
    channels: { type: 'string' },
    report: { type: 'string', default: 'direct' },
    buffer: { type: 'string' },
    warmup: { type: 'string' },
  },
});
const quick = values.quick!;
const params = {
  seed: Number(values.seed),
  skus: quick ? 200 : 500,
  orders: quick ? 4_000 : 20_000,
  ratePerSecond: 1_000,
};
const log = (s: string) => process.stdout.write(`[sync] ${s}\n`);
const avail = availableChannels();
const wanted = values.channels ? values.channels.split(',') : avail.present;
const present = avail.present.filter((c) => wanted.includes(c));
const missing = avail.missing;
if (present.length === 0) {
  log('no channel has landed yet (companion/src/channels/<name>/index.ts); nothing to measure');
  process.exit(1);
}
if (missing.length) log(`missing channels (not landed): ${missing.join(', ')} — running with ${present.join(', ')}`);

const sale = generateSale({ ...params, channels: present });
// --warmup N (default 2,000; 0 = none): orders on 100 other SKUs with stock to spare, played before
// the sale and not measured, so the sale meets Stockline as a store runs it (warm), not just started.
const warmupOrders = values.warmup === undefined ? 2_000 : Number(values.warmup);
const warmup = warmupOrders > 0 ? generateSale({ seed: params.seed + 1, skus: 100, orders: warmupOrders, ratePerSecond: params.ratePerSecond, channels: present, prefix: 'WU', stock: 1_000_000 }) : undefined;
// Published batch sizes, for the pollers' call counts (a poller writes every SKU each poll).
const BATCH: Record<string, number> = { shopify: 250, woocommerce: 100, flipkart: 10, amazon: 1 };
const phases = quick ? 20 : 60;
// --buffer amazon=1,flipkart=1: per-channel buffers (units held back), given to Stockline as rules
// (PUT /v1/rules/channels/:channel) and to the pollers alike.
const buffers: Record<string, number> = Object.fromEntries(
  (values.buffer ?? '').split(',').filter(Boolean).map((kv) => {
    const [c, n] = kv.split('=');
    return [c!, Number(n)];
  }),
);
const pollers = [15, 1].map((min) => simulatePoller(sale, present, BATCH, min * 60_000, phases, buffers));

const redis = await startBenchRedis();
const results: ModeResult[] = [];
try {
  const modes = values.mode === 'off' ? [true] : values.mode === 'on' ? [false] : [true, false];
  for (const limitsOff of modes) {
    const r = await runMode({ limitsOff, buffers, report: values.report === 'channel' ? 'channel' : 'direct', sale, warmup, channels: present, redisUrl: redis.url, log, convergeTimeoutMs: quick ? 90_000 : 240_000 });
    results.push(r);
    process.stdout.write(`${table(r)}\n`);
  }
} finally {
  await redis.stop();
}
process.stdout.write(`${baselineTable(pollers, results)}\n`);

const poller1m = pollers.find((p) => p.periodMs === 60_000)!;
const targets = results.map((r) => ({
  mode: r.mode,
  ...(r.mode === 'limits-off'
    ? { p99Under100ms: Object.fromEntries(Object.entries(r.channels).map(([c, f]) => [c, { p99: f.lag.p99, pass: f.lag.count > 0 && f.lag.p99 < 100 }])) }
    : {
        convergesWithin1_1xFloor: Object.fromEntries(
          Object.entries(r.channels).map(([c, f]) => [
            c,
            {
              floorMs: f.floorMs,
              convergedAfterBurstMs: f.convergedAfterBurstMs,
              ratio: f.convergedAfterBurstMs != null && f.floorMs > 0 ? Math.round((f.convergedAfterBurstMs / f.floorMs) * 100) / 100 : null,
              // The floor counts whole requests (run.ts); with nothing dirty at the end there is
              // nothing left to converge.
              pass: f.dirtyAtBurstEnd === 0 || (f.convergedAfterBurstMs != null && f.convergedAfterBurstMs <= 1.1 * f.floorMs),
            },
          ]),
        ),
      }),
  oversell100xFewerThan1MinutePoller: {
    stockline: r.oversoldUnits,
    poller1m: poller1m.oversold.mean,
    factor: r.oversoldUnits === 0 ? null : Math.round((poller1m.oversold.mean / r.oversoldUnits) * 10) / 10,
    pass: r.oversoldUnits * 100 <= poller1m.oversold.mean,
  },
}));

const out = {
  command: `npm run bench -- sync${quick ? ' --quick' : ''}${values.mode !== 'both' ? ` --mode ${values.mode}` : ''}${values.report === 'channel' ? ' --report channel' : ''}${values.buffer ? ` --buffer ${values.buffer}` : ''}${values.warmup !== undefined ? ` --warmup ${values.warmup}` : ''}`,
  ranAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
  params: { ...params, warmupOrders, buffers, channels: present, missingChannels: missing, durationMs: Math.round(sale.durationMs), stockUnits: [...sale.initial.values()].reduce((s, x) => s + x, 0) },
  notes: [
    'Stockline ran for real: its own process (ledger, propagation workers, observer, channel adapters and order ingestion), a private Redis, real HTTP to the sandboxes.',
    'Baselines were simulated on a virtual clock over the same seeded order stream: each poll sees every order so far and writes every channel instantly (generous to the poller); oversold units are the mean over poll phases.',
    'limits-off: sandbox throttling off and Stockline/adapter rate limits lifted; limits-on: the sandboxes enforce the published limits and Stockline uses them.',
    warmup ? `Warm-up: before the sale, ${warmupOrders} orders on 100 other SKUs (stock to spare) ran through the same paths, unmeasured, so the sale meets a running Stockline rather than one just started (--warmup 0 turns it off).` : 'No warm-up (--warmup 0): the sale met a Stockline process that had only pushed the catalogue.',
    'Lag = ledger change → channel acknowledgement, measured by Stockline itself (observer, 1-second slots in Redis). Convergence is judged from outside against max(0, initial − units accepted).',
    values.report !== 'channel'
      ? 'Orders reached Stockline directly: the bench posted each accepted order as the channel\'s signed order.confirmed to /v1/events (channel ingestion off). WooCommerce is the merchant\'s own store with the plugin: its checkout guard reserves through Stockline (500 ms timeout, fail open) before the store\'s own stock check, and the order confirms that hold.'
      : 'Orders reached Stockline through each channel\'s own order path: Shopify and WooCommerce webhooks, the Amazon ORDER_CHANGE queue, Flipkart shipments polled every second (default 30 s).',
  ],
  stockline: results.map(({ channels, ...rest }) => ({
    ...rest,
    channels: Object.fromEntries(Object.entries(channels).map(([c, { series, ...f }]) => [c, { ...f, series: series.filter((p) => p.count > 0) }])),
  })),
  baselines: pollers,
  targets,
};
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
// A partial run (one mode, some channels, --quick) never overwrites the full results.
const stem = ['sync', values.report === 'channel' ? 'channel' : '', values.buffer ? 'buffer' : '', values.mode !== 'both' ? values.mode : '', values.channels ? 'some' : '', quick ? 'quick' : '']
  .filter(Boolean)
  .join('-');
writeFileSync(join(dir, `${stem}.json`), `${JSON.stringify(out, null, 2)}\n`);
writeFileSync(
  join(dir, `${stem}-lag.svg`),
  lagChart(
    results.map((r) => ({
      title: `Sync lag p99 per second — ${r.mode}${r.mode === 'limits-off' ? ' (target < 100 ms)' : ' (published rate limits)'}`,
      series: Object.fromEntries(Object.entries(r.channels).map(([c, f]) => [c, f.series])),
      burst: [0, r.burstMs / 1000],
      targetMs: r.mode === 'limits-off' ? 100 : undefined,
    })),
  ),
);
log(`wrote bench/results/${stem}.json and bench/results/${stem}-lag.svg`);
