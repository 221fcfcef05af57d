/**
 * Where the companion lives and the secrets to talk to it. Secrets are write-only: the
 * plugin only says whether one is set, and an empty box means "keep the current one".
 * Values fixed in wp-config.php are shown read-only.
 */
import { Button, Notice, TextControl } from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { AdminSettings, AdminSettingsUpdate, TestConnectionResult } from '../api/types';
import { useAction } from '../hooks/useAction';
import { errorSentence } from './LoadState';
import { SaveResult } from './SaveResult';

const CONSTANT = {
  companionUrl: 'STOCKLINE_COMPANION_URL',
  tenant: 'STOCKLINE_TENANT',
  secret: 'STOCKLINE_SECRET',
  adminToken: 'STOCKLINE_ADMIN_TOKEN',
} as const;

interface Props {
  settings: AdminSettings;
  onSaved: (s: AdminSettings) => void;
}

export function TestConnection() {
  const [result, setResult] = useState<TestConnectionResult | null>(null);
  const test = useAction(api.testConnection);
  return (
    <div className="stockline-test-connection">
      <Button
        variant="secondary"
        isBusy={test.busy}
        disabled={test.busy}
        onClick={async () => {
          setResult(null);
          const r = await test.run();
          if (r) setResult(r);
        }}
      >
        {__('Test connection', 'stockline')}
      </Button>
      <div aria-live="polite">
        {result && (
          <Notice status={result.ok ? 'success' : 'error'} isDismissible={false}>
            {result.ok
              ? sprintf(__('Connected: the companion answered in %d ms.', 'stockline'), result.latencyMs ?? 0)
              : sprintf(__('Not connected: %s', 'stockline'), result.message)}
          </Notice>
        )}
        {test.error && (
          <Notice status="error" isDismissible={false}>
            {errorSentence(test.error)}
          </Notice>
        )}
      </div>
    </div>
  );
}

export function ConnectionForm({ settings, onSaved }: Props) {
  const [url, setUrl] = useState(settings.companionUrl);
  const [tenant, setTenant] = useState(settings.tenant);
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [saved, setSaved] = useState(false);
  const save = useAction(api.saveSettings);
  useEffect(() => {
    setUrl(settings.companionUrl);
    setTenant(settings.tenant);
  }, [settings.companionUrl, settings.tenant]);

  const fixed = (k: keyof typeof CONSTANT) => settings.constants.includes(CONSTANT[k]);
  const fixedHelp = (k: keyof typeof CONSTANT) => sprintf(__('Set by %s in wp-config.php.', 'stockline'), CONSTANT[k]);
  const secretHelp = (isSet: boolean, k: keyof typeof CONSTANT) =>
    fixed(k) ? fixedHelp(k) : isSet ? __('A value is saved. Leave empty to keep it; type to replace it.', 'stockline') : __('Not set yet.', 'stockline');

  const submit = async () => {
    setSaved(false);
    const update: AdminSettingsUpdate = {};
    if (!fixed('companionUrl') && url !== settings.companionUrl) update.companionUrl = url.trim();
    if (!fixed('tenant') && tenant !== settings.tenant) update.tenant = tenant.trim();
    if (!fixed('secret') && secret) update.secret = secret;
    if (!fixed('adminToken') && token) update.adminToken = token;
    const next = await save.run(update);
    if (next) {
      setSecret('');
      setToken('');
      setSaved(true);
      onSaved(next);
    }
  };

  return (
    <form
      className="stockline-connection"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <TextControl
        __nextHasNoMarginBottom
        label={__('Companion URL', 'stockline')}
        type="url"
        value={url}
        disabled={fixed('companionUrl')}
        help={fixed('companionUrl') ? fixedHelp('companionUrl') : __('For example http://127.0.0.1:7400', 'stockline')}
        onChange={(v: string) => setUrl(v)}
      />
      <TextControl
        __nextHasNoMarginBottom
        label={__('Tenant', 'stockline')}
        value={tenant}
        disabled={fixed('tenant')}
        help={fixed('tenant') ? fixedHelp('tenant') : __('One tenant per store; "default" unless the companion serves several stores.', 'stockline')}
        onChange={(v: string) => setTenant(v)}
      />
      <TextControl
        __nextHasNoMarginBottom
        label={__('Signing secret', 'stockline')}
        type="password"
        autoComplete="new-password"
        value={secret}
        disabled={fixed('secret')}
        help={secretHelp(settings.secretSet, 'secret')}
        onChange={(v: string) => setSecret(v)}
      />
      <TextControl
        __nextHasNoMarginBottom
        label={__('Admin token', 'stockline')}
        type="password"
        autoComplete="new-password"
        value={token}
        disabled={fixed('adminToken')}
        help={secretHelp(settings.adminTokenSet, 'adminToken')}
        onChange={(v: string) => setToken(v)}
      />
      <div className="stockline-toolbar" style={{ marginTop: 12 }}>
        <Button variant="primary" type="submit" isBusy={save.busy} disabled={save.busy}>
          {__('Save connection', 'stockline')}
        </Button>
        <TestConnection />
      </div>
      <SaveResult saved={saved} message={__('Connection settings saved.', 'stockline')} error={save.error} onDismiss={() => setSaved(false)} />
    </form>
  );
}
