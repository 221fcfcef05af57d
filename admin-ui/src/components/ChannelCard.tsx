/** One channel's health at a glance: is it selling the right numbers, and how fast. */
import { Card, CardBody, CardHeader } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';
import type { ChannelHealth } from '../api/types';
import { channelLabel, formatDateTime, formatDuration, formatMs, formatPercent, plainError, timeAgo } from '../lib/format';
import { Sparkline } from './Sparkline';

export const DEGRADED_LAG_MS = 2000;

const STATE_LABEL = (): Record<ChannelHealth['state'], string> => ({
  ok: __('Healthy', 'stockline'),
  degraded: __('Degraded', 'stockline'),
  down: __('Down', 'stockline'),
  // The API's `paused` is the channel's own throttle (Retry-After), not a person's pause: a chaos
  // run read "Paused" as if someone had paused the channel, the word SKUs use for that.
  paused: __('Slowed down by the channel', 'stockline'),
  stalled: __('Stalled', 'stockline'),
});

/** A state a newer companion reports and this page does not know yet reads as itself, not as an empty badge. */
export function stateLabel(state: string): string {
  return (STATE_LABEL() as Record<string, string | undefined>)[state] ?? state;
}

const BREAKER_LABEL = (): Record<ChannelHealth['breaker'], string> => ({
  closed: __('yes', 'stockline'),
  open: __('paused after repeated failures', 'stockline'),
  'half-open': __('trying again', 'stockline'),
});

/** What the owner should read as the channel's state: slow counts as degraded even if the companion says ok. */
export function effectiveState(c: ChannelHealth): ChannelHealth['state'] {
  if (c.state === 'ok' && c.lag['5m'].p99 > DEGRADED_LAG_MS) return 'degraded';
  return c.state;
}

function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div className="stockline-stat">
      <dt>{label}</dt>
      <dd title={title}>{value}</dd>
    </div>
  );
}

/**
 * The outage under way, or the last one once it is over: the state alone forgets an outage the
 * moment the breaker closes, and an owner looking into an oversell wants to know there was one.
 */
function OutageNote({ channel }: { channel: ChannelHealth }) {
  const seconds = (from: string, to: number) => Math.max(0, Math.round((to - new Date(from).getTime()) / 1000));
  if (channel.downSince) {
    return (
      <p className="stockline-channel__note" title={formatDateTime(channel.downSince)}>
        {sprintf(__('Down for %1$s, since %2$s.', 'stockline'), formatDuration(seconds(channel.downSince, Date.now())), new Date(channel.downSince).toLocaleTimeString())}
      </p>
    );
  }
  const last = channel.lastOutage;
  if (!last) return null;
  return (
    <p className="stockline-channel__note stockline-muted" title={`${formatDateTime(last.from)} – ${formatDateTime(last.to)}`}>
      {sprintf(__('Last outage ended %1$s; it lasted %2$s.', 'stockline'), timeAgo(last.to), formatDuration(seconds(last.from, new Date(last.to).getTime())))}
    </p>
  );
}

export function ChannelCard({ channel }: { channel: ChannelHealth }) {
  const state = effectiveState(channel);
  const name = channelLabel(channel.id);
  const lag = channel.lag['5m'];
  const unread = channel.feed?.unread ?? 0;
  return (
    <Card className={`stockline-channel stockline-channel--${state}`} size="small">
      <CardHeader>
        <h3 className="stockline-channel__name">{name}</h3>
        <span>
          <span className={`stockline-badge stockline-badge--${state}`}>{stateLabel(state)}</span>
          {channel.sandbox && (
            <span className="stockline-badge stockline-badge--sandbox" title={__('A local stand-in: no credentials are set for this channel', 'stockline')}>
              {__('Sandbox', 'stockline')}
            </span>
          )}
        </span>
      </CardHeader>
      <CardBody>
        <dl className="stockline-stats" aria-label={sprintf(__('%s figures', 'stockline'), name)}>
          {/* No acknowledgements in the window means no lag to report, not a lag of 0 ms. */}
          <Stat label={__('Usual time to update', 'stockline')} value={lag.count > 0 ? formatMs(lag.p50) : '—'} />
          <Stat label={__('Slowest updates (1 in 100)', 'stockline')} value={lag.count > 0 ? formatMs(lag.p99) : '—'} />
          <Stat label={__('Success rate', 'stockline')} value={formatPercent(channel.successRate)} />
          <Stat label={__('Queue', 'stockline')} value={String(channel.queueDepth)} />
          {/* Changes no worker has read yet are in no channel's queue: shown beside it, only when there are some. */}
          {unread > 0 && (
            <Stat
              label={__('Unread changes', 'stockline')}
              value={String(unread)}
              title={__('Stock changes waiting for a Stockline worker to read them; the same for every channel', 'stockline')}
            />
          )}
          <Stat label={__('Dead letters', 'stockline')} value={String(channel.deadLetters)} />
          <Stat label={__('Sending', 'stockline')} value={BREAKER_LABEL()[channel.breaker]} />
        </dl>
        <Sparkline points={channel.lagSeries} thresholdMs={DEGRADED_LAG_MS} />
        {channel.throttledUntil !== null && channel.throttledUntil > Date.now() && (
          <p className="stockline-channel__note">
            {sprintf(__('%1$s asked us to slow down until %2$s', 'stockline'), name, new Date(channel.throttledUntil).toLocaleTimeString())}
          </p>
        )}
        <OutageNote channel={channel} />
        <p className="stockline-channel__error">{channel.lastError ? <LastError error={channel.lastError} recovered={state === 'ok'} /> : __('No errors recently.', 'stockline')}
        </p>
      </CardBody>
    </Card>
  );
}

/**
 * The channel's last error, named by its SKU when it was about one. On a healthy channel it is
 * history, muted, not something to act on (a trial read a fixed one in bold under "Healthy").
 */
function LastError({ error, recovered }: { error: NonNullable<ChannelHealth['lastError']>; recovered: boolean }) {
  const label = recovered
    ? error.sku
      ? sprintf(__('Earlier error (%s), since recovered:', 'stockline'), error.sku)
      : __('Earlier error, since recovered:', 'stockline')
    : error.sku
      ? sprintf(__('Last error (%s):', 'stockline'), error.sku)
      : __('Last error:', 'stockline');
  return (
    <span className={recovered ? 'stockline-muted' : undefined}>
      {recovered ? label : <strong>{label}</strong>} <span title={error.message}>{plainError(error.message)}</span>{' '}
      <span className="stockline-muted">({timeAgo(error.at)})</span>
    </span>
  );
}
