import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Stock } from '../../admin-ui/src/pages/Stock';
import type { Rule } from '../../admin-ui/src/api/types';
import { stockItems, stockState, syncFor } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

function serveStock(items = stockItems, nextCursor: string | null = null, mismatch: string[] = []) {
  net()
    .on('GET admin/proxy/v1/stock', (c) => {
      const prefix = c.query.get('prefix') ?? '';
      return { body: { items: items.filter((i) => i.sku.startsWith(prefix)), nextCursor } };
    })
    .on('GET admin/proxy/v1/sync', (c) => {
      const skus = (c.query.get('skus') ?? '').split(',');
      return { body: syncFor(items.filter((i) => skus.includes(i.sku)), mismatch) };
    });
}

const row = (sku: string) => within(screen.getByRole('rowheader', { name: new RegExp(`^${sku}`) }).closest('tr') as HTMLElement);

describe('Stock', () => {
  it('lists each SKU with ledger numbers and what every channel shows', async () => {
    serveStock();
    render(<Stock />);
    await screen.findByRole('columnheader', { name: 'Amazon: last set' });
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['SKU', 'On hand', 'Committed', 'Reserved', 'Available', 'WooCommerce: last set', 'Shopify: last set', 'Amazon: last set', 'Flipkart: last set', 'Actions']);
    const cells = row('TSHIRT-M').getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(0, 4)).toEqual(['9', '2', '2', '5']);
    expect(cells[4]).toContain('5 ✓');
    expect(row('MUG-BLUE').getByText('Paused: oversold')).toBeTruthy();
    expect(row('MUG-BLUE').getAllByRole('cell')[3]!.textContent).toBe('-1');
    expect(row('MUG-BLUE').getByRole('button', { name: 'Relist MUG-BLUE' })).toBeTruthy();
  });

  it('points out a channel showing a different number than it should', async () => {
    serveStock(stockItems, null, ['TSHIRT-L:amazon']);
    render(<Stock />);
    const mismatch = await screen.findByText('(should be 10)');
    expect(mismatch.closest('td')!.textContent).toContain('12');
    expect(row('TSHIRT-L').getAllByText('(should be 10)')).toHaveLength(1);
  });

  it('says how many SKUs there are and how many pages, when the companion counts them', async () => {
    net()
      .on('GET admin/proxy/v1/stock', (c) => ({ body: { items: stockItems, nextCursor: 'next', total: c.query.get('prefix') ? 3 : 4077 } }))
      .on('GET admin/proxy/v1/sync', { body: syncFor(stockItems) });
    const user = userEvent.setup();
    render(<Stock />);
    expect(await screen.findByText('4077 SKUs in the ledger.')).toBeTruthy();
    expect(screen.getByText('Page 1 of 164')).toBeTruthy();
    await user.type(screen.getByLabelText('Search SKUs (starts with)'), 'TSHIRT');
    expect(await screen.findByText('3 SKUs start with “TSHIRT”.')).toBeTruthy();
  });

  it('lists only the SKUs a channel does not show right when asked, paging on through the catalogue', async () => {
    serveStock();
    const mug = stockItems.find((i) => i.sku === 'MUG-RED')!;
    net().on('GET admin/proxy/v1/sync/out-of-step', (c) =>
      c.query.get('cursor')
        ? { body: { items: [], nextCursor: null, scanned: 10 } }
        : { body: { items: [{ state: mug, channels: syncFor([mug], ['MUG-RED:amazon']).items[0]!.channels }], nextCursor: 'MUG-RED', scanned: 5000 } },
    );
    const user = userEvent.setup();
    render(<Stock />);
    await screen.findByRole('rowheader', { name: /^TSHIRT-M/ });
    await user.click(screen.getByLabelText('Only SKUs a channel does not show right'));
    await waitFor(() => expect(screen.getAllByRole('rowheader').map((r) => r.textContent)).toEqual(['MUG-RED']));
    expect(screen.queryByText(/SKUs in the ledger/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Every channel shows what it should for every SKU.')).toBeTruthy();
    expect(net().callsTo('GET admin/proxy/v1/sync/out-of-step').at(-1)!.query.get('cursor')).toBe('MUG-RED');
  });

  it('searches by SKU prefix and pages with the companion cursor', async () => {
    serveStock(stockItems, 'cursor-2');
    const user = userEvent.setup();
    render(<Stock />);
    await screen.findByRole('rowheader', { name: /^MUG-RED/ });
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(net().callsTo('GET admin/proxy/v1/stock').some((c) => c.query.get('cursor') === 'cursor-2')).toBe(true));
    await user.type(screen.getByLabelText('Search SKUs (starts with)'), 'TSHIRT');
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: /^MUG-RED/ })).toBeNull());
    const last = net().callsTo('GET admin/proxy/v1/stock').at(-1)!;
    expect(last.query.get('prefix')).toBe('TSHIRT');
    expect(last.query.get('cursor')).toBeNull();
    expect(screen.getAllByRole('rowheader').map((r) => r.textContent)).toEqual(['TSHIRT-L', 'TSHIRT-M', 'TSHIRT-SPaused']);
  });

  it('adjusts stock through the plugin with a required reason, then reloads', async () => {
    let items = stockItems;
    net()
      .on('GET admin/proxy/v1/stock', () => ({ body: { items, nextCursor: null } }))
      .on('GET admin/proxy/v1/sync', () => ({ body: syncFor(items) }))
      .on('POST admin/adjust', () => {
        items = items.map((i) => (i.sku === 'MUG-RED' ? stockState('MUG-RED', 30, 3, 1) : i));
        return { body: { id: 'adj-1', status: 'applied', stock: [] } };
      });
    const user = userEvent.setup();
    render(<Stock />);
    await user.click(await screen.findByRole('button', { name: 'Adjust stock of MUG-RED' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Adjust stock of MUG-RED' }));
    await user.type(dialog.getByLabelText('New on-hand count'), '30');
    expect((dialog.getByRole('button', { name: 'Save adjustment' }) as HTMLButtonElement).disabled).toBe(true);
    await user.type(dialog.getByLabelText(/^Reason/), 'Delivery counted');
    await user.click(dialog.getByRole('button', { name: 'Save adjustment' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(net().callsTo('POST admin/adjust')[0]!.body).toEqual({
      sku: 'MUG-RED',
      mode: 'set',
      quantity: 30,
      reason: 'Delivery counted',
      requestId: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
    });
    expect(net().calls.some((c) => c.route.startsWith('admin/proxy/v1/events'))).toBe(false);
    await waitFor(() => expect(row('MUG-RED').getAllByRole('cell')[0]!.textContent).toBe('30'));
    expect(screen.getAllByText('MUG-RED: on hand is now 30.').length).toBeGreaterThan(0);
  });

  it('shows the companion refusal inside the adjust dialog', async () => {
    serveStock();
    net().on('POST admin/adjust', { status: 409, body: { code: 'version_conflict', message: 'The SKU changed while you were editing; try again.' } });
    const user = userEvent.setup();
    render(<Stock />);
    await user.click(await screen.findByRole('button', { name: 'Adjust stock of TSHIRT-M' }));
    const dialog = within(screen.getByRole('dialog'));
    await user.click(dialog.getByRole('radio', { name: /Add to the on-hand count/ }));
    await user.type(dialog.getByLabelText('Units to add'), '-2');
    expect(dialog.getByText('On hand will be 7.')).toBeTruthy();
    await user.type(dialog.getByLabelText(/^Reason/), 'Damaged');
    await user.click(dialog.getByRole('button', { name: 'Save adjustment' }));
    expect(await dialog.findByText('The SKU changed while you were editing; try again.')).toBeTruthy();
    expect(net().callsTo('POST admin/adjust')[0]!.body).toMatchObject({ mode: 'add', quantity: -2 });
  });

  it('sends the same request id when the owner saves again after a lost answer, and a new one for a different change', async () => {
    serveStock();
    let n = 0;
    net().on('POST admin/adjust', () =>
      ++n === 1
        ? {
            status: 504,
            body: {
              code: 'companion_timeout',
              message: 'The Stockline companion did not answer in time, so the correction may have been applied or not. Save the same correction again to find out: it is applied at most once.',
            },
          }
        : n === 2
          ? { status: 409, body: { code: 'version_conflict', message: 'The SKU changed while you were editing; try again.' } }
          : { body: { id: 'x', status: 'duplicate', stock: [] } },
    );
    const user = userEvent.setup();
    render(<Stock />);
    await user.click(await screen.findByRole('button', { name: 'Adjust stock of MUG-RED' }));
    const dialog = within(screen.getByRole('dialog'));
    await user.click(dialog.getByRole('radio', { name: /Add to the on-hand count/ }));
    await user.type(dialog.getByLabelText('Units to add'), '5');
    await user.type(dialog.getByLabelText(/^Reason/), 'Delivery');
    await user.click(dialog.getByRole('button', { name: 'Save adjustment' }));
    expect(await dialog.findByText(/may have been applied or not/)).toBeTruthy();
    // A different change (another reason) is a different correction: a new id.
    await user.type(dialog.getByLabelText(/^Reason/), ' 2');
    await user.click(dialog.getByRole('button', { name: 'Save adjustment' }));
    expect(await dialog.findByText('The SKU changed while you were editing; try again.')).toBeTruthy();
    // Back to the first change: the id it was first sent with, so the companion answers duplicate.
    await user.clear(dialog.getByLabelText(/^Reason/));
    await user.type(dialog.getByLabelText(/^Reason/), 'Delivery');
    await user.click(dialog.getByRole('button', { name: 'Save adjustment' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const ids = net().callsTo('POST admin/adjust').map((c) => (c.body as { requestId: string }).requestId);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids[2]).toBe(ids[0]);
  });

  it('pauses and relists a SKU through the proxy', async () => {
    serveStock();
    net()
      .on('POST admin/proxy/v1/stock/MUG-RED/pause', { body: stockState('MUG-RED', 22, 3, 1, { paused: 'manual' }) })
      .on('POST admin/proxy/v1/stock/MUG-BLUE/relist', { body: stockState('MUG-BLUE', 4, 5, 0) });
    const user = userEvent.setup();
    render(<Stock />);
    await user.click(await screen.findByRole('button', { name: 'Pause MUG-RED' }));
    expect((await screen.findAllByText('MUG-RED is paused: every channel shows 0.')).length).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Relist MUG-BLUE' }));
    expect((await screen.findAllByText('MUG-BLUE is selling again on every channel.')).length).toBeGreaterThan(0);
    expect(net().callsTo('POST admin/proxy/v1/stock/MUG-RED/pause')).toHaveLength(1);
  });

  it("stops a SKU on one channel (its rule there shows at most 0, the rule's other fields and its cap kept) and sells it there again", async () => {
    let rules: Record<string, Record<string, Rule>> = { 'MUG-RED': { amazon: { buffer: 2, maxShown: 5 } }, 'TSHIRT-M': { shopify: { buffer: 1, maxShown: 0, maxShownBeforeStop: 3 } } };
    net()
      .on('GET admin/proxy/v1/stock', { body: { items: stockItems, nextCursor: null } })
      .on('GET admin/proxy/v1/sync', () => {
        const sync = syncFor(stockItems);
        for (const item of sync.items) for (const [c, rule] of Object.entries(rules[item.sku] ?? {})) item.channels[c]!.skuRule = rule;
        return { body: sync };
      })
      .on('PUT admin/proxy/v1/rules/skus/MUG-RED', (c) => {
        const { channel, ...rule } = c.body as Rule & { channel: string };
        rules = { ...rules, 'MUG-RED': { [channel]: rule } };
        return { body: c.body };
      })
      .on('PUT admin/proxy/v1/rules/skus/TSHIRT-M', (c) => ({ body: c.body }));
    const user = userEvent.setup();
    render(<Stock />);
    // Shopify's cell of TSHIRT-M says it is not sold there; the others offer to stop.
    const shopifyCell = (await screen.findByRole('button', { name: 'Sell TSHIRT-M on Shopify again' })).closest('td')!;
    expect(shopifyCell.textContent).toContain('Not sold here');
    expect(row('TSHIRT-M').getAllByText('Not sold here')).toHaveLength(1);
    // Not offered on the store itself (a count typed there would be taken over a shaped number).
    expect(screen.queryByRole('button', { name: 'Stop selling MUG-RED on WooCommerce' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Stop selling MUG-RED on Amazon' }));
    await waitFor(() => expect(net().callsTo('PUT admin/proxy/v1/rules/skus/MUG-RED')).toHaveLength(1));
    // Its cap of 5 is kept aside while stopped (a trial's cap was lost on "sell here again").
    expect(net().callsTo('PUT admin/proxy/v1/rules/skus/MUG-RED')[0]!.body).toEqual({ channel: 'amazon', buffer: 2, maxShown: 0, maxShownBeforeStop: 5 });
    expect((await screen.findAllByText('MUG-RED is no longer sold on Amazon: it shows 0 there. The other channels are not changed.')).length).toBeGreaterThan(0);
    expect(await screen.findByRole('button', { name: 'Sell MUG-RED on Amazon again' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Sell TSHIRT-M on Shopify again' }));
    await waitFor(() => expect(net().callsTo('PUT admin/proxy/v1/rules/skus/TSHIRT-M')).toHaveLength(1));
    expect(net().callsTo('PUT admin/proxy/v1/rules/skus/TSHIRT-M')[0]!.body).toEqual({ channel: 'shopify', buffer: 1, maxShown: 3 });
  });

  it('reads every channel now on "Check channels" and says which was set again, unlisted or unreadable', async () => {
    serveStock();
    net().on('POST admin/proxy/v1/sync/MUG-RED/check', {
      body: {
        sku: 'MUG-RED',
        channels: {
          amazon: { shown: 50, expected: 21, matches: false, pushedAgain: true },
          woocommerce: { shown: 21, expected: 21, matches: true, pushedAgain: false },
          shopify: { shown: 21, expected: 21, matches: true, pushedAgain: false },
          flipkart: { shown: 21, expected: 21, matches: false, pushedAgain: false, error: 'Flipkart unreachable' },
        },
      },
    });
    const user = userEvent.setup();
    render(<Stock />);
    await user.click(await screen.findByRole('button', { name: 'Read what every channel shows for MUG-RED now' }));
    expect(
      (await screen.findAllByText('MUG-RED: Amazon showed 50, not 21: set again. Flipkart could not be read (Flipkart unreachable). WooCommerce, Shopify show what they should.')).length,
    ).toBeGreaterThan(0);
    expect(net().callsTo('POST admin/proxy/v1/sync/MUG-RED/check')).toHaveLength(1);
  });

  it('explains an empty ledger and an unreachable companion', async () => {
    serveStock([]);
    const { unmount } = render(<Stock />);
    expect(await screen.findByText('No stock in the ledger yet. Run the import in Getting started.')).toBeTruthy();
    unmount();
    net().unreachable('GET admin/proxy/v1/stock');
    render(<Stock />);
    // The notice, and WordPress's a11y speak region that may repeat it.
    expect((await screen.findAllByText(/The Stockline companion cannot be reached/)).length).toBeGreaterThan(0);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
