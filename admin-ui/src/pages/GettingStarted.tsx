/**
 * A new store's first screen, in order: connect to the companion, import the catalogue's
 * stock into the ledger (resumable, with progress and per-SKU errors), then see how each
 * channel's listings map to SKUs and what needs fixing.
 */
import { Button, Notice } from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { AdminSettings, AdminStatus, ImportStatus, Mapping } from '../api/types';
import { ConnectionForm } from '../components/ConnectionForm';
import { LoadState, errorSentence } from '../components/LoadState';
import { ProgressBar } from '../components/ProgressBar';
import { useAction } from '../hooks/useAction';
import { usePolling, type Polled } from '../hooks/usePolling';
import { channelLabel, formatDuration, timeAgo } from '../lib/format';

const productEditUrl = (id: number | string) => `post.php?post=${encodeURIComponent(String(id))}&action=edit`;
const productSearchUrl = (sku: string) => `edit.php?post_type=product&s=${encodeURIComponent(sku)}`;

/** Whether the companion answers; if not, whether the settings are complete (then it is down, not unset). */
function ConnectNotice({ status, settings }: { status: Polled<AdminStatus>; settings: Polled<AdminSettings> }) {
  if (!status.data) return null;
  if (status.data.connected) {
    return (
      <Notice status="success" isDismissible={false}>
        {sprintf(__('Connected to %1$s as tenant “%2$s”.', 'stockline'), status.data.companionUrl, status.data.tenant)}
      </Notice>
    );
  }
  // Saved credentials with no answer from the companion: it is down or out of reach, and
  // re-entering the secrets would not help.
  if (settings.data?.secretSet && settings.data.adminTokenSet) {
    return (
      <Notice status="error" isDismissible={false}>
        {sprintf(
          __('The Stockline companion at %s cannot be reached. The connection settings are saved; check that the companion is running and that this site can reach that address. Store changes wait in the outbox and are sent when it is back.', 'stockline'),
          status.data.companionUrl,
        )}
      </Notice>
    );
  }
  // Settings not read yet: say nothing yet.
  if (!settings.data && !settings.error) return null;
  return (
    <Notice status="warning" isDismissible={false}>
      {__('Not connected yet. Enter the companion’s URL and secrets, save, then test the connection.', 'stockline')}
    </Notice>
  );
}

function ConnectStep({ onSaved }: { onSaved: () => void }) {
  const status = usePolling(() => api.status(), []);
  const settings = usePolling(() => api.settings(), [], null);
  return (
    <section className="stockline-section" aria-labelledby="stockline-step-connect">
      <h2 id="stockline-step-connect">{__('1. Connect to the Stockline companion', 'stockline')}</h2>
      <div aria-live="polite">
        <ConnectNotice status={status} settings={settings} />
      </div>
      <LoadState loading={settings.loading} error={settings.error} hasData={settings.data !== undefined} onRetry={() => void settings.reload()}>
        {settings.data && (
          <ConnectionForm
            settings={settings.data}
            onSaved={() => {
              void settings.reload();
              void status.reload();
              onSaved(); // A new tenant changes what the import step says.
            }}
          />
        )}
      </LoadState>
    </section>
  );
}

function importLabel(s: ImportStatus, stalled: boolean): string {
  if (stalled) return __('Resume import', 'stockline');
  switch (s.state) {
    case 'idle':
      return __('Start import', 'stockline');
    case 'failed':
      return __('Resume import', 'stockline');
    case 'running':
      return __('Import running…', 'stockline');
    default:
      return __('Import again', 'stockline');
  }
}

/** Why a store that had imported is asked to import again: it moved tenant since. */
function tenantChangedSentence(s: ImportStatus): string {
  const tenant = s.tenant ?? '';
  if (s.importedFor && s.importedFor !== tenant) {
    return sprintf(
      __('This store moved to tenant “%1$s” after its last import, which was for “%2$s”, so the ledger of “%1$s” does not have this store’s stock. Import now so it matches WooCommerce.', 'stockline'),
      tenant,
      s.importedFor,
    );
  }
  return sprintf(
    __('This store was on another tenant since its last import, so the ledger of tenant “%s” missed the sales and stock changes made meanwhile. Import now so it matches WooCommerce.', 'stockline'),
    tenant,
  );
}

/** A running import that has not moved for this long is probably not being run at all. */
const IMPORT_STALLED_SECONDS = 120;

