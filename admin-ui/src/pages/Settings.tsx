/** Companion connection, checkout guard and per-channel buffers. */
import { Button, TextControl, ToggleControl } from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { AdminSettings } from '../api/types';
import { ChannelRuleRow, RULES_EXAMPLE_AVAILABLE } from '../components/ChannelRules';
import { ConnectionForm } from '../components/ConnectionForm';
import { LoadState } from '../components/LoadState';
import { SaveResult } from '../components/SaveResult';
import { useAction } from '../hooks/useAction';
import { usePolling } from '../hooks/usePolling';
import { byChannelOrder } from '../lib/format';

function CheckoutGuard({ settings, onSaved }: { settings: AdminSettings; onSaved: (s: AdminSettings) => void }) {
  const [guard, setGuard] = useState(settings.checkoutGuard);
  const [timeout, setTimeoutMs] = useState(String(settings.checkoutTimeoutMs));
  const [saved, setSaved] = useState(false);
  const save = useAction(api.saveSettings);
  useEffect(() => {
    setGuard(settings.checkoutGuard);
    setTimeoutMs(String(settings.checkoutTimeoutMs));
  }, [settings.checkoutGuard, settings.checkoutTimeoutMs]);
  const ms = Number(timeout);
  const valid = Number.isInteger(ms) && ms >= 100 && ms <= 10_000;
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(false);
        if (!valid) return;
        const next = await save.run({ checkoutGuard: guard, checkoutTimeoutMs: ms });
        if (next) {
          setSaved(true);
          onSaved(next);
        }
      }}
    >
      <ToggleControl
        __nextHasNoMarginBottom
        label={__('Reserve stock at checkout', 'stockline')}
        help={__('Before an order is placed, hold its units in the ledger so no other channel can sell them. If the companion does not answer in time, the order goes through and is reconciled later.', 'stockline')}
        checked={guard}
        onChange={(v: boolean) => setGuard(v)}
      />
      <TextControl
        __nextHasNoMarginBottom
        label={__('Checkout wait (milliseconds)', 'stockline')}
        type="number"
        min={100}
        max={10000}
        value={timeout}
        disabled={!guard}
        help={valid ? __('How long checkout waits for the companion before letting the order through.', 'stockline') : __('Enter a whole number from 100 to 10000.', 'stockline')}
        onChange={(v: string) => setTimeoutMs(v)}
      />
      <Button variant="primary" type="submit" isBusy={save.busy} disabled={save.busy || !valid} style={{ marginTop: 12 }}>
        {__('Save checkout settings', 'stockline')}
      </Button>
      <SaveResult saved={saved} message={__('Checkout settings saved.', 'stockline')} error={save.error} onDismiss={() => setSaved(false)} />
    </form>
  );
}

function Buffers() {
  const rules = usePolling(() => api.rules(), [], null);
  // The rules answer names only channels that have a rule; the configured channels come from health.
  const health = usePolling(() => api.channels(), [], null);
  const channels = [...new Set([...(health.data?.channels.map((c) => c.id) ?? []), ...Object.keys(rules.data?.channels ?? {})])].sort(byChannelOrder);
  return (
    <LoadState
      loading={rules.loading || (health.loading && !health.error)}
      error={rules.error}
      hasData={rules.data !== undefined}
      isEmpty={channels.length === 0}
      empty={__('No channels are configured on the companion yet.', 'stockline')}
      onRetry={() => void rules.reload()}
    >
      <table className="stockline-table">
        <caption className="screen-reader-text">{__('Stock held back per channel', 'stockline')}</caption>
        <thead>
          <tr>
            <th scope="col">{__('Channel', 'stockline')}</th>
            <th scope="col">{__('Units held back', 'stockline')}</th>
            <th scope="col">{__('Percent held back', 'stockline')}</th>
            <th scope="col">{__('Most ever shown', 'stockline')}</th>
            <th scope="col" className="num">{sprintf(__('Shows when %d available', 'stockline'), RULES_EXAMPLE_AVAILABLE)}</th>
            <th scope="col">
              <span className="screen-reader-text">{__('Actions', 'stockline')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <ChannelRuleRow key={c} channel={c} rule={rules.data?.channels[c] ?? {}} onSaved={() => void rules.reload()} />
          ))}
        </tbody>
      </table>
    </LoadState>
  );
}

export function Settings() {
  const settings = usePolling(() => api.settings(), [], null);
  const [current, setCurrent] = useState<AdminSettings | undefined>(undefined);
  const data = current ?? settings.data;
  return (
    <div className="stockline-settings">
      <LoadState loading={settings.loading} error={settings.error} hasData={data !== undefined} onRetry={() => void settings.reload()}>
        {data && (
          <>
            <section className="stockline-section" aria-labelledby="stockline-settings-connection">
              <h2 id="stockline-settings-connection">{__('Companion connection', 'stockline')}</h2>
              <ConnectionForm settings={data} onSaved={setCurrent} />
            </section>
            <section className="stockline-section" aria-labelledby="stockline-settings-checkout">
              <h2 id="stockline-settings-checkout">{__('Checkout guard', 'stockline')}</h2>
              <CheckoutGuard settings={data} onSaved={setCurrent} />
            </section>
          </>
        )}
      </LoadState>
      <section className="stockline-section" aria-labelledby="stockline-settings-buffers">
        <h2 id="stockline-settings-buffers">{__('Channel buffers', 'stockline')}</h2>
        <p>{__('Hold stock back from a channel so a slow marketplace cannot sell the last units. Leave a box empty for no limit.', 'stockline')}</p>
        <Buffers />
      </section>
    </div>
  );
}
