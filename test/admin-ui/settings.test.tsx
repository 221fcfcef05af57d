import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Settings } from '../../admin-ui/src/pages/Settings';
import { healthyChannels, rules, settings } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

function serve(s = settings) {
  net().json('GET admin/settings', s).json('GET admin/proxy/v1/rules', rules).json('GET admin/proxy/v1/channels', { channels: healthyChannels });
}

describe('Settings', () => {
  it('never shows a saved secret, only that one is set', async () => {
    serve();
    render(<Settings />);
    const secret = (await screen.findByLabelText('Signing secret')) as HTMLInputElement;
    expect(secret.value).toBe('');
    expect(secret.type).toBe('password');
    expect(screen.getAllByText('A value is saved. Leave empty to keep it; type to replace it.')).toHaveLength(2);
    expect((screen.getByLabelText('Companion URL') as HTMLInputElement).value).toBe('http://127.0.0.1:7400');
  });

  it('locks what wp-config.php sets', async () => {
    serve({ ...settings, constants: ['STOCKLINE_COMPANION_URL', 'STOCKLINE_SECRET'] });
    render(<Settings />);
    const url = (await screen.findByLabelText('Companion URL')) as HTMLInputElement;
    expect(url.disabled).toBe(true);
    expect(screen.getByText('Set by STOCKLINE_COMPANION_URL in wp-config.php.')).toBeTruthy();
    expect((screen.getByLabelText('Signing secret') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByLabelText('Admin token') as HTMLInputElement).disabled).toBe(false);
  });

  it('tests the connection and says how it went', async () => {
    serve();
    let ok = true;
    net().on('POST admin/test-connection', () => ({ body: ok ? { ok: true, message: 'ok', latencyMs: 4 } : { ok: false, message: 'The admin token was refused (401).', latencyMs: 3 } }));
    const user = userEvent.setup();
    render(<Settings />);
    await user.click(await screen.findByRole('button', { name: 'Test connection' }));
    expect((await screen.findAllByText('Connected: the companion answered in 4 ms.')).length).toBeGreaterThan(0);
    ok = false;
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect((await screen.findAllByText('Not connected: The admin token was refused (401).')).length).toBeGreaterThan(0);
  });

  it('saves the checkout guard and refuses an impossible timeout', async () => {
    serve();
    net().on('POST admin/settings', (c) => ({ body: { ...settings, ...(c.body as object) } }));
    const user = userEvent.setup();
    render(<Settings />);
    const timeout = await screen.findByLabelText('Checkout wait (milliseconds)');
    await user.clear(timeout);
    await user.type(timeout, '50');
    expect(screen.getByText('Enter a whole number from 100 to 10000.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save checkout settings' }) as HTMLButtonElement).disabled).toBe(true);
    await user.clear(timeout);
    await user.type(timeout, '2000');
    await user.click(screen.getByRole('button', { name: 'Save checkout settings' }));
    await waitFor(() => expect(net().callsTo('POST admin/settings')).toHaveLength(1));
    expect(net().callsTo('POST admin/settings')[0]!.body).toEqual({ checkoutGuard: true, checkoutTimeoutMs: 2000 });
    expect((await screen.findAllByText('Checkout settings saved.')).length).toBeGreaterThan(0);
  });

  it('shows each channel buffer with what it would show, and saves one through the proxy', async () => {
    serve();
    net().on('PUT admin/proxy/v1/rules/channels/amazon', (c) => ({ body: c.body }));
    const user = userEvent.setup();
    render(<Settings />);
    const amazon = within((await screen.findByRole('rowheader', { name: 'Amazon' })).closest('tr') as HTMLElement);
    const flipkart = within(screen.getByRole('rowheader', { name: 'Flipkart' }).closest('tr') as HTMLElement);
    expect((amazon.getByLabelText('Amazon: units held back') as HTMLInputElement).value).toBe('2');
    expect(amazon.getAllByRole('cell')[3]!.textContent).toBe('18');
    expect(flipkart.getAllByRole('cell')[3]!.textContent).toBe('18');
    const buffer = amazon.getByLabelText('Amazon: units held back');
    // Each value goes in as one paste: typed key by key, a keystroke could be lost to a
    // controlled input's re-render on a busy machine ('10' arriving as '0').
    await user.clear(buffer);
    await user.paste('5');
    await user.click(amazon.getByLabelText('Amazon: most ever shown'));
    await user.paste('10');
    expect((buffer as HTMLInputElement).value).toBe('5');
    expect((amazon.getByLabelText('Amazon: most ever shown') as HTMLInputElement).value).toBe('10');
    // The preview re-renders after the last keystroke; under load that can trail the typing.
    await waitFor(() => expect(amazon.getAllByRole('cell')[3]!.textContent).toBe('10'));
    await user.click(amazon.getByRole('button', { name: 'Save Amazon buffer' }));
    await waitFor(() => expect(net().callsTo('PUT admin/proxy/v1/rules/channels/amazon')).toHaveLength(1));
    expect(net().callsTo('PUT admin/proxy/v1/rules/channels/amazon')[0]!.body).toEqual({ buffer: 5, maxShown: 10 });
    expect(await amazon.findByText('Saved')).toBeTruthy();
  });

  it('saves only the fields this tab changed, over what another tab saved meanwhile', async () => {
    serve();
    net().on('PUT admin/proxy/v1/rules/channels/amazon', (c) => ({ body: c.body }));
    const user = userEvent.setup();
    render(<Settings />);
    const amazon = within((await screen.findByRole('rowheader', { name: 'Amazon' })).closest('tr') as HTMLElement);
    expect((amazon.getByLabelText('Amazon: units held back') as HTMLInputElement).value).toBe('2');
    // Another tab saves a buffer of 5 while this one still shows 2.
    net().json('GET admin/proxy/v1/rules', { ...rules, channels: { ...rules.channels, amazon: { ...rules.channels.amazon, buffer: 5 } } });
    await user.click(amazon.getByLabelText('Amazon: most ever shown'));
    await user.paste('50');
    await user.click(amazon.getByRole('button', { name: 'Save Amazon buffer' }));
    await waitFor(() => expect(net().callsTo('PUT admin/proxy/v1/rules/channels/amazon')).toHaveLength(1));
    // Was: { buffer: 2, maxShown: 50 }, the other tab's buffer put back to 2.
    expect(net().callsTo('PUT admin/proxy/v1/rules/channels/amazon')[0]!.body).toMatchObject({ buffer: 5, maxShown: 50 });
  });

  it('reports settings that cannot be loaded', async () => {
    net().on('GET admin/settings', { status: 403, body: { code: 'rest_forbidden', message: 'Sorry, you are not allowed to do that.', data: { status: 403 } } });
    net().json('GET admin/proxy/v1/rules', { channels: {}, skus: {} }).json('GET admin/proxy/v1/channels', { channels: [] });
    render(<Settings />);
    expect(await screen.findByText('Your session has expired or you lack permission. Reload the page and log in again.')).toBeTruthy();
    expect(await screen.findByText('No channels are configured on the companion yet.')).toBeTruthy();
  });

  it('offers a buffer for every configured channel, also those without a rule yet', async () => {
    net()
      .json('GET admin/settings', settings)
      .json('GET admin/proxy/v1/rules', { channels: { amazon: { buffer: 2 } }, skus: {} })
      .json('GET admin/proxy/v1/channels', { channels: healthyChannels });
    render(<Settings />);
    await screen.findByRole('rowheader', { name: 'Flipkart' });
    expect(screen.getAllByRole('rowheader').map((r) => r.textContent)).toEqual(['WooCommerce', 'Shopify', 'Amazon', 'Flipkart']);
    expect((screen.getByLabelText('Shopify: units held back') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Amazon: units held back') as HTMLInputElement).value).toBe('2');
  });
});
