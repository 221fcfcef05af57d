/**
 * Every SKU's ledger numbers next to what Stockline last set on each channel (its memory of the
 * channel's acknowledged writes, not a fresh read: a trial took "shows 0 ✓" for a reading of the
 * channel), with adjust and pause/relist on every channel, and stop/sell again on one channel (a
 * listing to fix there, a product only for the store: the SKU's rule there shows at most 0).
 * Rows come from GET v1/stock (cursor-paged, prefix search); the per-channel columns from
 * GET v1/sync for just the SKUs on screen.
 */
import { Button, CheckboxControl, SearchControl } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { LiveCheck, StockState, SyncItem } from '../api/types';
import { AdjustStockModal } from '../components/AdjustStockModal';
import { LiveMessage, type Message } from '../components/LiveMessage';
import { errorSentence } from '../components/LoadState';
import { PolledList } from '../components/PolledList';
import { useCursorPager } from '../hooks/useCursorPager';
import { useDebounced } from '../hooks/useDebounced';
import { usePolling } from '../hooks/usePolling';
import { byChannelOrder, channelLabel, timeAgo } from '../lib/format';

const PAGE_SIZE = 25;

function channelsOf(items: SyncItem[]): string[] {
  const seen = new Set<string>();
  for (const i of items) for (const c of Object.keys(i.channels)) seen.add(c);
  return [...seen].sort(byChannelOrder);
}

type ChannelSync = SyncItem['channels'][string];

/** The SKU's own rule on a channel shows it at most 0 there. */
const stoppedOn = (sync: ChannelSync | undefined) => sync?.skuRule?.maxShown === 0;

function SyncCell({ sku, channel, sync, busy, onToggleStop }: { sku: string; channel: string; sync: ChannelSync | undefined; busy: boolean; onToggleStop: () => void }) {
  if (!sync) return <td className="num">—</td>;
  const shown = sync.shown === null ? __('not listed', 'stockline') : String(sync.shown);
  const stopped = stoppedOn(sync);
  const name = channelLabel(channel);
  return (
    <td className="num">
      <span className={sync.matches ? 'stockline-match' : 'stockline-mismatch'}>
        {shown}{' '}
        {sync.matches ? (
          <span aria-label={__('matches', 'stockline')}>✓</span>
        ) : (
          <span>{sprintf(__('(should be %d)', 'stockline'), sync.expected)}</span>
        )}
      </span>
      {stopped && (
        <>
          <br />
          <span className="stockline-badge stockline-badge--paused">{__('Not sold here', 'stockline')}</span>
        </>
      )}
      {!!sync.held && (
        <>
          <br />
          <span className="stockline-muted">{sprintf(__('%d held back while it sells fast elsewhere', 'stockline'), sync.held)}</span>
        </>
      )}
      <br />
      <span className="stockline-muted">{timeAgo(sync.at)}</span>
      {/* Not offered on the store itself: a number typed in WooCommerce is taken as its count, so one
          shaped by a rule there overwrote the ledger (a trial: 3 typed over a stopped 0 set 3 of 8).
          To stop selling in the store, use the product's own status there. */}
      {(channel !== 'woocommerce' || stopped) && (
        <>
          <br />
          <Button
            variant="link"
            isBusy={busy}
            disabled={busy}
            onClick={onToggleStop}
            aria-label={stopped ? sprintf(__('Sell %1$s on %2$s again', 'stockline'), sku, name) : sprintf(__('Stop selling %1$s on %2$s', 'stockline'), sku, name)}
          >
            {stopped ? __('Sell here again', 'stockline') : __('Stop selling here', 'stockline')}
          </Button>
        </>
      )}
    </td>
  );
}

/** One sentence per kind of answer, channels named in the page's order. */
export function liveCheckSentence(check: LiveCheck): string {
  const entries = Object.entries(check.channels).sort(([a], [b]) => byChannelOrder(a, b));
  const parts: string[] = [];
  const ok = entries.filter(([, c]) => c.matches && !c.error).map(([id]) => channelLabel(id));
  for (const [id, c] of entries) {
    if (c.error) parts.push(sprintf(__('%1$s could not be read (%2$s).', 'stockline'), channelLabel(id), c.error));
    else if (c.pushedAgain) parts.push(sprintf(__('%1$s showed %2$d, not %3$d: set again.', 'stockline'), channelLabel(id), c.shown ?? 0, c.expected));
    else if (c.shown === null) parts.push(sprintf(__('%s has no listing for it.', 'stockline'), channelLabel(id)));
  }
  if (ok.length) parts.push(sprintf(_n('%s shows what it should.', '%s show what they should.', ok.length, 'stockline'), ok.join(', ')));
  return `${check.sku}: ${parts.join(' ')}`;
}

