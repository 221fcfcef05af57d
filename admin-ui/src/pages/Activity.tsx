/**
 * The audit trail, newest first, one readable sentence per entry, filtered on the server by
 * SKU, order (the id as shown: #4086, OD123), type, channel (its pushes and its sales) and the time
 * the ledger recorded the entry, paged with the stream cursor.
 */
import { Button, SelectControl, TextControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { api, type AuditFilters } from '../api/endpoints';
import { PolledList } from '../components/PolledList';
import { useCursorPager } from '../hooks/useCursorPager';
import { usePolling } from '../hooks/usePolling';
import { auditWhen, describeAudit } from '../lib/describe';
import { channelOptions, formatDateTime } from '../lib/format';

const TYPES = (): { label: string; value: string }[] => [
  { label: __('Any type', 'stockline'), value: '' },
  { label: __('Sales (order confirmed)', 'stockline'), value: 'order.confirmed' },
  { label: __('Order cancelled', 'stockline'), value: 'order.cancelled' },
  { label: __('Reserved (checkout)', 'stockline'), value: 'stock.reserved' },
  { label: __('Released', 'stockline'), value: 'stock.released' },
  { label: __('Shipped', 'stockline'), value: 'stock.shipped' },
  { label: __('Received', 'stockline'), value: 'stock.received' },
  { label: __('Adjusted', 'stockline'), value: 'stock.adjusted' },
  { label: __('Paused', 'stockline'), value: 'stock.paused' },
  { label: __('Listed again', 'stockline'), value: 'stock.relisted' },
  { label: __('Pushed to a channel', 'stockline'), value: 'channel.push' },
  { label: __('Confirmed by a channel', 'stockline'), value: 'channel.ack' },
  { label: __('Refused by a channel', 'stockline'), value: 'channel.failed' },
];

/** `datetime-local` values are local time without a zone; the companion wants RFC 3339. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const EMPTY: Required<Omit<AuditFilters, 'from' | 'to'>> & { from: string; to: string } = { sku: '', orderId: '', type: '', channel: '', from: '', to: '' };

export function Activity() {
  const [draft, setDraft] = useState(EMPTY);
  const [filters, setFilters] = useState(EMPTY);
  const pager = useCursorPager();
  const active = Object.values(filters).some(Boolean);
  const audit = usePolling(
    () =>
      api.audit({
        sku: filters.sku || undefined,
        orderId: filters.orderId || undefined,
        type: filters.type || undefined,
        channel: filters.channel || undefined,
        from: toIso(filters.from),
        to: toIso(filters.to),
        cursor: pager.cursor,
        limit: 50,
      }),
    [filters, pager.cursor],
  );
  const set = (key: keyof typeof EMPTY) => (v: string) => setDraft((d) => ({ ...d, [key]: v }));

  return (
    <div className="stockline-activity-view">
      <form
        className="stockline-toolbar"
        aria-label={__('Filter activity', 'stockline')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft, sku: draft.sku.trim(), orderId: draft.orderId.trim() });
          pager.reset();
        }}
      >
        <TextControl __nextHasNoMarginBottom label={__('SKU', 'stockline')} value={draft.sku} onChange={set('sku')} />
        <TextControl __nextHasNoMarginBottom label={__('Order', 'stockline')} placeholder="#4086" value={draft.orderId} onChange={set('orderId')} />
        <SelectControl __nextHasNoMarginBottom label={__('Type', 'stockline')} value={draft.type} options={TYPES()} onChange={set('type')} />
        <SelectControl
          __nextHasNoMarginBottom
          label={__('Channel', 'stockline')}
          value={draft.channel}
          options={channelOptions(__('Any channel', 'stockline'))}
          onChange={set('channel')}
        />
        <TextControl __nextHasNoMarginBottom label={__('Recorded from', 'stockline')} type="datetime-local" value={draft.from} onChange={set('from')} />
        <TextControl __nextHasNoMarginBottom label={__('Recorded to', 'stockline')} type="datetime-local" value={draft.to} onChange={set('to')} />
        <Button variant="primary" type="submit">
          {__('Filter', 'stockline')}
        </Button>
        {active && (
          <Button
            variant="tertiary"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
              pager.reset();
            }}
          >
            {__('Clear filters', 'stockline')}
          </Button>
        )}
      </form>
      <PolledList
        list={audit}
        pager={pager}
        empty={active ? __('Nothing matches these filters.', 'stockline') : __('No activity yet. Orders and stock changes will appear here as they happen.', 'stockline')}
      >
        <ul className="stockline-activity" aria-label={__('Activity, newest first', 'stockline')}>
          {audit.data?.items.map((e) => {
            // When it happened; and when the ledger got it, if that was much later.
            const when = auditWhen(e);
            return (
              <li key={e.id}>
                <time dateTime={when.happenedAt} title={formatDateTime(when.happenedAt)}>
                  {when.happened}
                </time>
                {when.recorded && (
                  <small className="stockline-recorded" title={formatDateTime(e.at)}>
                    {when.recorded}
                  </small>
                )}
                <span>{describeAudit(e)}</span>
              </li>
            );
          })}
        </ul>
      </PolledList>
    </div>
  );
}
