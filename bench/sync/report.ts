/** The printed table and the JSON written to bench/results/sync.json. */
import { cpus } from 'node:os';
import type { PollerResult } from './poller';

const cpuCount = cpus().length;
import type { ModeResult } from './run';

const pad = (s: string | number, n: number) => String(s).padStart(n);
const ms = (v: number | null | undefined) => (v == null ? '—' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v * 10) / 10} ms`);

export function table(r: ModeResult): string {
  const lines = [
    `\n${r.mode}, orders reported ${r.report === "direct" ? "directly to /v1/events" : "through each channel's own order path"}: ${r.ordersPlaced} orders in ${(r.burstMs / 1000).toFixed(1)} s, ${r.ordersAccepted} accepted, oversold ${r.oversoldUnits} units (ledger incidents: ${r.incidentUnits} units); load average ${r.loadAverage.before} → ${r.loadAverage.after} on ${cpuCount} cores`,
    `${'channel'.padEnd(12)}${pad('p50', 9)}${pad('p95', 9)}${pad('p99', 9)}${pad('max', 9)}${pad('acks', 7)}${pad('calls', 8)}${pad('429s', 6)}${pad('dirty@end', 11)}${pad('converged', 11)}${pad('floor', 9)}${pad('ratio', 7)}`,
  ];
  for (const [c, f] of Object.entries(r.channels)) {
    // Limits off lifts the limits, so its floor means nothing.
    const ratio = r.mode === 'limits-on' && f.convergedAfterBurstMs != null && f.floorMs > 0 ? (f.convergedAfterBurstMs / f.floorMs).toFixed(2) : '—';
    lines.push(
      `${c.padEnd(12)}${pad(ms(f.lag.p50), 9)}${pad(ms(f.lag.p95), 9)}${pad(ms(f.lag.p99), 9)}${pad(ms(f.lag.max), 9)}${pad(f.lag.count, 7)}${pad(f.apiCalls, 8)}${pad(f.throttled429, 6)}${pad(f.dirtyAtBurstEnd, 11)}${pad(ms(f.convergedAfterBurstMs), 11)}${pad(ms(f.floorMs), 9)}${pad(ratio, 7)}`,
    );
  }
  lines.push(
    `units sold → recorded by the ledger (oversold) per channel: ${Object.entries(r.unitsSoldBy)
      .map(([c, u]) => `${c} ${u.sold} → ${u.recorded} (${u.oversold})`)
      .join(', ')}`,
  );
  return lines.join('\n');
}

export function baselineTable(pollers: PollerResult[], stockline: ModeResult[]): string {
  const lines = ['\noversold units on the same order stream (baselines simulated on a virtual clock, mean over poll phases):'];
  for (const r of stockline) lines.push(`  Stockline, ${r.mode.padEnd(10)} ${pad(r.oversoldUnits, 8)}`);
  for (const p of pollers) {
    const name = `${p.periodMs / 60_000}-minute poller`;
    lines.push(`  ${name.padEnd(21)} ${pad(p.oversold.mean, 8)}   (min ${p.oversold.min}, max ${p.oversold.max} over ${p.phases} phases)`);
  }
  return lines.join('\n');
}
