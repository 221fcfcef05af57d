import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatePlugin, runCron, testApi } from '../support/wordpress';
import { pluginFixture, type PluginFixture } from './support/fixture';

describe('delivery without traffic: WP-Cron, or Action Scheduler when WooCommerce provides it', () => {
  let f: PluginFixture;
  beforeAll(async () => {
    f = await pluginFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('delivers a queued event from WP-Cron when there is no Action Scheduler', async () => {
    await f.companion.stop();
    const sku = f.sku('CRON');
    await f.product({ sku, stock: 8 });
    const state = await testApi('GET', 'state');
    expect(state.actionScheduler).toBeNull();
    expect(state.cron.drain).toEqual(expect.any(Number));
    expect(state.counts.pending).toBe(1);

    await f.companion.start();
    await runCron();
    expect((await testApi('GET', 'state')).counts.pending).toBe(0);
    expect(f.companion.received().map((e) => e.sku)).toContain(sku);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 8 });
  });

  it('moves to Action Scheduler when it is there, and delivers from its queue', async () => {
    await testApi('POST', 'options', { set: { stockline_test_action_scheduler: '1' } });
    await f.companion.stop();
    const sku = f.sku('AS');
    await f.product({ sku, stock: 6 });
    const state = await testApi('GET', 'state');
    const hooks = (state.actionScheduler as Array<{ hook: string; args: string[]; interval: number }>).filter((a) => a.hook === 'stockline_drain');
    expect(hooks).toEqual(expect.arrayContaining([expect.objectContaining({ interval: 60 }), expect.objectContaining({ args: ['retry'] })]));
    expect(state.cron.drain).toBe(false);
    expect(state.counts.pending).toBe(1);

    await f.companion.start();
    const ran = await testApi('POST', 'run-action-scheduler');
    expect(ran.ran).toContain('stockline_drain');
    expect((await testApi('GET', 'state')).counts.pending).toBe(0);
    expect(await f.companion.ledger.getStock('default', sku)).toMatchObject({ onHand: 6 });
  });

  it('schedules the drain again as soon as the plugin is activated again after a deactivation', async () => {
    await testApi('POST', 'options', { delete: ['stockline_test_action_scheduler'] });
    expect((await testApi('GET', 'state')).cron.drain).toEqual(expect.any(Number));
    await testApi('POST', 'deactivate');
    try {
      expect((await testApi('GET', 'state')).cron.drain).toBe(false);
    } finally {
      await activatePlugin(f.admin);
    }
    // The next page load: without this, nothing drained a failed attempt's events for up to ten minutes.
    expect((await testApi('GET', 'state')).cron.drain).toEqual(expect.any(Number));
  });
});
