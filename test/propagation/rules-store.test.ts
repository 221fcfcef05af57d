import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../companion/src/ledger/keys';
import { createRulesStore } from '../../companion/src/propagation/rules';
import { createTestRedis, type TestRedis } from '../support/redis';

describe('rules store', () => {
  let t: TestRedis;
  beforeEach(async () => (t = await createTestRedis()));
  afterEach(() => t.cleanup());

  it("answers a channel rule with the rule the channel now follows, the adapter's defaults filled in", async () => {
    const rules = createRulesStore({ redis: t.redis, keys: createKeys({ prefix: t.prefix }), defaults: { amazon: { leadTimeMs: 500 } } });
    expect(await rules.setChannel('default', 'amazon', { buffer: 2 })).toEqual({ leadTimeMs: 500, buffer: 2 });
    expect(await rules.setChannel('default', 'amazon', { leadTimeMs: 0 })).toEqual({ leadTimeMs: 0 });
    // What PUT answers is what GET /v1/rules shows.
    expect((await rules.snapshot('default')).channels.amazon).toEqual({ leadTimeMs: 0 });
    expect(await rules.setChannel('default', 'shopify', { percent: 10 })).toEqual({ percent: 10 });
  });
});
