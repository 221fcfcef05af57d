/** Numbers, times and channel names the way an owner reads them. */
import { __, _n, sprintf } from '@wordpress/i18n';

const CHANNEL_LABELS: Record<string, string> = {
  woocommerce: 'WooCommerce',
  shopify: 'Shopify',
  amazon: 'Amazon',
  flipkart: 'Flipkart',
  manual: 'Manual',
};

export function channelLabel(id: string | undefined): string {
  if (!id) return __('Unknown', 'stockline');
  return CHANNEL_LABELS[id] ?? id.charAt(0).toUpperCase() + id.slice(1);
}

/** The channels Stockline ships with, in the order the page lists them. */
export const CHANNELS = ['woocommerce', 'shopify', 'amazon', 'flipkart'];

/** Sort order for channel ids: the known channels in CHANNELS order, any other after them by name. */
export function byChannelOrder(a: string, b: string): number {
  const rank = (id: string) => (CHANNELS.includes(id) ? CHANNELS.indexOf(id) : CHANNELS.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Options of a channel filter: `anyLabel` (value '') first, then every channel by name. */
export function channelOptions(anyLabel: string): { label: string; value: string }[] {
  return [{ label: anyLabel, value: '' }, ...CHANNELS.map((c) => ({ label: channelLabel(c), value: c }))];
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return sprintf(__('%d ms', 'stockline'), Math.round(ms));
  return sprintf(__('%s s', 'stockline'), (ms / 1000).toFixed(ms < 10_000 ? 1 : 0));
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  return `${pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export function toDate(at: string | number | null | undefined): Date | null {
  if (at === null || at === undefined || at === '') return null;
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A span of time in words: "45 seconds", "10 minutes" (whole minutes from two minutes on). */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return sprintf(_n('%d second', '%d seconds', seconds, 'stockline'), seconds);
  const minutes = Math.floor(seconds / 60);
  return sprintf(_n('%d minute', '%d minutes', minutes, 'stockline'), minutes);
}

/** "12 s ago", "5 min ago", "3 h ago", or the date for anything older than a day. */
export function timeAgo(at: string | number | null | undefined, now: number = Date.now()): string {
  const d = toDate(at);
  if (!d) return __('never', 'stockline');
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (s < 60) return sprintf(__('%d s ago', 'stockline'), s);
  if (s < 3600) return sprintf(__('%d min ago', 'stockline'), Math.floor(s / 60));
  if (s < 86_400) return sprintf(__('%d h ago', 'stockline'), Math.floor(s / 3600));
  return d.toLocaleString();
}

export function formatDateTime(at: string | number | null | undefined): string {
  const d = toDate(at);
  return d ? d.toLocaleString() : '—';
}

/**
 * An id longer than 24 characters with its middle left out ("gid://shopify…901234567"),
 * keeping the start and the end an owner compares. Every marketplace order id Stockline meets
 * (Amazon's 19, Flipkart's 20, Shopify's 13) fits whole.
 */
function shortId(id: string): string {
  return id.length <= 24 ? id : `${id.slice(0, 13)}…${id.slice(-9)}`;
}

/** The prefix the companion puts before a channel's own order id: `flipkart:OD3309…`. */
const CHANNEL_ORDER = new RegExp(`^(${CHANNELS.join('|')}):(.+)$`);

/**
 * An order as the owner knows it, in a sentence that already names its channel. The plugin
 * names a WooCommerce order `<site id>:<number>` (`.<cycle>` once reopened; the companion's own
 * WooCommerce poller puts `woocommerce:` before that), so its number is what follows the colon:
 * "#4086", "#4086.2". A marketplace order is the channel's own id, without the channel prefix
 * the companion adds (`flipkart:`, `amazon:`, `shopify:`), as the owner finds it on the
 * marketplace; only an unusually long one is shortened, and not when `whole` (where the owner
 * must look the order up, as for an oversell).
 */
export function orderLabel(orderId: string, { whole = false }: { whole?: boolean } = {}): string {
  const channel = CHANNEL_ORDER.exec(orderId);
  const id = channel ? channel[2]! : orderId;
  const store = !channel || channel[1] === 'woocommerce' ? /^[A-Za-z0-9]+:(\d+(?:\.\d+)?)$/.exec(id) : null;
  if (store) return `#${store[1]}`;
  return whole ? id : shortId(id);
}

/**
 * A channel's last error in words an owner can act on. The raw message stays available as a
 * tooltip; these cover the failures the propagation layer classifies.
 */
export function plainError(message: string, code?: string): string {
  const text = `${code ?? ''} ${message}`.toLowerCase();
  if (/429|rate.?limit|throttl|quota/.test(text)) return __('The channel asked us to slow down (rate limited).', 'stockline');
  if (/401|403|unauthori[sz]ed|forbidden|auth|token|credential|signature/.test(text))
    return __('The channel refused our credentials. Check the connection settings for this channel.', 'stockline');
  if (/timeout|timed out|etimedout|econnrefused|econnreset|enotfound|fetch failed|unreachable|socket/.test(text))
    return __('Could not reach the channel.', 'stockline');
  // Before "no listing": the store has the product, it just does not count its stock (plugin's StockWriter).
  if (/does not manage its stock/.test(text)) return __('The product does not manage its stock in WooCommerce ("Manage stock?" is unticked).', 'stockline');
  if (/counted under its parent/.test(text)) return __("The product's stock is counted under its parent product in WooCommerce.", 'stockline');
  if (/not.?found|404|unknown.?sku|no listing|not listed/.test(text)) return __('The channel has no listing for this SKU.', 'stockline');
  if (/\b5\d\d\b|server error|internal error|unavailable/.test(text)) return __('The channel had a server error.', 'stockline');
  if (/400|422|invalid|validation|rejected/.test(text)) return __('The channel rejected the update as invalid.', 'stockline');
  if (/breaker|circuit/.test(text)) return __('Too many failures in a row; updates to this channel are paused for a moment.', 'stockline');
  return message;
}
