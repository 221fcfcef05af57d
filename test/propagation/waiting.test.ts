import { describe, expect, it } from 'vitest';
import { syncKeys } from '../../companion/src/propagation/sync-keys';
import { useFixtures } from './helpers';

describe("how long the first SKU in line for a channel's push has waited (GET /v1/channels oldestWaitingMs)", () => {
  const openFixture = useFixtures();

  it('counts a change from its own time, a likely confirmation from its turn 30 s later, and not background work', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const rt = await fx.start({ role: 'api' });
    const dirty = syncKeys(fx.keys, 'default', 'fake-a').dirty;
    const now = 1_800_000_000_000;
    expect(await rt.core.oldestWaiting('fake-a', 'default', now)).toBeNull();
    // Background work only (a retry of many letters: its turn is a day later, .25).
    await fx.t.redis.zadd(dirty, String(now - 90_000 + 86_400_000 + 0.25), 'BULK');
    expect(await rt.core.oldestWaiting('fake-a', 'default', now)).toBeNull();
    // A likely confirmation changed 90 s ago: its turn came 60 s ago (.5).
    await fx.t.redis.zadd(dirty, String(now - 90_000 + 30_000 + 0.5), 'CONFIRM');
    expect(await rt.core.oldestWaiting('fake-a', 'default', now)).toBe(60_000);
    // A real change 75 s ago is first in line.
    await fx.t.redis.zadd(dirty, String(now - 75_000), 'SALE');
    expect(await rt.core.oldestWaiting('fake-a', 'default', now)).toBe(75_000);
  });
});
