import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Activity } from '../../admin-ui/src/pages/Activity';
import { auditItems } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

describe('Activity', () => {
  it('shows each audit entry as a sentence, newest first', async () => {
    net().json('GET admin/proxy/v1/audit', { items: auditItems, nextCursor: null });
    render(<Activity />);
    const list = await screen.findByRole('list', { name: 'Activity, newest first' });
    const lines = [...list.querySelectorAll('li span')].map((s) => s.textContent);
    expect(lines).toEqual([
      'Amazon order 123-4567890-1234567 sold 2 × TSHIRT-M; available 7 → 5',
      'WooCommerce reserved 2 × TSHIRT-M; available 9 → 7',
      'Shopify confirmed TSHIRT-M = 7',
      'Manual adjustment of MUG-RED: on hand 18 → 22; available 14 → 18 (reason: Cycle count)',
    ]);
  });

  it('shows when an entry happened, and when it was recorded if that was much later', async () => {
    const now = Date.now();
    const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
    // An order placed while the companion was down (occurred 2 min 47 s ago, delivered 37 s ago),
    // and a sale recorded 20 s after it happened (on time: one time only).
    const late = { ...auditItems[1]!, id: '2-0', type: 'order.confirmed', orderId: 'wc1a2b3c4d:4086', occurredAt: iso(167_000), at: iso(37_000) };
    const onTime = { ...auditItems[1]!, id: '1-0', occurredAt: iso(50 * 60_000 + 20_000), at: iso(50 * 60_000) };
    net().json('GET admin/proxy/v1/audit', { items: [late, onTime], nextCursor: null });
    render(<Activity />);
    const list = await screen.findByRole('list', { name: 'Activity, newest first' });
    const [first, second] = [...list.querySelectorAll('li')];
    const firstTime = first!.querySelector('time')!;
    expect(firstTime.textContent).toBe('happened 2 min ago');
    expect(firstTime.getAttribute('dateTime')).toBe(late.occurredAt);
    expect(first!.querySelector('.stockline-recorded')!.textContent).toMatch(/^recorded 3\d s ago, 2 minutes later$/);
    expect(first!.querySelector('span')!.textContent).toBe('WooCommerce order #4086 sold 2 × TSHIRT-M; available 9 → 7');
    expect(second!.querySelector('time')!.textContent).toBe('50 min ago');
    expect(second!.querySelector('.stockline-recorded')).toBeNull();
  });

  it('sends the filters to the companion and pages with its cursor', async () => {
    net().on('GET admin/proxy/v1/audit', (c) => ({
      body: c.query.get('cursor') === 'c2' ? { items: auditItems.slice(2), nextCursor: null } : { items: auditItems.slice(0, 2), nextCursor: 'c2' },
    }));
    const user = userEvent.setup();
    render(<Activity />);
    await screen.findByRole('list');
    await user.type(screen.getByLabelText('SKU'), 'TSHIRT-M');
    await user.type(screen.getByLabelText('Order'), '123-4567890-1234567');
    await user.selectOptions(screen.getByLabelText('Type'), 'order.confirmed');
    await user.selectOptions(screen.getByLabelText('Channel'), 'amazon');
    await user.type(screen.getByLabelText('Recorded from'), '2026-11-20T10:00');
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(net().callsTo('GET admin/proxy/v1/audit').at(-1)!.query.get('sku')).toBe('TSHIRT-M'));
    const q = net().callsTo('GET admin/proxy/v1/audit').at(-1)!.query;
    expect(q.get('orderId')).toBe('123-4567890-1234567');
    expect(q.get('type')).toBe('order.confirmed');
    expect(q.get('channel')).toBe('amazon');
    expect(q.get('from')).toBe(new Date('2026-11-20T10:00').toISOString());
    expect(q.get('to')).toBeNull();
    await user.click(await screen.findByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Shopify confirmed TSHIRT-M = 7')).toBeTruthy();
    expect(net().callsTo('GET admin/proxy/v1/audit').at(-1)!.query.get('cursor')).toBe('c2');
  });

  it('tells an empty trail from an empty filter result', async () => {
    net().json('GET admin/proxy/v1/audit', { items: [], nextCursor: null });
    const user = userEvent.setup();
    render(<Activity />);
    expect(await screen.findByText('No activity yet. Orders and stock changes will appear here as they happen.')).toBeTruthy();
    await user.type(screen.getByLabelText('SKU'), 'NOPE');
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    expect(await screen.findByText('Nothing matches these filters.')).toBeTruthy();
  });

  it('offers to look further back when a narrow filter found nothing among the entries the companion looked at', async () => {
    // The companion examines a bounded stretch of the audit per request: nothing on this page, more behind it.
    net()
      .on('GET admin/proxy/v1/audit', (req) => ({ body: req.query.get('cursor') === '9-0' ? { items: auditItems.slice(0, 1), nextCursor: null } : { items: [], nextCursor: '9-0' } }));
    const user = userEvent.setup();
    render(<Activity />);
    expect(await screen.findByText('Nothing matches among the most recent entries looked at. The next page looks further back.')).toBeTruthy();
    expect(screen.queryByText(/No activity yet/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Amazon order 123-4567890-1234567 sold 2 × TSHIRT-M; available 7 → 5')).toBeTruthy();
  });

  it('shows the error when the audit cannot be read', async () => {
    net().on('GET admin/proxy/v1/audit', { status: 400, body: { code: 'invalid_request', message: 'from must be an RFC 3339 date-time' } });
    render(<Activity />);
    expect(await screen.findByText('from must be an RFC 3339 date-time')).toBeTruthy();
  });
});
