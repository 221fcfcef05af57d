/**
 * A hand-built SVG line chart of sync lag over time, one line per channel, one panel per mode.
 * The y axis is logarithmic: lag spans from a few ms (rate limits off) to tens of seconds
 * (Amazon at 5 requests/s), and both must be readable.
 */
export interface LagPanel {
  title: string;
  /** Points per channel: seconds since the sale started → lag p99 in ms (count 0 = no point). */
  series: Record<string, { t: number; p99: number; count: number }[]>;
  /** Shaded span of the burst, seconds since the sale started. */
  burst: [number, number];
  /** Horizontal reference line, e.g. the 100 ms target. */
  targetMs?: number;
}

const COLORS: Record<string, string> = { woocommerce: '#7f54b3', shopify: '#5e8e3e', amazon: '#ff9900', flipkart: '#2874f0' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function lagChart(panels: LagPanel[]): string {
  const W = 960;
  const PH = 300;
  const M = { l: 70, r: 150, t: 40, b: 40 };
  const H = panels.length * (PH + M.t + M.b) + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
  ];
  panels.forEach((panel, pi) => {
    const top = pi * (PH + M.t + M.b) + M.t;
    const pw = W - M.l - M.r;
    const all = Object.values(panel.series).flat().filter((p) => p.count > 0);
    const tMax = Math.max(panel.burst[1] + 1, ...all.map((p) => p.t), 1);
    const yMin = Math.min(1, ...all.map((p) => p.p99).filter((v) => v > 0));
    const yMax = Math.max(1000, ...all.map((p) => p.p99), panel.targetMs ?? 0) * 1.2;
    const lyMin = Math.log10(yMin);
    const lyMax = Math.log10(yMax);
    const x = (t: number) => M.l + (t / tMax) * pw;
    const y = (ms: number) => top + PH - ((Math.log10(Math.max(ms, yMin)) - lyMin) / (lyMax - lyMin)) * PH;
    out.push(`<text x="${M.l}" y="${top - 14}" font-size="14" font-weight="600">${esc(panel.title)}</text>`);
    out.push(`<rect x="${x(panel.burst[0])}" y="${top}" width="${Math.max(1, x(panel.burst[1]) - x(panel.burst[0]))}" height="${PH}" fill="#f3f0e8"/>`);
    out.push(`<text x="${x(panel.burst[0]) + 4}" y="${top + 14}" fill="#8a7f62">burst</text>`);
    for (let e = Math.ceil(lyMin); e <= lyMax; e++) {
      const v = 10 ** e;
      out.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${M.l - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
    }
    const step = tMax > 120 ? 30 : tMax > 40 ? 10 : 5;
    for (let t = 0; t <= tMax; t += step) {
      out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${top + PH}" y2="${top + PH + 4}" stroke="#555"/>`);
      out.push(`<text x="${x(t)}" y="${top + PH + 16}" text-anchor="middle" fill="#555">${t} s</text>`);
    }
    out.push(`<rect x="${M.l}" y="${top}" width="${pw}" height="${PH}" fill="none" stroke="#999"/>`);
    if (panel.targetMs) {
      out.push(`<line x1="${M.l}" x2="${M.l + pw}" y1="${y(panel.targetMs)}" y2="${y(panel.targetMs)}" stroke="#c00" stroke-dasharray="4 3"/>`);
      out.push(`<text x="${M.l + pw - 4}" y="${y(panel.targetMs) - 4}" text-anchor="end" fill="#c00">target ${panel.targetMs} ms</text>`);
    }
    Object.entries(panel.series).forEach(([channel, pts], i) => {
      const color = COLORS[channel] ?? ['#444', '#a33', '#3a3', '#33a'][i % 4];
      // A second without acknowledgements breaks the line: no data is not "the same lag".
      const shown = pts.filter((p) => p.count > 0);
      const d = shown.map((p, j) => `${j && p.t - shown[j - 1]!.t <= 2 ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.p99).toFixed(1)}`).join(' ');
      if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
      out.push(`<line x1="${M.l + pw + 14}" x2="${M.l + pw + 34}" y1="${top + 20 + i * 18}" y2="${top + 20 + i * 18}" stroke="${color}" stroke-width="3"/>`);
      out.push(`<text x="${M.l + pw + 40}" y="${top + 24 + i * 18}">${esc(channel)}</text>`);
    });
    out.push(`<text x="${M.l + pw / 2}" y="${top + PH + 32}" text-anchor="middle" fill="#555">time since the sale started · lag p99 per second (log scale)</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
