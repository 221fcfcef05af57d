import { afterEach, describe, expect, it } from 'vitest';
import { ev, fixture, until, type Fixture } from './helpers';

describe('accepted-for-later pushes', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('reads back a push the channel accepted but never applied, and pushes it again', async () => {
    fx = await fixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'A1', quantity: 0 }, { sku: 'A2', quantity: 0 }]);
    // Every write is ACCEPTED and lands 50 ms later, except the first one, which never lands.
    fake.setFaults({ acceptLater: { applyAfterMs: 50, dropFirst: 1 } });
    await fx.start({ settings: { verifyAfterMs: 300 } });
    await fx.ledger.apply(ev.received('A1', 6));
    await until(() => fake.stats().writeCalls === 1, 5000, 'the first (lost) push');
    await fx.ledger.apply(ev.received('A2', 4));
    await until(() => fake.quantities().A1 === 6 && fake.quantities().A2 === 4, 10_000, 'the lost value to be pushed again');
    // The lost one cost exactly one extra push; the applied one was verified, not re-sent.
    const a1 = fake.writes().filter((w) => w.sku === 'A1');
    const a2 = fake.writes().filter((w) => w.sku === 'A2');
    expect(a1).toHaveLength(1);
    expect(a2).toHaveLength(1);
    expect(fake.stats().writeCalls).toBe(3);
  });
});
