/**
 * Oversells: a marketplace sold units the ledger no longer had, or the store took an order beyond
 * its stock (a product on backorder, an order made in wp-admin or through the REST API). Each shows
 * the orders involved (the store's marked), that the SKU was paused on every channel, and when
 * stock came back.
 */
import { Card, CardBody, CardHeader, SelectControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { Incident } from '../api/types';
import { PolledList } from '../components/PolledList';
import { useCursorPager } from '../hooks/useCursorPager';
import { usePolling } from '../hooks/usePolling';
import { channelLabel, formatDateTime, orderLabel, timeAgo } from '../lib/format';

function IncidentCard({ incident }: { incident: Incident }) {
  const open = incident.status === 'open';
  return (
    <Card className="stockline-incident" size="small">
      <CardHeader>
        <h3 className="stockline-channel__name">
          {sprintf(_n('%1$s oversold by %2$d unit', '%1$s oversold by %2$d units', incident.oversoldUnits, 'stockline'), incident.sku, incident.oversoldUnits)}
        </h3>
        <span className={`stockline-badge stockline-badge--${open ? 'down' : 'ok'}`}>{open ? __('Open', 'stockline') : __('Resolved', 'stockline')}</span>
      </CardHeader>
      <CardBody>
        <p>
          {sprintf(__('Opened %s.', 'stockline'), timeAgo(incident.openedAt))}{' '}
          {open
            ? sprintf(__('%s is paused (shows 0) on every channel until stock returns.', 'stockline'), incident.sku)
            : sprintf(__('Stock returned %1$s (%2$s); %3$s was relisted on every channel.', 'stockline'), timeAgo(incident.resolvedAt), formatDateTime(incident.resolvedAt), incident.sku)}
        </p>
        <h4>{__('Orders involved', 'stockline')}</h4>
        <ul>
          {incident.orders.map((o) => (
            <li key={`${o.source}:${o.orderId}`}>
              {sprintf(
                o.cancelled
                  ? __('%1$s order %2$s: %3$d × %4$s, cancelled since', 'stockline')
                  : o.backorder
                    ? __('%1$s order %2$s: %3$d × %4$s, taken by the store beyond its stock', 'stockline')
                    : __('%1$s order %2$s: %3$d × %4$s', 'stockline'),
                channelLabel(o.source),
                // "#4086" for a WooCommerce order, as in the Activity tab; a marketplace's id whole, to look it up there.
                orderLabel(o.orderId, { whole: true }),
                o.qty,
                incident.sku,
              )}
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}

export function Incidents() {
  const [status, setStatus] = useState<'' | 'open' | 'resolved'>('');
  const pager = useCursorPager();
  const list = usePolling(() => api.incidents({ status: status || undefined, cursor: pager.cursor, limit: 50 }), [status, pager.cursor]);
  const items = [...(list.data?.items ?? [])].sort((a, b) => (a.status === b.status ? b.openedAt.localeCompare(a.openedAt) : a.status === 'open' ? -1 : 1));
  return (
    <div className="stockline-incidents">
      <div className="stockline-toolbar">
        <SelectControl
          __nextHasNoMarginBottom
          label={__('Show', 'stockline')}
          value={status}
          options={[
            { label: __('All incidents', 'stockline'), value: '' },
            { label: __('Open', 'stockline'), value: 'open' },
            { label: __('Resolved', 'stockline'), value: 'resolved' },
          ]}
          onChange={(v: string) => {
            setStatus(v === 'open' || v === 'resolved' ? v : '');
            pager.reset();
          }}
        />
      </div>
      <PolledList
        list={list}
        pager={pager}
        empty={status === 'open' ? __('No open incidents.', 'stockline') : __('No oversells so far: no channel has sold stock that was not there.', 'stockline')}
      >
        <div className="stockline-channels">
          {items.map((i) => (
            <IncidentCard key={i.id} incident={i} />
          ))}
        </div>
      </PolledList>
    </div>
  );
}
