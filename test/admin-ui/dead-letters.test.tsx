import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DeadLetters } from '../../admin-ui/src/pages/DeadLetters';
import type { DeadLetter } from '../../admin-ui/src/api/types';
import { deadLetters } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

/** A companion that really removes what is retried or discarded. */
function serve(initial: DeadLetter[]) {
  let items = [...initial];
  net()
    .on('GET admin/proxy/v1/dead-letters', () => ({ body: { items, nextCursor: null } }))
    .on('POST admin/proxy/v1/dead-letters/retry', (c) => {
      const channel = (c.body as { channel?: string }).channel;
      const n = items.filter((d) => !channel || d.channel === channel).length;
      items = items.filter((d) => channel && d.channel !== channel);
      return { body: { retried: n } };
    });
  for (const d of initial) {
    net()
      .on(`POST admin/proxy/v1/dead-letters/${d.id}/retry`, () => {
        items = items.filter((x) => x.id !== d.id);
        return { body: { retried: 1 } };
      })
      .on(`DELETE admin/proxy/v1/dead-letters/${d.id}`, () => {
        items = items.filter((x) => x.id !== d.id);
        return { status: 204 };
      });
  }
}

describe('Dead letters', () => {
  it('lists each failed update with channel, SKU, a plain error and attempts', async () => {
    serve(deadLetters);
    render(<DeadLetters />);
    const row = within((await screen.findByRole('rowheader', { name: 'TSHIRT-M' })).closest('tr') as HTMLElement);
    expect(row.getByText('Flipkart')).toBeTruthy();
    expect(row.getByText('Could not reach the channel.')).toBeTruthy();
    expect(row.getByText('connect ECONNREFUSED 127.0.0.1:7443')).toBeTruthy();
    expect(row.getByText('8')).toBeTruthy();
    const amazon = within(screen.getByRole('rowheader', { name: 'MUG-RED' }).closest('tr') as HTMLElement);
    expect(amazon.getByText('The channel rejected the update as invalid.')).toBeTruthy();
    expect(row.queryByText('Retrying…')).toBeNull();
  });

  it("shows one SKU's letters when a SKU is typed, and offers no Retry all meanwhile", async () => {
    const asked: string[] = [];
    net().on('GET admin/proxy/v1/dead-letters', (c) => {
      const sku = c.query.get('sku');
      asked.push(sku ?? '');
      return { body: { items: sku ? deadLetters.filter((d) => d.sku === sku) : deadLetters, nextCursor: null } };
    });
    const user = userEvent.setup();
    render(<DeadLetters />);
    await screen.findByRole('rowheader', { name: 'TSHIRT-M' });
    await user.type(screen.getByRole('searchbox', { name: 'SKU' }), 'MUG-RED');
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: 'TSHIRT-M' })).toBeNull());
    expect(screen.getByRole('rowheader', { name: 'MUG-RED' })).toBeTruthy();
    expect(asked).toContain('MUG-RED');
    expect((screen.getByRole('button', { name: 'Retry all' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('marks a letter whose retry is already queued', async () => {
    serve([{ ...deadLetters[0]!, retrying: true }]);
    render(<DeadLetters />);
    const row = within((await screen.findByRole('rowheader', { name: 'TSHIRT-M' })).closest('tr') as HTMLElement);
    expect(row.getByText('Retrying…')).toBeTruthy();
  });

  it('retries one and it disappears from the list', async () => {
    serve(deadLetters);
    const user = userEvent.setup();
    render(<DeadLetters />);
    await user.click(await screen.findByRole('button', { name: 'Retry TSHIRT-M on Flipkart' }));
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: 'TSHIRT-M' })).toBeNull());
    expect(screen.getByRole('rowheader', { name: 'MUG-RED' })).toBeTruthy();
    expect(screen.getAllByText('Retrying TSHIRT-M on Flipkart.').length).toBeGreaterThan(0);
  });

  it('retries all of one channel', async () => {
    serve(deadLetters);
    const user = userEvent.setup();
    render(<DeadLetters />);
    await screen.findByRole('rowheader', { name: 'MUG-RED' });
    await user.selectOptions(screen.getByLabelText('Channel'), 'amazon');
    await user.click(await screen.findByRole('button', { name: 'Retry all on Amazon' }));
    // Asked first: it is a push per letter, and the owner may rather run the listings check.
    const dialog = within(screen.getByRole('dialog', { name: 'Retry every dead letter on Amazon?' }));
    expect(net().callsTo('POST admin/proxy/v1/dead-letters/retry')).toHaveLength(0);
    await user.click(dialog.getByRole('button', { name: 'Retry all' }));
    await waitFor(() => expect(net().callsTo('POST admin/proxy/v1/dead-letters/retry')).toHaveLength(1));
    expect(net().callsTo('POST admin/proxy/v1/dead-letters/retry')[0]!.body).toEqual({ channel: 'amazon' });
    expect((await screen.findAllByText('1 dead letter sent back to its queue.')).length).toBeGreaterThan(0);
    expect(net().callsTo('GET admin/proxy/v1/dead-letters').at(-1)!.query.get('channel')).toBe('amazon');
  });

  it('discards only after the owner confirms', async () => {
    serve(deadLetters);
    const user = userEvent.setup();
    render(<DeadLetters />);
    await user.click(await screen.findByRole('button', { name: 'Discard MUG-RED on Amazon' }));
    let dialog = within(screen.getByRole('dialog', { name: 'Discard this failed update?' }));
    await user.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(net().callsTo('DELETE admin/proxy/v1/dead-letters/dl-amazon-2')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Discard MUG-RED on Amazon' }));
    dialog = within(screen.getByRole('dialog'));
    await user.click(dialog.getByRole('button', { name: 'Discard' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: 'MUG-RED' })).toBeNull());
    expect(screen.getByRole('rowheader', { name: 'TSHIRT-M' })).toBeTruthy();
    expect(net().callsTo('DELETE admin/proxy/v1/dead-letters/dl-amazon-2')).toHaveLength(1);
  });

  it('says so when there is nothing to retry, and when the list cannot load', async () => {
    serve([]);
    const { unmount } = render(<DeadLetters />);
    expect(await screen.findByText('No dead letters: every channel accepted every update.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Retry all' }) as HTMLButtonElement).disabled).toBe(true);
    unmount();
    net().on('GET admin/proxy/v1/dead-letters', { status: 401, body: { code: 'unauthorized', message: 'Bad token' } });
    render(<DeadLetters />);
    expect(await screen.findByText('The companion refused the admin token. Check it in Settings.')).toBeTruthy();
  });
});
