/**
 * The page: one tab per job. The first visit of a store that is not connected opens on
 * Getting started; `#tab=<name>` in the URL opens a tab directly (links from banners, tests).
 */
import { TabPanel } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { useEffect } from '@wordpress/element';
import { api } from './api/endpoints';
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

export function App() {
  useEffect(() => injectStyles(), []);
  const fromHash = tabFromHash();
  // Only needed to choose the first tab; the views load their own data.
  const status = usePolling(() => api.status(), [], null);
  if (!fromHash && status.loading) return null;
  const initial: TabName = fromHash ?? (status.data && !status.data.connected ? 'getting-started' : 'overview');
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
