/** The landing view: every channel's health, open oversells and the store's outbox (backlog, refused and rejected changes). */
import { __, _n, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { AdminStatus, ChannelHealth } from '../api/types';
import { Banners, type Banner } from '../components/Banners';
import { ChannelCard, DEGRADED_LAG_MS, effectiveState, stateLabel } from '../components/ChannelCard';
import { LoadState } from '../components/LoadState';
import { outboxBanners } from '../components/OutboxBanners';
import { usePolling } from '../hooks/usePolling';
import { channelLabel, formatDuration, formatMs, formatPercent, plainError } from '../lib/format';

/**
 * Degraded is slow updates or failing ones (observer.ts, against the companion's own lag
 * threshold, which may be below this page's 2 s); the banner says which.
 */
const MISSED_WEBHOOK_MS = 30 * 60_000;
/** The companion's default for a SKU waiting in line (health-state.ts waitingWarnMs). */
const WAITING_WARN_MS = 60_000;

function degradedMessage(c: ChannelHealth, name: string): string {
  const p99 = Math.max(c.lag['1m'].p99, c.lag['5m'].p99);
  if (c.oldestWaitingMs != null && c.oldestWaitingMs > WAITING_WARN_MS) {
    return sprintf(
      __('%1$s is degraded: stock changes wait in line to reach it; the first has waited %2$s. %3$d SKUs are waiting or being pushed.', 'stockline'),
      name,
      formatDuration(Math.round(c.oldestWaitingMs / 1000)),
      c.queueDepth,
    );
  }
  if (p99 > DEGRADED_LAG_MS) {
    return sprintf(__('%1$s is degraded: updates take %2$s at p99 (more than %3$s).', 'stockline'), name, formatMs(p99), formatMs(DEGRADED_LAG_MS));
  }
  if (c.successRate < 1) {
    const why = c.lastError ? plainError(c.lastError.message) : '';
    return sprintf(__('%1$s is degraded: %2$s of its recent updates failed. %3$s', 'stockline'), name, formatPercent(1 - c.successRate), why).trim();
  }
  // The companion keeps a channel degraded for 30 min after an order only its poll brought.
  const m = c.missedWebhook;
  if (m && Date.now() - Date.parse(m.foundAt) < MISSED_WEBHOOK_MS) {
    return sprintf(
      __('%1$s’s order webhooks are not reaching Stockline: order %2$s was found by the regular order check %3$s after it was placed, so its sale reached your other channels that late. In %1$s, check the webhook subscriptions (orders/create, orders/cancelled, refunds/create, fulfillments/create) point at the companion (README: “Connecting each channel”).', 'stockline'),
      name,
      m.order,
      formatDuration(Math.round((Date.parse(m.foundAt) - Date.parse(m.createdAt)) / 1000)),
    );
  }
  return sprintf(__('%1$s is degraded: updates take %2$s at p99.', 'stockline'), name, formatMs(p99));
}

/**
 * Stalled is the companion's change feed, not one channel: every channel reports it together, so
 * one banner says it, with what to start.
 */
function stalledBanner(channels: ChannelHealth[]): Banner | null {
  const c = channels.find((x) => x.state === 'stalled');
  if (!c) return null;
  const unread = c.feed?.unread ?? 0;
  return {
    id: 'stalled',
    status: 'error',
    message: sprintf(
      _n(
        'No stock changes are reaching your channels: %1$d change has waited %2$s on the companion with no Stockline worker reading it. Start one on the companion’s server: npm start -- --role worker',
        'No stock changes are reaching your channels: %1$d changes have waited %2$s on the companion with no Stockline worker reading them. Start one on the companion’s server: npm start -- --role worker',
        unread,
        'stockline',
      ),
      unread,
      formatMs(c.feed?.oldestUnreadMs),
    ),
  };
}

function channelBanners(channels: ChannelHealth[]): Banner[] {
  const out: Banner[] = [];
  const stalled = stalledBanner(channels);
  if (stalled) out.push(stalled);
  for (const c of channels) {
    const state = effectiveState(c);
    const name = channelLabel(c.id);
    if (state === 'stalled' || state === 'ok' || state === 'paused') continue;
    if (state === 'down') {
      out.push({
        id: `down-${c.id}`,
        status: 'error',
        message: sprintf(
          __('%1$s is down: stock changes are not reaching it. %2$s', 'stockline'),
          name,
          c.lastError ? plainError(c.lastError.message) : '',
        ).trim(),
      });
    } else if (state === 'degraded') {
      out.push({ id: `degraded-${c.id}`, status: 'warning', message: degradedMessage(c, name) });
    } else {
      // A state from a newer companion: its name and the companion's own sentence, rather than nothing.
      out.push({ id: `state-${c.id}`, status: 'warning', message: `${name}: ${stateLabel(state)}. ${c.reason ?? ''}`.trim() });
    }
  }
  const sandboxed = channels.filter((c) => c.sandbox).map((c) => channelLabel(c.id));
  if (sandboxed.length > 0) {
    out.push({
      id: 'sandboxes',
      status: 'info',
      message: sprintf(
        _n(
          '%s is a local sandbox, not your real account: no credentials are set for it, so stock shown there is only the sandbox’s. Set its STOCKLINE_… variables on the companion to connect it (README: “Connecting each channel”).',
          '%s are local sandboxes, not your real accounts: no credentials are set for them, so stock shown there is only the sandboxes’. Set their STOCKLINE_… variables on the companion to connect them (README: “Connecting each channel”).',
          sandboxed.length,
          'stockline',
        ),
        sandboxed.join(', '),
      ),
    });
  }
  return out;
}

function OutboxSummary({ status }: { status: AdminStatus | undefined }) {
  if (!status) return <span>—</span>;
  const { pending, failed, oldestAgeSeconds } = status.outbox;
  const refused = status.outbox.refused ?? 0;
  if (pending === 0 && failed === 0 && refused === 0) return <span>{__('Empty: every store change has been delivered.', 'stockline')}</span>;
  return (
    <span>
      {sprintf(_n('%d change waiting', '%d changes waiting', pending, 'stockline'), pending)}
      {failed > 0 && `, ${sprintf(_n('%d failing', '%d failing', failed, 'stockline'), failed)}`}
      {refused > 0 && `, ${sprintf(_n('%d refused', '%d refused', refused, 'stockline'), refused)}`}
      {oldestAgeSeconds !== null && oldestAgeSeconds > 0 && ` (${sprintf(__('oldest %s', 'stockline'), formatMs(oldestAgeSeconds * 1000))})`}
    </span>
  );
}

export function Overview() {
  const channels = usePolling(() => api.channels(), []);
  const status = usePolling(() => api.status(), []);
  const incidents = usePolling(() => api.incidents({ status: 'open' }), []);

  const banners: Banner[] = [];
  if (channels.error?.unreachable || (status.data && !status.data.connected && !status.error)) {
    banners.push({
      id: 'unreachable',
      status: 'error',
      message: __('The Stockline companion is unreachable. Stock changes are kept in the store’s outbox and will be delivered when it is back.', 'stockline'),
    });
  }
  banners.push(...outboxBanners(status.data, () => void status.reload()));
  if (channels.data) banners.push(...channelBanners(channels.data.channels));
  const openIncidents = incidents.data?.items.filter((i) => i.status === 'open').length ?? 0;
  if (openIncidents > 0) {
    banners.push({
      id: 'incidents',
      status: 'warning',
      message: sprintf(
        _n('%d oversold SKU is paused on every channel until stock returns.', '%d oversold SKUs are paused on every channel until stock returns.', openIncidents, 'stockline'),
        openIncidents,
      ),
    });
  }

  return (
    <div className="stockline-overview">
      <Banners banners={banners} />
      <dl className="stockline-summary">
        <div>
          <dt>{__('Open oversell incidents', 'stockline')}</dt>
          <dd>{incidents.data ? openIncidents : '—'}</dd>
        </div>
        <div>
          <dt>{__('Store outbox', 'stockline')}</dt>
          <dd>
            <OutboxSummary status={status.data} />
          </dd>
        </div>
      </dl>
      <LoadState
        loading={channels.loading}
        error={channels.error?.unreachable ? undefined : channels.error}
        hasData={channels.data !== undefined}
        isEmpty={channels.data?.channels.length === 0}
        empty={__('No channels are configured yet. Connect one in Getting started.', 'stockline')}
        onRetry={() => void channels.reload()}
      >
        <div className="stockline-channels">
          {channels.data?.channels.map((c) => <ChannelCard key={c.id} channel={c} />)}
        </div>
      </LoadState>
    </div>
  );
}
