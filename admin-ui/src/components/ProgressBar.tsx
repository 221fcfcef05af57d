/**
 * A progress bar that works on every WordPress the plugin supports (the components'
 * ProgressBar only exists in newer releases), exposed to assistive technology as such.
 */
import { __, sprintf } from '@wordpress/i18n';

/** `caption` formats the line under the bar from (done, total, percent); it counts products by default. */
export function ProgressBar({ done, total, label, caption }: { done: number; total: number; label: string; caption?: (done: number, total: number, pct: number) => string }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div>
      <div
        className="stockline-progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={sprintf(__('%1$d of %2$d (%3$d%%)', 'stockline'), done, total, pct)}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
      <p>{caption ? caption(done, total, pct) : sprintf(__('%1$d of %2$d products (%3$d%%)', 'stockline'), done, total, pct)}</p>
    </div>
  );
}
