/**
 * The page: one tab per job. A store that is not set up yet (no signing secret or admin token
 * saved, or no import for its tenant) opens on Getting started; a set-up store opens on the
 * Overview, also while the companion is down (the Overview says so and what is waiting).
 * `#tab=<name>` in the URL opens a tab directly (links from banners, tests).
 */
import { TabPanel } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { useEffect } from '@wordpress/element';
import { api } from './api/endpoints';
import type { AdminSettings, ImportStatus } from './api/types';
import { usePolling } from './hooks/usePolling';
import { injectStyles } from './styles';
import { Activity } from './pages/Activity';
import { DeadLetters } from './pages/DeadLetters';
import { GettingStarted } from './pages/GettingStarted';
import { Incidents } from './pages/Incidents';
import { Overview } from './pages/Overview';
import { Settings } from './pages/Settings';
import { Stock } from './pages/Stock';

const VIEWS = {
  overview: Overview,
  stock: Stock,
  'dead-letters': DeadLetters,
  activity: Activity,
  incidents: Incidents,
  'getting-started': GettingStarted,
  settings: Settings,
} as const;
type TabName = keyof typeof VIEWS;

const tabs = () => [
  { name: 'overview', title: __('Overview', 'stockline') },
  { name: 'stock', title: __('Stock', 'stockline') },
  { name: 'dead-letters', title: __('Dead letters', 'stockline') },
  { name: 'activity', title: __('Activity', 'stockline') },
  { name: 'incidents', title: __('Incidents', 'stockline') },
  { name: 'getting-started', title: __('Getting started', 'stockline') },
  { name: 'settings', title: __('Settings', 'stockline') },
];

function tabFromHash(): TabName | undefined {
  const m = /tab=([a-z-]+)/.exec(window.location.hash);
  return m && m[1] && m[1] in VIEWS ? (m[1] as TabName) : undefined;
}

/**
 * Whether the store still has to be set up: credentials not saved, or the catalogue never
 * imported for the store's tenant (the plugin reports a finished import for another tenant as
 * idle). Whether the companion answers right now is no part of it: a set-up store whose
 * companion is down belongs on the Overview, not on a screen asking for its secrets again.
 * Both answers come from WordPress, not the companion; one that failed counts as unknown.
 */
function needsSetUp(settings: AdminSettings | undefined, imp: ImportStatus | undefined): boolean {
  if (settings && (!settings.secretSet || !settings.adminTokenSet)) return true;
  return imp?.state === 'idle';
}

export function App() {
  useEffect(() => injectStyles(), []);
  const fromHash = tabFromHash();
  // Only needed to choose the first tab; the views load their own data.
  const settings = usePolling(() => api.settings(), [], null);
  const imp = usePolling(() => api.importStatus(), [], null);
  if (!fromHash && (settings.loading || imp.loading)) return null;
  const initial: TabName = fromHash ?? (needsSetUp(settings.data, imp.data) ? 'getting-started' : 'overview');
  return (
    <div className="stockline-admin">
      <h1 className="stockline-title">{__('Stockline', 'stockline')}</h1>
      <TabPanel
        className="stockline-tabs"
        tabs={tabs()}
        initialTabName={initial}
        onSelect={(name: string) => {
          window.history.replaceState(null, '', `#tab=${name}`);
        }}
      >
        {(tab: { name: string }) => {
          const View = VIEWS[tab.name as TabName] ?? Overview;
          return (
            <div className="stockline-view" aria-live="off">
              <View />
            </div>
          );
        }}
      </TabPanel>
    </div>
  );
}
