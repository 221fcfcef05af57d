/**
 * Pushes a channel refused for good (or after every retry). Nothing is dropped silently:
 * the owner retries one, retries all after confirming, or discards one after confirming. A SKU
 * typed in the search box shows that SKU's letters only (a store had 9,998 letters to page through).
 */
import { Button, SearchControl, SelectControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { DeadLetter } from '../api/types';
import { ConfirmModal } from '../components/ConfirmModal';
import { LiveMessage, type Message } from '../components/LiveMessage';
import { errorSentence } from '../components/LoadState';
import { PolledList } from '../components/PolledList';
import { useCursorPager } from '../hooks/useCursorPager';
import { useDebounced } from '../hooks/useDebounced';
import { usePolling } from '../hooks/usePolling';
import { channelLabel, channelOptions, formatDateTime, plainError, timeAgo } from '../lib/format';

export function DeadLetters() {
  const [channel, setChannel] = useState('');
  const [search, setSearch] = useState('');
  const sku = useDebounced(search.trim());
  const pager = useCursorPager();
  const list = usePolling(
    () => api.deadLetters({ channel: channel || undefined, sku: sku || undefined, cursor: sku ? undefined : pager.cursor, limit: 50 }),
    [channel, sku, pager.cursor],
  );
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<DeadLetter | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);

  const act = async (key: string, run: () => Promise<string>) => {
    setBusy(key);
    try {
      setMessage({ status: 'success', text: await run() });
      await list.reload();
    } catch (e) {
      setMessage({ status: 'error', text: errorSentence(e) });
    } finally {
      setBusy(null);
    }
  };

  const retryOne = (d: DeadLetter) =>
    act(d.id, async () => {
      await api.retryDeadLetter(d.id);
      return sprintf(__('Retrying %1$s on %2$s.', 'stockline'), d.sku, channelLabel(d.channel));
    });
  const retryAll = () =>
    act('all', async () => {
      const { retried } = await api.retryAllDeadLetters(channel || undefined);
      setConfirmAll(false);
      return sprintf(_n('%d dead letter sent back to its queue.', '%d dead letters sent back to their queues.', retried, 'stockline'), retried);
    });
  const discard = (d: DeadLetter) =>
    act(d.id, async () => {
      await api.discardDeadLetter(d.id);
      setDiscarding(null);
      return sprintf(__('Discarded the failed update of %1$s on %2$s.', 'stockline'), d.sku, channelLabel(d.channel));
    });

  const items = list.data?.items ?? [];
  return (
    <div className="stockline-dead-letters">
      <div className="stockline-toolbar">
        <SelectControl
          __nextHasNoMarginBottom
          label={__('Channel', 'stockline')}
          value={channel}
          options={channelOptions(__('All channels', 'stockline'))}
          onChange={(v: string) => {
            setChannel(v);
            pager.reset();
          }}
        />
        <SearchControl
          __nextHasNoMarginBottom
          label={__('SKU', 'stockline')}
          placeholder={__('SKU (exact)', 'stockline')}
          value={search}
          onChange={(v: string) => {
            setSearch(v);
            pager.reset();
          }}
        />
        {/* Retry all is about every letter (of the channel): not offered while one SKU is shown. */}
        <Button variant="primary" disabled={items.length === 0 || busy !== null || sku !== ''} isBusy={busy === 'all'} onClick={() => setConfirmAll(true)}>
          {channel ? sprintf(__('Retry all on %s', 'stockline'), channelLabel(channel)) : __('Retry all', 'stockline')}
        </Button>
      </div>
      <LiveMessage message={message} onDismiss={() => setMessage(null)} />
      <PolledList list={list} pager={pager} empty={__('No dead letters: every channel accepted every update.', 'stockline')}>
        <table className="stockline-table">
          <caption className="screen-reader-text">{__('Updates that channels did not accept', 'stockline')}</caption>
          <thead>
            <tr>
              <th scope="col">{__('Channel', 'stockline')}</th>
              <th scope="col">{__('SKU', 'stockline')}</th>
              <th scope="col">{__('Error', 'stockline')}</th>
              <th scope="col" className="num">{__('Attempts', 'stockline')}</th>
              <th scope="col">{__('Last failed', 'stockline')}</th>
              <th scope="col">{__('Actions', 'stockline')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id}>
                <td>{channelLabel(d.channel)}</td>
                <th scope="row">{d.sku}</th>
                <td>
                  {plainError(d.error, d.code)}
                  <br />
                  <code className="stockline-muted">{d.error}</code>
                </td>
                <td className="num">{d.attempts}</td>
                <td title={formatDateTime(d.lastFailedAt)}>
                  {timeAgo(d.lastFailedAt)}
                  {d.retrying && (
                    <>
                      <br />
                      <span className="stockline-badge stockline-badge--paused">{__('Retrying…', 'stockline')}</span>
                    </>
                  )}
                </td>
                <td>
                  <div className="stockline-row-actions">
                    <Button
                      variant="secondary"
                      size="small"
                      disabled={busy !== null}
                      isBusy={busy === d.id}
                      onClick={() => void retryOne(d)}
                      aria-label={sprintf(__('Retry %1$s on %2$s', 'stockline'), d.sku, channelLabel(d.channel))}
                    >
                      {__('Retry', 'stockline')}
                    </Button>
                    <Button
                      variant="tertiary"
                      isDestructive
                      size="small"
                      disabled={busy !== null}
                      onClick={() => setDiscarding(d)}
                      aria-label={sprintf(__('Discard %1$s on %2$s', 'stockline'), d.sku, channelLabel(d.channel))}
                    >
                      {__('Discard', 'stockline')}
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </PolledList>
      {confirmAll && (
        <ConfirmModal
          title={channel ? sprintf(__('Retry every dead letter on %s?', 'stockline'), channelLabel(channel)) : __('Retry every dead letter?', 'stockline')}
          confirmLabel={__('Retry all', 'stockline')}
          busy={busy === 'all'}
          onCancel={() => setConfirmAll(false)}
          onConfirm={() => void retryAll()}
        >
          <p>
            {__(
              'Each is pushed to its channel once more, in the background: sales and stock changes waiting to go out go first. An update for a SKU the channel does not list fails again and comes back here; the listings check (Getting started) shows which SKUs each channel lists, and pushes those it finds listed by itself.',
              'stockline',
            )}
          </p>
        </ConfirmModal>
      )}
      {discarding && (
        <ConfirmModal
          title={__('Discard this failed update?', 'stockline')}
          confirmLabel={__('Discard', 'stockline')}
          busy={busy === discarding.id}
          onCancel={() => setDiscarding(null)}
          onConfirm={() => void discard(discarding)}
        >
          <p>
            {sprintf(
              __('%1$s will not be told about this change to %2$s. The next change to the SKU will update it again.', 'stockline'),
              channelLabel(discarding.channel),
              discarding.sku,
            )}
          </p>
        </ConfirmModal>
      )}
    </div>
  );
}
