import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiFixture, events, type ApiFixture } from './helpers';

describe('HTTP API happy paths', () => {
  let f: ApiFixture;
  beforeEach(async () => {
    f = await apiFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('applies a signed event and answers with the new ledger state', async () => {
    const res = await f.post(events.received('A-1', 5));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'applied', stock: [{ sku: 'A-1', onHand: 5, available: 5, version: 1 }] });
  });
});