function pausedLabel(p: StockState['paused']): string | null {
  if (p === 'oversell') return __('Paused: oversold', 'stockline');
  if (p === 'manual') return __('Paused', 'stockline');
  return null;
}

export function Stock() {
  const [search, setSearch] = useState('');
  const prefix = useDebounced(search.trim());
  const pager = useCursorPager();
  const [adjusting, setAdjusting] = useState<StockState | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [busySku, setBusySku] = useState<string | null>(null);

  const [onlyOutOfStep, setOnlyOutOfStep] = useState(false);
  const stock = usePolling(
    () =>
      onlyOutOfStep
        ? api.outOfStep({ prefix: prefix || undefined, cursor: pager.cursor, limit: PAGE_SIZE }).then((r) => ({ items: r.items.map((i) => i.state), nextCursor: r.nextCursor, total: undefined as number | undefined }))
        : api.stock({ prefix: prefix || undefined, cursor: pager.cursor, limit: PAGE_SIZE }),
    [prefix, pager.cursor, onlyOutOfStep],
  );
  const skus = stock.data?.items.map((s) => s.sku) ?? [];
  const sync = usePolling(() => (skus.length ? api.sync(skus) : Promise.resolve({ items: [] })), [skus.join(',')]);
  const syncBySku = new Map((sync.data?.items ?? []).map((i) => [i.sku, i]));
  const channels = channelsOf(sync.data?.items ?? []);

  /** A row's action: its button busy meanwhile, its outcome (or the error) said in the live message. */
  const rowAction = async (busy: string, work: () => Promise<Message>) => {
    setBusySku(busy);
    try {
      setMessage(await work());
    } catch (e) {
      setMessage({ status: 'error', text: errorSentence(e) });
    } finally {
      setBusySku(null);
    }
  };

  /** Stops the SKU on one channel (its rule there shows at most 0), or lifts that, keeping the rule's other fields. */
  const toggleStop = (item: StockState, channel: string, cell: ChannelSync | undefined) =>
    rowAction(`${item.sku}\n${channel}`, async () => {
      const { maxShown, maxShownBeforeStop, ...rest } = cell?.skuRule ?? {};
      const stop = !stoppedOn(cell);
      // A cap the SKU had here is kept aside while stopped and put back after (a trial's cap of 3 was lost).
      await api.saveSkuRule(
        item.sku,
        channel,
        stop
          ? { ...rest, maxShown: 0, ...(maxShown ? { maxShownBeforeStop: maxShown } : {}) }
          : { ...rest, ...(maxShownBeforeStop ? { maxShown: maxShownBeforeStop } : {}) },
      );
      await sync.reload();
      return {
        status: 'success',
        text: stop
          ? sprintf(__('%1$s is no longer sold on %2$s: it shows 0 there. The other channels are not changed.', 'stockline'), item.sku, channelLabel(channel))
          : sprintf(__('%1$s is sold on %2$s again.', 'stockline'), item.sku, channelLabel(channel)),
      };
    });

  const checkChannels = (item: StockState) =>
    rowAction(`${item.sku}\ncheck`, async () => {
      const check = await api.checkChannels(item.sku);
      await sync.reload();
      const wrong = Object.values(check.channels).some((c) => !c.matches || c.error);
      return { status: wrong ? 'info' : 'success', text: liveCheckSentence(check) };
    });

  const togglePause = (item: StockState) =>
    rowAction(item.sku, async () => {
      if (item.paused) await api.relist(item.sku);
      else await api.pause(item.sku);
      await Promise.all([stock.reload(), sync.reload()]);
      return {
        status: 'success',
        text: item.paused
          ? sprintf(__('%s is selling again on every channel.', 'stockline'), item.sku)
          : sprintf(__('%s is paused: every channel shows 0.', 'stockline'), item.sku),
      };
    });

  return (
    <div className="stockline-stock">
      <div className="stockline-toolbar">
        <SearchControl
          __nextHasNoMarginBottom
          label={__('Search SKUs (starts with)', 'stockline')}
          placeholder={__('Search SKUs (starts with)', 'stockline')}
          value={search}
          onChange={(v: string) => {
            setSearch(v);
            pager.reset();
          }}
        />
      </div>
      <CheckboxControl
        __nextHasNoMarginBottom
        label={__('Only SKUs a channel does not show right', 'stockline')}
        help={__('By what each channel last accepted: failed or parked pushes, pauses not through yet, differences the drift check found.', 'stockline')}
        checked={onlyOutOfStep}
        onChange={(v: boolean) => {
          setOnlyOutOfStep(v);
          pager.reset();
        }}
      />
      <LiveMessage message={message} onDismiss={() => setMessage(null)} />
      {!onlyOutOfStep && stock.data?.total !== undefined && stock.data.total > 0 && (
        <p className="stockline-muted">
          {prefix
            ? sprintf(_n('%1$d SKU starts with “%2$s”.', '%1$d SKUs start with “%2$s”.', stock.data.total, 'stockline'), stock.data.total, prefix)
            : sprintf(_n('%d SKU in the ledger.', '%d SKUs in the ledger.', stock.data.total, 'stockline'), stock.data.total)}
        </p>
      )}
      <PolledList
        list={stock}
        pager={pager}
        pageSize={PAGE_SIZE}
        empty={
          onlyOutOfStep
            ? __('Every channel shows what it should for every SKU.', 'stockline')
            : prefix
              ? sprintf(__('No SKU starts with “%s”.', 'stockline'), prefix)
              : __('No stock in the ledger yet. Run the import in Getting started.', 'stockline')
        }
        emptyWithMore={__('None among the SKUs looked at so far. The next page goes on through the catalogue.', 'stockline')}
      >
        {sync.error && <p className="stockline-muted">{__('What Stockline last set on each channel could not be loaded; the ledger numbers below are current.', 'stockline')}</p>}
        <table className="stockline-table">
          <caption className="screen-reader-text">{__('Stock per SKU and what Stockline last set on each channel', 'stockline')}</caption>
          <thead>
            <tr>
              <th scope="col">{__('SKU', 'stockline')}</th>
              <th scope="col" className="num">{__('On hand', 'stockline')}</th>
              <th scope="col" className="num">{__('Committed', 'stockline')}</th>
              <th scope="col" className="num">{__('Reserved', 'stockline')}</th>
              <th scope="col" className="num">{__('Available', 'stockline')}</th>
              {channels.map((c) => (
                <th
                  scope="col"
                  className="num"
                  key={c}
                  title={__('The number Stockline last set on the channel and when the channel accepted it. A count changed on the channel itself appears here once the channel reports it.', 'stockline')}
                >
                  {sprintf(__('%s: last set', 'stockline'), channelLabel(c))}
                </th>
              ))}
              <th scope="col">{__('Actions', 'stockline')}</th>
            </tr>
          </thead>
          <tbody>
            {stock.data?.items.map((item) => (
              <tr key={item.sku}>
                <th scope="row">
                  {item.sku}
                  {pausedLabel(item.paused) && (
                    <>
                      <br />
                      <span className="stockline-badge stockline-badge--paused">{pausedLabel(item.paused)}</span>
                    </>
                  )}
                </th>
                <td className="num">{item.onHand}</td>
                <td className="num">{item.committed}</td>
                <td className="num">{item.reserved}</td>
                <td className={`num${item.available < 0 ? ' stockline-mismatch' : ''}`}>{item.available}</td>
                {channels.map((c) => (
                  <SyncCell
                    key={c}
                    sku={item.sku}
                    channel={c}
                    sync={syncBySku.get(item.sku)?.channels[c]}
                    busy={busySku === `${item.sku}\n${c}`}
                    onToggleStop={() => void toggleStop(item, c, syncBySku.get(item.sku)?.channels[c])}
                  />
                ))}
                <td>
                  <div className="stockline-row-actions">
                    <Button variant="secondary" size="small" onClick={() => setAdjusting(item)} aria-label={sprintf(__('Adjust stock of %s', 'stockline'), item.sku)}>
                      {__('Adjust', 'stockline')}
                    </Button>
                    <Button
                      variant="tertiary"
                      size="small"
                      isBusy={busySku === `${item.sku}\ncheck`}
                      disabled={busySku === `${item.sku}\ncheck`}
                      onClick={() => void checkChannels(item)}
                      aria-label={sprintf(__('Read what every channel shows for %s now', 'stockline'), item.sku)}
                      title={__('Reads each channel now (the columns show what Stockline last set) and sets again any that differs.', 'stockline')}
                    >
                      {__('Check channels', 'stockline')}
                    </Button>
                    <Button
                      variant="tertiary"
                      size="small"
                      isBusy={busySku === item.sku}
                      disabled={busySku === item.sku}
                      onClick={() => void togglePause(item)}
                      aria-label={item.paused ? sprintf(__('Relist %s', 'stockline'), item.sku) : sprintf(__('Pause %s', 'stockline'), item.sku)}
                    >
                      {item.paused ? __('Relist', 'stockline') : __('Pause', 'stockline')}
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </PolledList>
      {adjusting && (
        <AdjustStockModal
          item={adjusting}
          onCancel={() => setAdjusting(null)}
          onDone={(text) => {
            setAdjusting(null);
            setMessage({ status: 'success', text });
            void stock.reload();
            void sync.reload();
          }}
        />
      )}
    </div>
  );
}
