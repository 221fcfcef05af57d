/**
 * One audit entry as a sentence: "Amazon order 123-… reserved 2 × TSHIRT-M; available 7 → 5".
 * Availability is computed from the before/after quantities the ledger recorded, so the
 * sentence never disagrees with the numbers.
 */
import { __, sprintf } from '@wordpress/i18n';
import type { AuditEntry } from '../api/types';
import { channelLabel, formatDuration, orderLabel, timeAgo, toDate } from './format';

type Line = AuditEntry['lines'][number];
type Quantities = NonNullable<Line['before']>;

const available = (q: Quantities) => q.onHand - q.committed - q.reserved;

function actor(e: AuditEntry): string {
  const who = channelLabel(e.source ?? e.channel);
  if (e.orderId) return sprintf(__('%1$s order %2$s', 'stockline'), who, orderLabel(e.orderId));
  return who;
}

function items(lines: Line[]): string {
  return lines
    .map((l) => (l.qty !== undefined ? sprintf(__('%1$d × %2$s', 'stockline'), Math.abs(l.qty), l.sku) : l.sku))
    .join(', ');
}

/** "available 7 → 5", or per SKU when the entry touched several. */
function availabilityChange(lines: Line[]): string {
  const changed = lines.filter((l) => l.before && l.after);
  if (!changed.length) return '';
  if (changed.length === 1) {
    const l = changed[0]!;
    return sprintf(__('available %1$d → %2$d', 'stockline'), available(l.before!), available(l.after!));
  }
  return sprintf(
    __('available %s', 'stockline'),
    changed.map((l) => `${l.sku} ${available(l.before!)} → ${available(l.after!)}`).join(', '),
  );
}

function withChange(sentence: string, lines: Line[]): string {
  const change = availabilityChange(lines);
  return change ? `${sentence}; ${change}` : sentence;
}

function pushed(lines: Line[]): string {
  return lines.map((l) => sprintf(__('%1$s = %2$d', 'stockline'), l.sku, l.quantity ?? 0)).join(', ');
}

/** What the change did to an oversell (a trial's sales never said they had paused a SKU). */
function incidentNote(e: AuditEntry): string {
  const inc = e.incidents;
  if (!inc) return '';
  if (inc.opened?.length) return sprintf(__(' — oversold: incident %s opened, paused on every channel', 'stockline'), inc.opened.join(', '));
  if (inc.recorded?.length) return sprintf(__(' — oversold: added to incident %s', 'stockline'), inc.recorded.join(', '));
  if (inc.resolved?.length) return sprintf(__(' — oversell resolved (incident %s), relisted', 'stockline'), inc.resolved.join(', '));
  return '';
}

export function describeAudit(e: AuditEntry): string {
  const who = actor(e);
  const what = items(e.lines);
  const channel = channelLabel(e.channel);
  switch (e.type) {
    case 'stock.reserved':
      return withChange(sprintf(__('%1$s reserved %2$s', 'stockline'), who, what), e.lines);
    case 'stock.released':
      return withChange(
        e.reason === 'expired'
          ? sprintf(__('A hold on %s expired', 'stockline'), e.lines.map((l) => l.sku).join(', '))
          : sprintf(__('%1$s released its hold on %2$s', 'stockline'), who, e.lines.map((l) => l.sku).join(', ')),
        e.lines,
      );
    case 'order.confirmed':
      return (
        withChange(
          // A converted hold leaves available as it was: the units left it when they were held.
          // (A confirm whose hold had expired commits directly: its reserved count does not drop.)
          e.reservationId && e.lines.some((l) => l.before && l.after && l.after.reserved < l.before.reserved) ? sprintf(__('%1$s sold %2$s it held', 'stockline'), who, what) : sprintf(__('%1$s sold %2$s', 'stockline'), who, what),
          e.lines,
        ) + incidentNote(e)
      );
    case 'order.cancelled':
      return withChange(sprintf(__('%1$s was cancelled, returning %2$s', 'stockline'), who, what), e.lines) + incidentNote(e);
    case 'stock.shipped':
      return withChange(sprintf(__('%1$s shipped %2$s', 'stockline'), who, what), e.lines);
    case 'stock.received':
      return withChange(sprintf(__('%1$s received %2$s', 'stockline'), who, what), e.lines) + incidentNote(e);
    case 'stock.adjusted': {
      const l = e.lines[0];
      const onHand = l?.before && l.after ? sprintf(__('on hand %1$d → %2$d', 'stockline'), l.before.onHand, l.after.onHand) : '';
      const base = sprintf(__('%1$s adjustment of %2$s', 'stockline'), channelLabel(e.source), e.lines.map((x) => x.sku).join(', '));
      const withOnHand = onHand ? `${base}: ${onHand}` : base;
      const reason = e.reason ? ` (${sprintf(__('reason: %s', 'stockline'), e.reason)})` : '';
      return withChange(withOnHand, e.lines) + reason + incidentNote(e);
    }
    case 'channel.push':
      return sprintf(__('Told %1$s to show %2$s', 'stockline'), channel, pushed(e.lines));
    case 'channel.ack':
      return sprintf(__('%1$s confirmed %2$s', 'stockline'), channel, pushed(e.lines));
    case 'channel.failed':
      return sprintf(__('%1$s did not accept %2$s%3$s', 'stockline'), channel, pushed(e.lines), e.reason ? ` — ${e.reason}` : '');
    default:
      return withChange(sprintf(__('%1$s: %2$s %3$s', 'stockline'), e.type, who, what).trim(), e.lines);
  }
}

/** Recorded this much later than it happened, an entry says both times. */
const LATE_AFTER_SECONDS = 60;

/**
 * When an entry happened (its `occurredAt`: an order placed while the companion was down, or
 * picked up from a marketplace later) and, when the ledger recorded it more than a minute
 * after that, when it was recorded and how late: the trail is in recording order, so a late
 * entry sits above earlier ones with an older time.
 */
export function auditWhen(
  e: Pick<AuditEntry, 'at' | 'occurredAt'>,
  now: number = Date.now(),
): { happenedAt: string; happened: string; recorded: string | null } {
  const happened = toDate(e.occurredAt);
  const recorded = toDate(e.at);
  if (!happened || !recorded) return { happenedAt: e.at, happened: timeAgo(e.at, now), recorded: null };
  const lateSeconds = Math.round((recorded.getTime() - happened.getTime()) / 1000);
  if (lateSeconds <= LATE_AFTER_SECONDS) return { happenedAt: e.occurredAt!, happened: timeAgo(e.occurredAt, now), recorded: null };
  return {
    happenedAt: e.occurredAt!,
    happened: sprintf(__('happened %s', 'stockline'), timeAgo(e.occurredAt, now)),
    recorded: sprintf(__('recorded %1$s, %2$s later', 'stockline'), timeAgo(e.at, now), formatDuration(lateSeconds)),
  };
}
