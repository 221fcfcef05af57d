import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Overview } from '../../admin-ui/src/pages/Overview';
import { degradedChannels, healthyChannels, openIncident, statusBacklog, statusConnected, statusNeedsOwner } from './support/fixtures';
import { NONCE, useFakeNetwork } from './support/network';

const net = useFakeNetwork();

function serve(channels: unknown, status = statusConnected, incidents: unknown[] = []) {
  net()
    .json('GET admin/proxy/v1/channels', { channels })
    .json('GET admin/status', status)
    .json('GET admin/proxy/v1/incidents', { items: incidents });
}

/** The page's banners: one polite live region above the cards. */
const pageBanners = () => within(document.querySelector('.stockline-banners[aria-live="polite"]') as HTMLElement);
/** One channel's card, found by its heading. */
const channelCard = (name: string) => within(screen.getByRole('heading', { name }).closest('.stockline-channel') as HTMLElement);

describe('Overview', () => {
  it('shows one card per channel with its lag figures and a quiet page when all is healthy', async () => {
    serve(healthyChannels);
    render(<Overview />);
    const amazon = await screen.findByRole('heading', { name: 'Amazon' });
    const card = within(amazon.closest('.stockline-channel') as HTMLElement);
    expect(card.getByText('Healthy')).toBeTruthy();
    expect(card.getByText('310 ms')).toBeTruthy();
    expect(card.getByText('820 ms')).toBeTruthy();
    expect(card.getByText('100%')).toBeTruthy();
    expect(card.getByRole('img', { name: /Lag over the last hour/ })).toBeTruthy();
    expect(screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['WooCommerce', 'Shopify', 'Amazon', 'Flipkart']);
    expect(document.querySelectorAll('.components-notice')).toHaveLength(0);
    expect(screen.getByText('Empty: every store change has been delivered.')).toBeTruthy();
  });

  it('calls a channel that throttles us slowed down by it, not paused (the word a person\'s pause of a SKU uses)', async () => {
    serve(healthyChannels.map((c) => (c.id === 'flipkart' ? { ...c, state: 'paused' as const, throttledUntil: Date.now() + 20_000 } : c)));
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Flipkart' });
    expect(channelCard('Flipkart').getByText('Slowed down by the channel')).toBeTruthy();
    expect(channelCard('Flipkart').queryByText('Paused')).toBeNull();
  });

  it('names the SKU a channel\'s last error was about, and on a healthy channel calls it an earlier error, since recovered', async () => {
    const lastError = { message: 'NOT_FOUND', at: new Date(Date.now() - 300_000).toISOString(), sku: 'A20-8' };
    serve(healthyChannels.map((c) => (c.id === 'shopify' ? { ...c, state: 'degraded' as const, successRate: 0.9, lastError } : c.id === 'amazon' ? { ...c, lastError } : c)));
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Shopify' });
    expect(channelCard('Shopify').getByText('Last error (A20-8):')).toBeTruthy();
    expect(channelCard('Shopify').getByText('The channel has no listing for this SKU.')).toBeTruthy();
    // Healthy: history, not something to act on (a trial read a fixed error in bold under "Healthy").
    expect(channelCard('Amazon').queryByText('Last error (A20-8):')).toBeNull();
    expect(channelCard('Amazon').getByText(/^Earlier error \(A20-8\), since recovered:/)).toBeTruthy();
  });

  it('sends the WordPress nonce and reads the companion through the plugin proxy', async () => {
    serve(healthyChannels);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Amazon' });
    const call = net().callsTo('GET admin/proxy/v1/channels')[0]!;
    expect(call.headers.get('X-WP-Nonce')).toBe(NONCE);
    expect(net().callsTo('GET admin/proxy/v1/incidents')[0]!.query.get('status')).toBe('open');
  });

  it('warns about a slow channel, a down channel, oversells and the outbox backlog', async () => {
    serve(degradedChannels, statusBacklog, [openIncident]);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Flipkart' });
    const banners = pageBanners();
    expect(banners.getByText(/Amazon is degraded: updates take 3\.2 s at p99 \(more than 2\.0 s\)/)).toBeTruthy();
    expect(banners.getByText(/Flipkart is down: stock changes are not reaching it\. Could not reach the channel/)).toBeTruthy();
    expect(banners.getByText('1 oversold SKU is paused on every channel until stock returns.')).toBeTruthy();
    expect(banners.queryByText(/Shopify/)).toBeNull();
    const flipkart = channelCard('Flipkart');
    expect(flipkart.getByText('Down')).toBeTruthy();
    expect(flipkart.getByText('paused after repeated failures')).toBeTruthy();
    expect(flipkart.getByText('6')).toBeTruthy();
    const amazon = channelCard('Amazon');
    expect(amazon.getByText('The channel asked us to slow down (rate limited).')).toBeTruthy();
    expect(screen.getByText(/14 changes waiting, 2 failing/)).toBeTruthy();
  });

  it('says once that no worker is sending when the companion reports the channels stalled, with the unread changes on each card', async () => {
    const feed = { unread: 500, inProgress: 0, oldestUnreadMs: 45_000 };
    const reason = 'No worker has read the change feed for 45 s: 500 stock changes wait and nothing reaches the channels.';
    serve(healthyChannels.map((c) => ({ ...c, state: 'stalled' as const, reason, feed })));
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Amazon' });
    const banners = pageBanners();
    expect(
      banners.getByText(
        'No stock changes are reaching your channels: 500 changes have waited 45 s on the companion with no Stockline worker reading them. Start one on the companion’s server: npm start -- --role worker',
      ),
    ).toBeTruthy();
    expect(document.querySelectorAll('.components-notice')).toHaveLength(1);
    const amazon = channelCard('Amazon');
    expect(amazon.getByText('Stalled')).toBeTruthy();
    expect(amazon.getByText('Unread changes')).toBeTruthy();
    expect(amazon.getByText('500')).toBeTruthy();
  });

  it('shows a state it does not know (a newer companion) by its name and the companion’s reason, not as an empty badge', async () => {
    const future = healthyChannels.map((c) =>
      c.id === 'shopify' ? ({ ...c, state: 'maintenance', reason: 'Shopify announced maintenance until 14:00 UTC.' } as unknown as typeof c) : c,
    );
    serve(future);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Shopify' });
    const shopify = channelCard('Shopify');
    expect(shopify.getByText('maintenance')).toBeTruthy();
    const banners = pageBanners();
    expect(banners.getByText('Shopify: maintenance. Shopify announced maintenance until 14:00 UTC.')).toBeTruthy();
    // A card without unread changes does not show the figure at all.
    expect(shopify.queryByText('Unread changes')).toBeNull();
  });

  it('says how long a channel has been down, and keeps the last outage on its card once it is over', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    serve([
      { ...healthyChannels[0]!, lastOutage: { from: minutesAgo(17), to: minutesAgo(12) } },
      { ...healthyChannels[1]!, state: 'down', breaker: 'open', downSince: minutesAgo(3) },
      healthyChannels[2]!,
    ]);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Amazon' });
    expect(channelCard('WooCommerce').getByText('Last outage ended 12 min ago; it lasted 5 minutes.')).toBeTruthy();
    expect(channelCard('Shopify').getByText(/^Down for 3 minutes, since /)).toBeTruthy();
    expect(channelCard('Amazon').queryByText(/outage|Down for/)).toBeNull();
  });

  it('says why store changes are not reaching the companion when delivery keeps failing', async () => {
    const lastError = 'HTTP 401 from the companion: X-Stockline-Signature does not match';
    serve(healthyChannels, { ...statusConnected, outbox: { pending: 3, failed: 0, oldestAgeSeconds: 48, lastError } });
    render(<Overview />);
    const banner = await pageBanners().findByText(/3 store changes are not reaching the companion/);
    expect(banner.textContent).toContain(lastError);
    expect(banner.textContent).toContain('check the signing secret in Settings');
  });

  it('says which channels are local sandboxes rather than the merchant\'s accounts', async () => {
    serve(
      healthyChannels.map((c) => ({ ...c, sandbox: c.id !== 'woocommerce' })),
      statusConnected,
      [],
    );
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Amazon' });
    const banners = pageBanners();
    expect(banners.getByText(/^Shopify, Amazon, Flipkart are local sandboxes, not your real accounts/)).toBeTruthy();
    expect(channelCard('Amazon').getByText('Sandbox')).toBeTruthy();
    expect(channelCard('WooCommerce').queryByText('Sandbox')).toBeNull();
  });

  it('says a fast channel is degraded because its updates fail, not because they are slow', async () => {
    const failing = healthyChannels.map((c) =>
      c.id === 'woocommerce' ? { ...c, state: 'degraded' as const, successRate: 0.971, lastError: { message: 'HTTP 401 woocommerce_rest_cannot_view', at: new Date().toISOString() } } : c,
    );
    serve(failing, statusConnected, []);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'WooCommerce' });
    const banners = pageBanners();
    expect(banners.getByText('WooCommerce is degraded: 2.9% of its recent updates failed. The channel refused our credentials. Check the connection settings for this channel.')).toBeTruthy();
    expect(banners.queryByText(/at p99/)).toBeNull();
  });

  it('says a channel is slow, not failing, when the companion marks it degraded under a lag threshold below 2 s', async () => {
    const slowish = healthyChannels.map((c) => (c.id === 'shopify' ? { ...c, state: 'degraded' as const, successRate: 1, lag: { ...c.lag, '1m': { ...c.lag['1m'], p99: 1500 } } } : c));
    serve(slowish, statusConnected, []);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Shopify' });
    const banners = pageBanners();
    expect(banners.getByText('Shopify is degraded: updates take 1.5 s at p99.')).toBeTruthy();
    expect(banners.queryByText(/failed/)).toBeNull();
  });

  it('says stock changes wait in line for a channel whose pushes are fast but few leave', async () => {
    serve(healthyChannels.map((c) => (c.id === 'amazon' ? { ...c, state: 'degraded' as const, oldestWaitingMs: 95_000, queueDepth: 588 } : c)), statusConnected, []);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Amazon' });
    expect(pageBanners().getByText('Amazon is degraded: stock changes wait in line to reach it; the first has waited 95 seconds. 588 SKUs are waiting or being pushed.')).toBeTruthy();
  });

  it("says a channel's order webhooks are not arriving when an order reached Stockline only through its regular check", async () => {
    const missedWebhook = { order: '1042', createdAt: new Date(Date.now() - 9 * 60_000).toISOString(), foundAt: new Date(Date.now() - 2 * 60_000).toISOString(), count: 1 };
    serve(healthyChannels.map((c) => (c.id === 'shopify' ? { ...c, state: 'degraded' as const, missedWebhook } : c)), statusConnected, []);
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Shopify' });
    expect(
      pageBanners().getByText(
        'Shopify’s order webhooks are not reaching Stockline: order 1042 was found by the regular order check 7 minutes after it was placed, so its sale reached your other channels that late. In Shopify, check the webhook subscriptions (orders/create, orders/cancelled, refunds/create, fulfillments/create) point at the companion (README: “Connecting each channel”).',
      ),
    ).toBeTruthy();
  });

  it('names refused paid orders and rejected changes, says why nothing is sent, and offers to send them again or dismiss', async () => {
    let status = statusNeedsOwner;
    net()
      .json('GET admin/proxy/v1/channels', { channels: healthyChannels })
      .json('GET admin/proxy/v1/incidents', { items: [] })
      .on('GET admin/status', () => ({ body: status }))
      .on('POST admin/outbox/retry', () => ({ body: { requeued: 2, delivered: 2, failed: 0, error: null } }))
      .on('POST admin/outbox/dismiss', () => {
        status = { ...statusNeedsOwner, problem: null, outbox: { ...statusNeedsOwner.outbox, refused: 0, refusedLatest: [], failed: 0, failedLatest: [] } };
        return { body: { dismissed: 2 } };
      });
    const user = userEvent.setup();
    render(<Overview />);
    await screen.findByRole('heading', { name: 'Amazon' });
    const banners = pageBanners();
    expect(banners.getByText(/Stockline is not sending stock changes\. STOCKLINE_TENANT in wp-config\.php is "Shop One"/)).toBeTruthy();
    expect(banners.getByText(/2 store changes were refused: when they reached Stockline no units were left for them/)).toBeTruthy();
    // Stock typed into the WooCommerce product would count the refused orders twice once they are sent again.
    expect(banners.getByText(/Record new stock here \(Stock → Adjust → Units to add\), not in the WooCommerce product/)).toBeTruthy();
    expect(banners.getByText('Order #1043: not enough stock to confirm every line (MUG-BLUE: 1 ordered, 0 available)')).toBeTruthy();
    expect(banners.getByText(/1 store change was rejected by the companion and is set aside\./)).toBeTruthy();
    expect(banners.getByText('MUG-RED: HTTP 400 invalid_event at /events/0/type: must be one of the known event types')).toBeTruthy();
    expect(screen.getByText(/3 changes waiting, 1 failing, 2 refused/)).toBeTruthy();

    await user.click(banners.getByRole('button', { name: 'Send refused changes again' }));
    await waitFor(() => expect(net().callsTo('POST admin/outbox/retry')).toHaveLength(1));
    expect(net().callsTo('POST admin/outbox/retry')[0]!.body).toEqual({ status: 'refused' });
    await user.click(banners.getByRole('button', { name: 'Send rejected changes again' }));
    await waitFor(() => expect(net().callsTo('POST admin/outbox/retry')).toHaveLength(2));
    expect(net().callsTo('POST admin/outbox/retry')[1]!.body).toEqual({ status: 'failed' });

    const loads = net().callsTo('GET admin/status').length;
    await user.click(banners.getByRole('button', { name: 'Dismiss (I have dealt with them)' }));
    // The status is read again at once, and the banners it no longer warrants go.
    await waitFor(() => expect(net().callsTo('GET admin/status').length).toBeGreaterThan(loads));
    await waitFor(() => expect(screen.queryByText(/store changes were refused/)).toBeNull());
    expect(screen.queryByText(/Stockline is not sending stock changes/)).toBeNull();
  });

  it('says the companion is unreachable instead of showing empty cards', async () => {
    net().unreachable('GET admin/proxy/v1/channels').unreachable('GET admin/proxy/v1/incidents');
    net().json('GET admin/status', { ...statusConnected, connected: false });
    render(<Overview />);
    await screen.findAllByText(/The Stockline companion is unreachable/);
    const banners = pageBanners();
    expect(banners.getByText(/The Stockline companion is unreachable/)).toBeTruthy();
    expect(screen.queryByRole('heading', { level: 3 })).toBeNull();
  });

  it('invites the owner to connect a channel when none is configured', async () => {
    serve([]);
    render(<Overview />);
    expect(await screen.findByText('No channels are configured yet. Connect one in Getting started.')).toBeTruthy();
  });
});
