import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { GettingStarted } from '../../admin-ui/src/pages/GettingStarted';
import type { AdminSettings, ImportStatus, Mapping } from '../../admin-ui/src/api/types';
import { importDone, importRunning, mapping, settings, statusConnected } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

function serve(opts: { connected?: boolean; imp?: ImportStatus; settings?: AdminSettings } = {}) {
  net()
    .json('GET admin/status', { ...statusConnected, connected: opts.connected ?? true })
    .json('GET admin/settings', opts.settings ?? settings)
    .json('GET admin/import', opts.imp ?? importRunning)
    .json('GET admin/proxy/v1/mapping', mapping);
}

const section = (name: RegExp) => within(screen.getByRole('region', { name }));

describe('Getting started', () => {
  it('shows the import progress, the SKUs that failed and what to fix', async () => {
    serve();
    render(<GettingStarted />);
    const bar = await screen.findByRole('progressbar', { name: 'Import progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('312');
    expect(bar.getAttribute('aria-valuemax')).toBe('480');
    const step2 = section(/2\. Import your stock/);
    expect(step2.getByText('312 of 480 products (65%)')).toBeTruthy();
    expect((step2.getByRole('button', { name: 'Import running…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(step2.getByRole('heading', { name: '1 SKU could not be imported' })).toBeTruthy();
    expect(step2.getByRole('link', { name: 'POSTER-A2' }).getAttribute('href')).toBe('edit.php?post_type=product&s=POSTER-A2');
    const step3 = section(/3\. Check each channel/);
    expect(await step3.findByRole('link', { name: 'Add a SKU to “Poster A2 (matte)”' })).toBeTruthy();
    expect(step3.getByRole('link', { name: 'Add a SKU to “Poster A2 (matte)”' }).getAttribute('href')).toBe('post.php?post=231&action=edit');
  });

  it('summarises listings per channel: listed, not listed and which SKUs', async () => {
    serve();
    render(<GettingStarted />);
    const amazon = within((await screen.findByRole('rowheader', { name: 'Amazon' })).closest('tr') as HTMLElement);
    const cells = amazon.getAllByRole('cell').map((c) => c.textContent);
    expect(cells[0]).toBe('41');
    expect(cells[1]).toBe('7');
    expect(cells[2]).toContain('GIFT-CARD, SAMPLE-PACK, MUG-GREEN');
    const woo = within(screen.getByRole('rowheader', { name: 'WooCommerce' }).closest('tr') as HTMLElement);
    expect(woo.getByText('Every SKU is listed.')).toBeTruthy();
  });

  it('says why an import that has not moved for minutes may not be running, and lets the owner resume it', async () => {
    serve({ imp: { ...importRunning, idleSeconds: 600 } });
    net().json('POST admin/import', { ...importRunning, idleSeconds: 0 });
    const user = userEvent.setup();
    render(<GettingStarted />);
    expect(
      await screen.findByText(/The import has not moved for 10 minutes\. WordPress runs it in the background \(WP-Cron and Action Scheduler\)/, { selector: '.components-notice__content' }),
    ).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Resume import' }));
    await waitFor(() => expect(net().callsTo('POST admin/import')).toHaveLength(1));
  });

  it('blames the companion, not WP-Cron, when it did not take the last batch', async () => {
    serve({ imp: { ...importRunning, idleSeconds: 180, lastError: 'HTTP 503 from the companion' } });
    render(<GettingStarted />);
    expect(await screen.findByText(/has not moved for 3 minutes: the companion did not take its last batch \(HTTP 503 from the companion\)\. It is tried again every 30 seconds/)).toBeTruthy();
    expect(screen.queryByText(/WP-Cron and Action Scheduler/, { selector: '.components-notice__content' })).toBeNull();
  });

  it('does not warn about an import that moved recently', async () => {
    serve({ imp: { ...importRunning, idleSeconds: 20 } });
    render(<GettingStarted />);
    await screen.findByRole('button', { name: 'Import running…' });
    // (WordPress's a11y-speak region may still hold an earlier test's words; the notices are what show.)
    expect(screen.queryByText(/has not moved/, { selector: '.components-notice__content' })).toBeNull();
  });

  it('resumes a failed import from where it stopped', async () => {
    let imp: ImportStatus = { ...importRunning, state: 'failed' };
    serve({ imp });
    net()
      .on('GET admin/import', () => ({ body: imp }))
      .on('POST admin/import', () => {
        imp = { ...imp, state: 'running' };
        return { body: imp };
      });
    const user = userEvent.setup();
    render(<GettingStarted />);
    expect(await screen.findByText('The import stopped after 312 of 480 products. Resume it to continue from there.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Resume import' }));
    expect(await screen.findByRole('button', { name: 'Import running…' })).toBeTruthy();
    expect(net().callsTo('POST admin/import')).toHaveLength(1);
  });

  it('asks a store that is not connected to enter the companion details, and saves only what was typed', async () => {
    serve({ connected: false, imp: { state: 'idle', done: 0, total: 0, errors: [], needsSku: [] }, settings: { ...settings, secretSet: false, adminTokenSet: false } });
    net().unreachable('GET admin/proxy/v1/mapping');
    net().on('POST admin/settings', (c) => ({ body: { ...settings, ...(c.body as object), secretSet: true } }));
    const user = userEvent.setup();
    render(<GettingStarted />);
    expect(await screen.findByText(/Not connected yet/)).toBeTruthy();
    const url = await screen.findByLabelText('Companion URL');
    await user.clear(url);
    await user.type(url, 'http://10.0.0.5:7400');
    await user.type(screen.getByLabelText('Signing secret'), 's3cret');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    await waitFor(() => expect(net().callsTo('POST admin/settings')).toHaveLength(1));
    expect(net().callsTo('POST admin/settings')[0]!.body).toEqual({ companionUrl: 'http://10.0.0.5:7400', secret: 's3cret' });
    expect(((await screen.findByLabelText('Signing secret')) as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('button', { name: 'Start import' })).toBeTruthy();
    expect(screen.getAllByText(/The Stockline companion cannot be reached/).length).toBeGreaterThan(0);
  });

  it('says the companion is unreachable, not "enter the secrets", when the saved settings are complete but it does not answer', async () => {
    serve({ connected: false, imp: { ...importRunning, state: 'done', done: 480 } });
    net().unreachable('GET admin/proxy/v1/mapping');
    render(<GettingStarted />);
    const step1 = section(/1\. Connect to the Stockline companion/);
    expect(
      await step1.findByText(/^The Stockline companion at http:\/\/127\.0\.0\.1:7400 cannot be reached\. The connection settings are saved; check that the companion is running/, {
        selector: '.components-notice__content',
      }),
    ).toBeTruthy();
    expect(screen.queryByText(/Not connected yet/)).toBeNull();
  });

  it('asks a store that moved to another tenant to import again, and says why', async () => {
    const moved: ImportStatus = { state: 'idle', done: 0, total: 0, errors: [], needsSku: [], tenant: 'shop2', importedFor: 'default', tenantChanged: true };
    serve({ imp: moved });
    render(<GettingStarted />);
    const step2 = section(/2\. Import your stock/);
    expect(
      await step2.findByText(
        'This store moved to tenant “shop2” after its last import, which was for “default”, so the ledger of “shop2” does not have this store’s stock. Import now so it matches WooCommerce.',
      ),
    ).toBeTruthy();
    expect(step2.getByRole('button', { name: 'Start import' })).toBeTruthy();
    expect(step2.queryByText(/Import finished/)).toBeNull();
  });

  it('asks a store that moved away and back to import again: its ledger missed what happened meanwhile', async () => {
    serve({ imp: { state: 'idle', done: 0, total: 0, errors: [], needsSku: [], tenant: 'default', importedFor: 'default', tenantChanged: true } });
    render(<GettingStarted />);
    expect(
      await screen.findByText(
        'This store was on another tenant since its last import, so the ledger of tenant “default” missed the sales and stock changes made meanwhile. Import now so it matches WooCommerce.',
        { selector: '.components-notice__content' },
      ),
    ).toBeTruthy();
  });

  it('says how many products a re-import left as the ledger has them', async () => {
    serve({ imp: { ...importDone, reimport: true, leftToLedger: 3 } });
    render(<GettingStarted />);
    expect(
      await screen.findByText(
        'Import finished: 480 products in the ledger. 3 products were left as the ledger has them: their WooCommerce stock is the number Stockline last wrote there (a paused SKU, a buffer), not a new count.',
      ),
    ).toBeTruthy();
  });

  it('dates a finished import, so old figures do not read as today\'s', async () => {
    serve({ imp: { ...importDone, finishedAt: new Date(Date.now() - 5 * 60_000).toISOString() } });
    render(<GettingStarted />);
    expect(await screen.findByText('Import finished 5 min ago: 480 products in the ledger.')).toBeTruthy();
  });

  it('reads the import again once the connection is saved, so a new tenant shows at once', async () => {
    serve({ imp: importDone });
    // No delay between keystrokes: on a loaded CI machine typing alone outlasted the wait below.
    const user = userEvent.setup({ delay: null });
    render(<GettingStarted />);
    expect(await screen.findByText('Import finished: 480 products in the ledger.')).toBeTruthy();
    net()
      .json('GET admin/import', { state: 'idle', done: 0, total: 0, errors: [], needsSku: [], tenant: 'shop2', importedFor: 'default', tenantChanged: true })
      .on('POST admin/settings', (c) => ({ body: { ...settings, ...(c.body as object) } }));
    const tenant = await screen.findByLabelText('Tenant');
    await user.clear(tenant);
    await user.type(tenant, 'shop2');
    await user.click(screen.getByRole('button', { name: 'Save connection' }));
    // The notice's own text: WordPress' Notice also speaks it into an a11y live region, a second match.
    expect(await screen.findByText(/^This store moved to tenant “shop2”/, { selector: '.components-notice__content' }, { timeout: 15_000 })).toBeTruthy();
  });

  it('asks to check listings before showing counts it does not have, then shows them', async () => {
    serve();
    net()
      .json('GET admin/proxy/v1/mapping', { channels: { woocommerce: { listed: 0, notListed: [] } }, checkedAt: null })
      .json('POST admin/proxy/v1/mapping/refresh', mapping);
    const user = userEvent.setup();
    render(<GettingStarted />);
    expect(await screen.findByText('Listings have not been checked yet. Check them to see which SKUs each channel sells.')).toBeTruthy();
    expect(screen.queryByText('Every SKU is listed.')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Check listings now' }));
    const amazon = within((await screen.findByRole('rowheader', { name: 'Amazon' })).closest('tr') as HTMLElement);
    expect(amazon.getAllByRole('cell')[0]!.textContent).toBe('41');
    expect(screen.getByRole('button', { name: 'Check listings again' })).toBeTruthy();
  });

  it('follows a check that runs in the background until its report replaces the progress', async () => {
    serve();
    const unchecked: Mapping = { channels: { woocommerce: { listed: 0, notListed: [] } }, checkedAt: null };
    const progress = (checked: number): Mapping => ({ ...unchecked, running: { startedAt: '2026-11-24T06:00:00Z', checked, total: 200 } });
    // The companion answers 202 with progress; GET shows it move, then the report replaces it.
    const answers: Mapping[] = [progress(100), progress(150), mapping];
    let current: Mapping = unchecked;
    net()
      .on('GET admin/proxy/v1/mapping', () => {
        if (current !== unchecked) current = answers.shift() ?? current;
        return { body: current };
      })
      .on('POST admin/proxy/v1/mapping/refresh', () => {
        current = progress(50);
        return { status: 202, body: current };
      });
    const user = userEvent.setup();
    render(<GettingStarted />);
    const step3 = section(/3\. Check each channel/);
    await user.click(await step3.findByRole('button', { name: 'Check listings now' }));
    const bar = await step3.findByRole('progressbar', { name: 'Listings check progress' });
    expect(Number(bar.getAttribute('aria-valuemax'))).toBe(200);
    expect((step3.getByRole('button', { name: 'Checking listings…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(await step3.findByText('Checking listings: 150 of 200 SKU lookups done (75%)', {}, { timeout: 5_000 })).toBeTruthy();
    const amazon = within((await step3.findByRole('rowheader', { name: 'Amazon' }, { timeout: 5_000 })).closest('tr') as HTMLElement);
    expect(amazon.getAllByRole('cell')[0]!.textContent).toBe('41');
    expect(step3.queryByRole('progressbar')).toBeNull();
    expect(step3.getByRole('button', { name: 'Check listings again' })).toBeTruthy();
  });

  it('says the table is the last check\'s while a new one runs, not "Checked 14 h ago" as if current', async () => {
    serve();
    net().json('GET admin/proxy/v1/mapping', { ...mapping, checkedAt: new Date(Date.now() - 3 * 3600_000).toISOString(), running: { startedAt: new Date().toISOString(), checked: 10, total: 200 } });
    render(<GettingStarted />);
    expect(await screen.findByText('These figures are from the last check, 3 h ago; a new one is running.')).toBeTruthy();
    expect(screen.queryByText(/^Checked /)).toBeNull();
  });

  it('says which channel stopped the last listings check', async () => {
    serve();
    net().json('GET admin/proxy/v1/mapping', { ...mapping, failed: { channel: 'amazon', message: 'could not reach amazon for this: the listings check failed: HTTP 403; try again in a moment', at: new Date().toISOString() } });
    render(<GettingStarted />);
    expect(await screen.findByText('The last listings check stopped: could not reach amazon for this: the listings check failed: HTTP 403; try again in a moment')).toBeTruthy();
    // The table is the last finished check's, and says so.
    expect(screen.getByText(/^These figures are from the last check that finished, .*, before the one that stopped\.$/)).toBeTruthy();
  });

  it('does not call a channel with no SKUs checked "every SKU is listed"', async () => {
    serve();
    net().json('GET admin/proxy/v1/mapping', { ...mapping, channels: { ...mapping.channels, amazon: { listed: 0, notListed: [] } } });
    render(<GettingStarted />);
    const amazon = within((await screen.findByRole('rowheader', { name: 'Amazon' })).closest('tr') as HTMLElement);
    expect(amazon.getByText('No SKUs were checked on this channel.')).toBeTruthy();
  });
});
