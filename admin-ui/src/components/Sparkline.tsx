/**
 * The last hour of sync lag as a small inline SVG: p99 as the line, p50 as a fainter one.
 * Drawn by hand because it is a few dozen points and a chart library would dwarf the page.
 */
import { __, sprintf } from '@wordpress/i18n';
import { formatMs } from '../lib/format';

interface Props {
  points: { t: number; p50: number; p99: number }[];
  width?: number;
  height?: number;
  /** Lag the owner should worry about, drawn as a dashed line when in range. */
  thresholdMs?: number;
}

function path(values: number[], max: number, width: number, height: number): string {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(height - (v / max) * (height - 2) - 1).toFixed(1)}`)
    .join(' ');
}

export function Sparkline({ points, width = 160, height = 36, thresholdMs = 2000 }: Props) {
  if (points.length < 2) {
    return <span className="stockline-sparkline-empty">{__('Not enough data for a trend yet', 'stockline')}</span>;
  }
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const p99 = sorted.map((p) => p.p99);
  const p50 = sorted.map((p) => p.p50);
  const peak = Math.max(...p99, 1);
  const max = peak * 1.1;
  const label = sprintf(
    __('Lag over the last hour: p99 from %1$s to %2$s, highest %3$s', 'stockline'),
    formatMs(p99[0]),
    formatMs(p99[p99.length - 1]),
    formatMs(peak),
  );
  const thresholdY = height - (thresholdMs / max) * (height - 2) - 1;
  return (
    <svg className="stockline-sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      {thresholdMs < max && (
        <line x1={0} x2={width} y1={thresholdY} y2={thresholdY} stroke="#cc1818" strokeDasharray="3 3" strokeWidth={1} />
      )}
      <path d={path(p50, max, width, height)} fill="none" stroke="#a7aaad" strokeWidth={1.5} />
      <path d={path(p99, max, width, height)} fill="none" stroke="#2271b1" strokeWidth={1.5} />
    </svg>
  );
}