/** Why a running import has not moved: the companion refused its last batch, or nothing runs it. */
function stalledSentence(s: ImportStatus): string {
  const idle = formatDuration(s.idleSeconds ?? 0);
  return s.lastError
    ? sprintf(
        __('The import has not moved for %1$s: the companion did not take its last batch (%2$s). It is tried again every 30 seconds; resume it now once the companion is back.', 'stockline'),
        idle,
        s.lastError,
      )
    : sprintf(
        __('The import has not moved for %s. WordPress runs it in the background (WP-Cron and Action Scheduler), which needs visits to the site or a system cron calling wp-cron.php, and a site that can reach its own address. Resume it to run the next part now.', 'stockline'),
        idle,
      );
}

function ImportStep({ imp }: { imp: Polled<ImportStatus> }) {
  const start = useAction(api.startImport);
  const s = imp.data;
  // A running import that has not moved can be resumed from here (the request runs a part at once).
  const stalled = s?.state === 'running' && (s.idleSeconds ?? 0) >= IMPORT_STALLED_SECONDS;
  const busy = start.busy || (s?.state === 'running' && !stalled);
  return (
    <section className="stockline-section" aria-labelledby="stockline-step-import">
      <h2 id="stockline-step-import">{__('2. Import your stock', 'stockline')}</h2>
      <p>{__('Sends every product’s SKU and stock count to the ledger. Safe to run again: it picks up where it stopped.', 'stockline')}</p>
      <LoadState loading={imp.loading} error={imp.error} hasData={s !== undefined} onRetry={() => void imp.reload()}>
        {s && (
          <>
            {(s.state !== 'idle' || s.total > 0) && <ProgressBar done={s.done} total={s.total} label={__('Import progress', 'stockline')} />}
            <div aria-live="polite">
              {s.tenantChanged && s.state === 'idle' && (
                <Notice status="warning" isDismissible={false}>
                  {tenantChangedSentence(s)}
                </Notice>
              )}
              {s.state === 'done' && (
                <Notice status="success" isDismissible={false}>
                  {s.finishedAt
                    ? sprintf(
                        _n('Import finished %2$s: %1$d product in the ledger.', 'Import finished %2$s: %1$d products in the ledger.', s.done, 'stockline'),
                        s.done,
                        timeAgo(s.finishedAt),
                      )
                    : sprintf(_n('Import finished: %d product in the ledger.', 'Import finished: %d products in the ledger.', s.done, 'stockline'), s.done)}
                  {!!s.leftToLedger &&
                    ` ${sprintf(
                      _n(
                        '%d product was left as the ledger has it: its WooCommerce stock is the number Stockline last wrote there (a paused SKU, a buffer), not a new count.',
                        '%d products were left as the ledger has them: their WooCommerce stock is the number Stockline last wrote there (a paused SKU, a buffer), not a new count.',
                        s.leftToLedger,
                        'stockline',
                      ),
                      s.leftToLedger,
                    )}`}
                </Notice>
              )}
              {stalled && (
                <Notice status="warning" isDismissible={false}>
                  {stalledSentence(s)}
                </Notice>
              )}
              {s.state === 'failed' && (
                <Notice status="error" isDismissible={false}>
                  {sprintf(__('The import stopped after %1$d of %2$d products. Resume it to continue from there.', 'stockline'), s.done, s.total)}
                </Notice>
              )}
              {start.error && (
                <Notice status="error" isDismissible={false}>
                  {errorSentence(start.error)}
                </Notice>
              )}
            </div>
            <Button
              variant="primary"
              isBusy={busy}
              disabled={busy}
              onClick={async () => {
                if (await start.run()) await imp.reload();
              }}
            >
              {importLabel(s, stalled)}
            </Button>
            {s.errors.length > 0 && (
              <>
                <h3>{sprintf(_n('%d SKU could not be imported', '%d SKUs could not be imported', s.errors.length, 'stockline'), s.errors.length)}</h3>
                <table className="stockline-table">
                  <thead>
                    <tr>
                      <th scope="col">{__('SKU', 'stockline')}</th>
                      <th scope="col">{__('Problem', 'stockline')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.errors.map((e) => (
                      <tr key={e.sku}>
                        <th scope="row">
                          <a href={productSearchUrl(e.sku)}>{e.sku}</a>
                        </th>
                        <td>{e.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </>
        )}
      </LoadState>
    </section>
  );
}

/** How often a running listings check's progress is read (the page's usual 5 s poll is too slow for a bar). */
const CHECK_PROGRESS_EVERY_MS = 1_000;

function MappingStep({ needsSku }: { needsSku: ImportStatus['needsSku'] }) {
  const mapping = usePolling(() => api.mapping(), [], null);
  const refresh = useAction(api.refreshMapping);
  const [fresh, setFresh] = useState<Mapping | null>(null);
  const data = fresh ?? mapping.data;
  const running = data?.running;
  // A large catalogue is checked in the background (the request answers with its progress): follow
  // it until the report replaces the progress. A failed read keeps the last answer and tries again.
  useEffect(() => {
    if (!data?.running) return undefined;
    const timer = setTimeout(() => {
      api.mapping().then(setFresh, () => setFresh({ ...data }));
    }, CHECK_PROGRESS_EVERY_MS);
    return () => clearTimeout(timer);
  }, [data]);
  return (
    <section className="stockline-section" aria-labelledby="stockline-step-mapping">
      <h2 id="stockline-step-mapping">{__('3. Check each channel’s listings', 'stockline')}</h2>
      <LoadState loading={mapping.loading} error={mapping.error ?? refresh.error} hasData={data !== undefined} onRetry={() => void mapping.reload()}>
        {data && (
          <>
            {running && (
              <ProgressBar
                done={running.checked}
                total={running.total}
                label={__('Listings check progress', 'stockline')}
                caption={(done, total, pct) => sprintf(__('Checking listings: %1$d of %2$d SKU lookups done (%3$d%%)', 'stockline'), done, total, pct)}
              />
            )}
            <div aria-live="polite">
              {data.failed && !running && (
                <Notice status="error" isDismissible={false}>
                  {sprintf(__('The last listings check stopped: %s', 'stockline'), data.failed.message)}
                </Notice>
              )}
            </div>
            {data.checkedAt === null ? (
              !running && <p>{__('Listings have not been checked yet. Check them to see which SKUs each channel sells.', 'stockline')}</p>
            ) : (
              <table className="stockline-table">
                <caption className="screen-reader-text">{__('Listings per channel', 'stockline')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{__('Channel', 'stockline')}</th>
                    <th scope="col" className="num">
                      {__('Listed', 'stockline')}
                    </th>
                    <th scope="col" className="num">
                      {__('Not listed', 'stockline')}
                    </th>
                    <th scope="col">{__('SKUs without a listing', 'stockline')}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(data.channels).map(([id, m]) => (
                    <tr key={id}>
                      <th scope="row">{channelLabel(id)}</th>
                      <td className="num">{m.listed}</td>
                      <td className={`num${m.notListed.length ? ' stockline-mismatch' : ''}`}>{m.notListed.length}</td>
                      <td>
                        {m.notListed.length === 0
                          ? m.listed === 0
                            ? __('No SKUs were checked on this channel.', 'stockline')
                            : __('Every SKU is listed.', 'stockline')
                          : m.notListed.slice(0, 10).map((sku, i) => (
                              <span key={sku}>
                                {i > 0 && ', '}
                                {id === 'woocommerce' ? <a href={productSearchUrl(sku)}>{sku}</a> : sku}
                              </span>
                            ))}
                        {m.notListed.length > 10 && ` ${sprintf(__('and %d more', 'stockline'), m.notListed.length - 10)}`}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {data.checkedAt !== null && (
              <p className="stockline-muted">
                {data.failed && !running && Date.parse(data.failed.at) > Date.parse(data.checkedAt)
                  ? sprintf(__('These figures are from the last check that finished, %s, before the one that stopped.', 'stockline'), timeAgo(data.checkedAt))
                  : running
                    ? sprintf(__('These figures are from the last check, %s; a new one is running.', 'stockline'), timeAgo(data.checkedAt))
                    : sprintf(__('Checked %s.', 'stockline'), timeAgo(data.checkedAt))}
              </p>
            )}
            <Button
              variant="secondary"
              isBusy={refresh.busy || running !== undefined}
              disabled={refresh.busy || running !== undefined}
              onClick={async () => {
                const m = await refresh.run();
                if (m) setFresh(m);
              }}
            >
              {running
                ? __('Checking listings…', 'stockline')
                : data.checkedAt === null
                  ? __('Check listings now', 'stockline')
                  : __('Check listings again', 'stockline')}
            </Button>
          </>
        )}
      </LoadState>
      <h3>{__('Products that need a SKU', 'stockline')}</h3>
      {needsSku.length === 0 ? (
        <p>{__('Every product has a SKU.', 'stockline')}</p>
      ) : (
        <>
          <p>{__('Stockline matches listings by SKU. Give these products a SKU so every channel can sell them (as found by the last import; import again to look afresh):', 'stockline')}</p>
          <ul>
            {needsSku.map((p) => (
              <li key={p.id}>
                <a href={productEditUrl(p.id)}>{sprintf(__('Add a SKU to “%s”', 'stockline'), p.name)}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function GettingStarted() {
  // One poll of the import serves step 2 (progress) and step 3 (products lacking a SKU).
  const imp = usePolling(() => api.importStatus(), []);
  return (
    <div className="stockline-getting-started">
      <ConnectStep onSaved={() => void imp.reload()} />
      <ImportStep imp={imp} />
      <MappingStep needsSku={imp.data?.needsSku ?? []} />
    </div>
  );
}
