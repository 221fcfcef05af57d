import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { usePolling } from '../../admin-ui/src/hooks/usePolling';
import { api } from '../../admin-ui/src/api/endpoints';
import { healthyChannels, statusConnected } from './support/fixtures';
import { useFakeNetwork } from './support/network';

const net = useFakeNetwork();

function Probe({ interval }: { interval?: number | null }) {
  const s = usePolling(() => api.status(), [], interval);
  return <p>{s.data ? `outbox ${s.data.outbox.pending}` : 'none'}</p>;
}

function setHidden(hidden: boolean) {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Lets the fake fetch's promises settle without moving the clock. */
const flush = () => act(async () => { for (let i = 0; i < 10; i++) await Promise.resolve(); });

/** Moves the fake clock, then lets what it woke up settle. */
async function advance(ms: number) {
  await act(async () => vi.advanceTimersByTime(ms));
  await flush();
}

/** After `before` loads, the next one starts exactly 5 s after the last answer: not one millisecond earlier. */
async function expectNextLoadIn5s(before: number) {
  await advance(4_999);
  expect(net().callsTo('GET admin/status')).toHaveLength(before);
  await advance(1);
  expect(net().callsTo('GET admin/status')).toHaveLength(before + 1);
}

describe('live refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    setHidden(false);
  });

  it('refreshes every 5 s and never faster, even when asked to', async () => {
    let pending = 0;
    net().on('GET admin/status', () => ({ body: { ...statusConnected, outbox: { ...statusConnected.outbox, pending: pending++ } } }));
    render(<Probe interval={1000} />);
    await flush();
    expect(screen.getByText('outbox 0')).toBeTruthy();
    await expectNextLoadIn5s(1);
    expect(screen.getByText('outbox 1')).toBeTruthy();
  });

  it('pauses while the tab is hidden and refreshes at once when it comes back', async () => {
    net().json('GET admin/status', statusConnected).json('GET admin/proxy/v1/channels', { channels: healthyChannels });
    render(<Probe />);
    await flush();
    setHidden(true);
    await advance(60_000);
    expect(net().callsTo('GET admin/status')).toHaveLength(1);
    act(() => setHidden(false));
    await flush();
    expect(net().callsTo('GET admin/status')).toHaveLength(2);
    await advance(5_000);
    expect(net().callsTo('GET admin/status')).toHaveLength(3);
  });

  it('loads a load-once list once, and not again when the tab comes back', async () => {
    net().json('GET admin/status', statusConnected);
    render(<Probe interval={null} />);
    await flush();
    expect(screen.getByText('outbox 0')).toBeTruthy();
    setHidden(true);
    act(() => setHidden(false));
    await advance(60_000);
    expect(net().callsTo('GET admin/status')).toHaveLength(1);
  });

  it('never stacks requests: the next refresh waits 5 s after a slow answer arrives', async () => {
    let release: (() => void) | undefined;
    net().on('GET admin/status', () => new Promise((resolve) => (release = () => resolve({ body: statusConnected }))));
    render(<Probe />);
    await flush();
    await advance(30_000);
    expect(net().callsTo('GET admin/status')).toHaveLength(1);
    await act(async () => release!());
    await flush();
    expect(screen.getByText('outbox 0')).toBeTruthy();
    await expectNextLoadIn5s(1);
  });
});
