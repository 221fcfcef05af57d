import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Incidents } from '../../admin-ui/src/pages/Incidents';
import type { Incident } from '../../admin-ui/src/api/types';
import { openIncident, resolvedIncident } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

/** The order lines of one open incident with these orders, as the page lists them. */
async function orderLines(orders: Incident['orders']): Promise<(string | null)[]> {
  net().json('GET admin/proxy/v1/incidents', { items: [{ ...openIncident, orders }] });
  render(<Incidents />);
  const heading = await screen.findByRole('heading', { level: 3 });
  return within(heading.closest('.stockline-incident') as HTMLElement)
    .getAllByRole('listitem')
    .map((li) => li.textContent);
}

describe('Incidents', () => {
  it('shows open oversells first with their orders and the pause, then resolved ones with when stock returned', async () => {
    net().json('GET admin/proxy/v1/incidents', { items: [resolvedIncident, openIncident] });
    render(<Incidents />);
    const headings = await screen.findAllByRole('heading', { level: 3 });
    expect(headings.map((h) => h.textContent)).toEqual(['MUG-BLUE oversold by 1 unit', 'TSHIRT-M oversold by 2 units']);
    const open = within(headings[0]!.closest('.stockline-incident') as HTMLElement);
    expect(open.getByText('Open')).toBeTruthy();
    expect(open.getByText(/MUG-BLUE is paused \(shows 0\) on every channel until stock returns\./)).toBeTruthy();
    expect(open.getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Amazon order 402-8817261-5521930: 1 × MUG-BLUE',
      'Flipkart order OD330912881: 1 × MUG-BLUE',
    ]);
    const resolved = within(headings[1]!.closest('.stockline-incident') as HTMLElement);
    expect(resolved.getByText(/Stock returned 20 h ago .*; TSHIRT-M was relisted on every channel\./)).toBeTruthy();
  });

  it('marks an order the store taken by the store beyond its stock', async () => {
    const orders = [{ orderId: 'wc1a2b3c4d:1042', source: 'woocommerce', qty: 3, backorder: true }, openIncident.orders[0]!];
    expect(await orderLines(orders)).toEqual([
      'WooCommerce order #1042: 3 × MUG-BLUE, taken by the store beyond its stock',
      'Amazon order 402-8817261-5521930: 1 × MUG-BLUE',
    ]);
  });

  it('marks an order cancelled since it oversold, so the owner does not cancel it again', async () => {
    const orders = [{ ...openIncident.orders[0]!, cancelled: true }, openIncident.orders[1]!];
    expect(await orderLines(orders)).toEqual([
      'Amazon order 402-8817261-5521930: 1 × MUG-BLUE, cancelled since',
      'Flipkart order OD330912881: 1 × MUG-BLUE',
    ]);
  });

  it('names a WooCommerce order by its number, as the Activity tab does, and keeps a marketplace order id whole', async () => {
    const orders = [
      { orderId: 'wca9e66cba:4086', source: 'woocommerce', qty: 1 },
      { orderId: 'wca9e66cba:4091.2', source: 'woocommerce', qty: 2, backorder: true },
      openIncident.orders[0]!,
    ];
    // Before the fix: "WooCommerce order wca9e66cba:4086: …", the plugin's site id before the number.
    expect(await orderLines(orders)).toEqual([
      'WooCommerce order #4086: 1 × MUG-BLUE',
      'WooCommerce order #4091.2: 2 × MUG-BLUE, taken by the store beyond its stock',
      // Not shortened as in the Activity tab: the owner looks this order up on the marketplace to settle the oversell.
      'Amazon order 402-8817261-5521930: 1 × MUG-BLUE',
    ]);
  });

  it('filters by status on the server', async () => {
    net().on('GET admin/proxy/v1/incidents', (c) => ({ body: { items: c.query.get('status') === 'open' ? [] : [resolvedIncident] } }));
    const user = userEvent.setup();
    render(<Incidents />);
    await screen.findByText('TSHIRT-M oversold by 2 units');
    await user.selectOptions(screen.getByLabelText('Show'), 'open');
    expect(await screen.findByText('No open incidents.')).toBeTruthy();
    await waitFor(() => expect(net().callsTo('GET admin/proxy/v1/incidents').at(-1)!.query.get('status')).toBe('open'));
  });

  it('pages with the companion cursor, and starts again from the newest when the filter changes', async () => {
    net().on('GET admin/proxy/v1/incidents', (c) => ({
      body: c.query.get('cursor') === 'inc-1' ? { items: [resolvedIncident], nextCursor: null } : { items: [openIncident], nextCursor: 'inc-1' },
    }));
    const user = userEvent.setup();
    render(<Incidents />);
    await screen.findByText('MUG-BLUE oversold by 1 unit');
    expect(net().callsTo('GET admin/proxy/v1/incidents')[0]!.query.get('limit')).toBe('50');
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('TSHIRT-M oversold by 2 units')).toBeTruthy();
    expect(screen.queryByText('MUG-BLUE oversold by 1 unit')).toBeNull();
    expect(net().callsTo('GET admin/proxy/v1/incidents').at(-1)!.query.get('cursor')).toBe('inc-1');
    await user.selectOptions(screen.getByLabelText('Show'), 'open');
    await waitFor(() => expect(net().callsTo('GET admin/proxy/v1/incidents').at(-1)!.query.get('status')).toBe('open'));
    expect(net().callsTo('GET admin/proxy/v1/incidents').at(-1)!.query.get('cursor')).toBeNull();
  });

  it('reassures when there has never been an oversell, and reports a failure to load', async () => {
    net().json('GET admin/proxy/v1/incidents', { items: [] });
    const { unmount } = render(<Incidents />);
    expect(await screen.findByText('No oversells so far: no channel has sold stock that was not there.')).toBeTruthy();
    unmount();
    net().unreachable('GET admin/proxy/v1/incidents');
    render(<Incidents />);
    expect(await screen.findByText(/The Stockline companion cannot be reached/)).toBeTruthy();
  });
});
