import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('an outbox write the database refuses', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  const failWrites = (on: boolean) =>
    testApi('POST', 'options', on ? { set: { stockline_test_fail_outbox: 1 } } : { delete: ['stockline_test_fail_outbox'] });
  const stateOf = async (orderId: number) => (await testApi('GET', `orders/${orderId}`)).stocklineState as string;
  const eventsOf = async (orderId: number) =>
    (await f.outbox()).filter((r) => r.event_id.split(':')[1] === String(orderId)).map((r) => r.event_id.split(':').slice(2).join(':'));

  it('leaves the order where it was, so the next hook records the sale', async () => {
    const sku = f.sku('LOST');
    const productId = await f.product({ sku, stock: 5 });
    const c = await f.checkout([{ productId, qty: 1 }]);
    expect(await stateOf(c.orderId!)).toBe('held:1');

    await failWrites(true);
    try {
      await f.setStatus(c.orderId!, 'payment_complete');
    } finally {
      await failWrites(false);
    }
    // Before the fix the meta said confirmed although no event was stored: the sale was lost.
    expect(await stateOf(c.orderId!)).toBe('held:1');
    expect(await eventsOf(c.orderId!)).toEqual(['reserved']);
    const log = (await testApi('GET', 'state')).log as Array<{ level: string; message: string }>;
    expect(log).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining(`:${c.orderId}:confirmed`) }));

    // The next transition of the order records what was missed, in order.
    await f.setStatus(c.orderId!, 'completed');
    expect(await eventsOf(c.orderId!)).toEqual(['reserved', 'confirmed', 'shipped']);
    expect(await stateOf(c.orderId!)).toBe('shipped:1');
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 4, committed: 0, reserved: 0 });
  });

  it('does not mark a checkout held when its hold could not be stored', async () => {
    const sku = f.sku('NOHOLD');
    const productId = await f.product({ sku, stock: 5 });
    await f.settings({ checkoutGuard: false });
    await failWrites(true);
    let orderId: number;
    try {
      const c = await f.checkout([{ productId, qty: 1 }]);
      expect(c.ok).toBe(true);
      orderId = c.orderId!;
    } finally {
      await failWrites(false);
      await f.settings({ checkoutGuard: true });
    }
    // Before the fix: 'held:1', and the payment then converted a hold the companion never had.
    expect(await stateOf(orderId)).toBe('');
    await f.setStatus(orderId, 'payment_complete');
    expect(await eventsOf(orderId)).toEqual(['confirmed']);
    expect((await f.outbox()).find((r) => r.event_id.endsWith(`:${orderId}:confirmed`))!.payload.reservationId).toBeUndefined();
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 5, committed: 1, reserved: 0 });
  });
});
