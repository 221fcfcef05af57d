import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../admin-ui/src/App';
import type { AdminSettings, ImportStatus } from '../../admin-ui/src/api/types';
import { auditItems, healthyChannels, importDone, importRunning, mapping, settings, statusConnected } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

const notSetUp: AdminSettings = { ...settings, secretSet: false, adminTokenSet: false };
const neverImported: ImportStatus = { state: 'idle', done: 0, total: 0, errors: [], needsSku: [] };

function serve(connected: boolean, opts: { settings?: AdminSettings; imp?: ImportStatus } = {}) {
  net()
    .json('GET admin/status', { ...statusConnected, connected })
    .json('GET admin/settings', opts.settings ?? settings)
    .json('GET admin/import', opts.imp ?? importRunning)
    .json('GET admin/proxy/v1/mapping', mapping)
    .json('GET admin/proxy/v1/channels', { channels: healthyChannels })
    .json('GET admin/proxy/v1/incidents', { items: [] })
    .json('GET admin/proxy/v1/audit', { items: auditItems, nextCursor: null });
}

describe('The Stockline page', () => {
  it('opens on the overview for a connected store and moves between views with the tabs', async () => {
    serve(true);
    const user = userEvent.setup();
    render(<App />);
    const tabs = await screen.findAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(['Overview', 'Stock', 'Dead letters', 'Activity', 'Incidents', 'Getting started', 'Settings']);
    expect(screen.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true');
    expect(await screen.findByRole('heading', { name: 'Flipkart' })).toBeTruthy();
    await user.click(screen.getByRole('tab', { name: 'Activity' }));
    expect(await screen.findByText('Amazon order 123-4567890-1234567 sold 2 × TSHIRT-M; available 7 → 5')).toBeTruthy();
    expect(window.location.hash).toBe('#tab=activity');
    expect(document.getElementById('stockline-admin-css')).toBeTruthy();
  });

  it('opens on Getting started for a store that is not connected yet', async () => {
    serve(false, { settings: notSetUp, imp: neverImported });
    render(<App />);
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Getting started' }).getAttribute('aria-selected')).toBe('true'));
    // findAll: a Notice's text is also spoken into an a11y live region, a second match at times.
    expect((await screen.findAllByText(/Not connected yet/)).length).toBeGreaterThan(0);
  });

  it('opens on the overview, saying the companion is unreachable, for a set-up store whose companion is down', async () => {
    serve(false, { imp: importDone });
    net()
      .json('GET admin/status', { ...statusConnected, connected: false, outbox: { pending: 7, failed: 0, oldestAgeSeconds: 43 } })
      .unreachable('GET admin/proxy/v1/channels')
      .unreachable('GET admin/proxy/v1/incidents');
    render(<App />);
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true'));
    expect((await screen.findAllByText(/The Stockline companion is unreachable/)).length).toBeGreaterThan(0);
    expect(screen.getAllByText(/7 changes waiting/).length).toBeGreaterThan(0);
    expect(screen.queryByText(/Not connected yet/)).toBeNull();
  });

  it('opens on Getting started for a connected store that has not imported its stock for its tenant', async () => {
    serve(true, { imp: neverImported });
    render(<App />);
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Getting started' }).getAttribute('aria-selected')).toBe('true'));
    expect(await screen.findByRole('button', { name: 'Start import' })).toBeTruthy();
  });

  it('opens the tab named in the address', async () => {
    serve(true);
    window.location.hash = '#tab=settings';
    render(<App />);
    expect((await screen.findByRole('tab', { name: 'Settings' })).getAttribute('aria-selected')).toBe('true');
    expect(await screen.findByRole('heading', { name: 'Channel buffers' })).toBeTruthy();
  });
});
