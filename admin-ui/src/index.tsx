/**
 * Entry: mounts the page into the element the plugin printed. WordPress before 6.2 ships
 * React 17 without createRoot, so fall back to render there.
 */
import * as element from '@wordpress/element';
import { configureApi } from './api/client';
import { App } from './App';

function mount() {
  const root = document.getElementById('stockline-admin-root');
  if (!root) return;
  configureApi();
  const el = element as unknown as {
    createRoot?: (c: Element) => { render: (n: unknown) => void };
    render?: (n: unknown, c: Element) => void;
  };
  if (el.createRoot) el.createRoot(root).render(<App />);
  else el.render?.(<App />, root);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
