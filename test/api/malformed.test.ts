import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, events, type ApiFixture } from './helpers';
import { malformedCorpus } from './malformed-corpus';

describe('bad input to POST /v1/events', () => {
  let f: ApiFixture;
  let baseline: string;
  const corpus = malformedCorpus();

  beforeAll(async () => {
    f = await apiFixture();
    // Stock, a hold and an order, so that any case slipping through would change something.
    await f.post({ events: [events.received('M-1', 50), events.received('M-2', 50), events.received('M-3', 50)] });
    await f.post(events.reserved('cart-m', [{ sku: 'M-1', qty: 1 }]));
    await f.post(events.confirmed('order-m', [{ sku: 'M-2', qty: 1 }]));
    baseline = await f.fingerprint();
  });
  afterAll(async () => {
    await f.close();
  });

  it('has at least 50 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
  });

  for (const c of corpus) {
    it(`answers ${c.name} with ${c.status} at "${c.pointer}" and changes nothing`, async () => {
      const res =
        c.raw !== undefined || c.contentType
          ? await f.postRaw(c.raw ?? JSON.stringify(c.body), { contentType: c.contentType })
          : await f.post(c.body);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(c.status);
      const body = res.json();
      expect(body.pointer).toBe(c.pointer);
      expect(body.code).toMatch(/^[a-z_]+$/);
      // A sentence a person can act on: names the field, never a raw checker message.
      expect(body.message.length).toBeGreaterThan(25);
      expect(body.message).not.toMatch(/^Expected|must match pattern|\bundefined\b/);
      if (c.pointer) expect(body.message).toContain(c.pointer);
      if (c.says) expect(body.message).toMatch(c.says);
      expect(await f.fingerprint()).toBe(baseline);
    });
  }

  it('says what is wrong with a quantity and what to send instead', async () => {
    const res = await f.post({ events: [events.received('M-1', 1), events.reserved('cart-q', [{ sku: 'M-1', qty: 0 }])] });
    expect(res.json()).toEqual({
      code: 'invalid_request',
      pointer: '/events/1/lines/0/qty',
      message: '/events/1/lines/0/qty must be a whole number from 1 to 1,000,000 — send the quantity in units',
    });
  });

  it('names every bad event of a batch, not only the first (details.problems), and applies none', async () => {
    const batch = Array.from({ length: 10 }, (_, i) => (i % 2 ? events.reserved(`cart-p${i}`, [{ sku: 'M-1', qty: 0 }]) : events.received('M-1', 1)));
    const res = await f.post({ events: batch });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.pointer).toBe('/events/1/lines/0/qty');
    expect(body.message).toContain('(and 4 more bad events: details.problems lists every one)');
    expect(body.details.problems.map((p: { pointer: string }) => p.pointer)).toEqual([1, 3, 5, 7, 9].map((i) => `/events/${i}/lines/0/qty`));
    expect(body.details.problems[4].message).toBe('/events/9/lines/0/qty must be a whole number from 1 to 1,000,000 — send the quantity in units');
    expect(await f.fingerprint()).toBe(baseline);
  });

  it('applies nothing from a batch when one event is malformed, then everything once it is fixed', async () => {
    const good = events.received('M-3', 5);
    const bad = await f.post({ events: [good, events.received('M-3', -5)] });
    expect(bad.statusCode).toBe(400);
    expect(await f.fingerprint()).toBe(baseline);
    const fixed = await f.post({ events: [good, events.received('M-3', 5)] });
    expect(fixed.json().results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied']);
    expect((await f.admin('GET', '/v1/stock/M-3')).json()).toMatchObject({ onHand: 60 });
    baseline = await f.fingerprint();
  });

  it('answers bad query strings and path parameters with 400 and a pointer', async () => {
    const cases: [string, string][] = [
      ['/v1/stock?limit=0', '/limit'],
      ['/v1/stock?limit=many', '/limit'],
      ['/v1/stock?limit=501', '/limit'],
      ['/v1/stock?color=red', '/color'],
      ['/v1/audit?from=yesterday', '/from'],
      ['/v1/audit?from=99999999999999999999', '/from'],
      ['/v1/audit?to=1e400', '/to'],
      ['/v1/audit?from=1e3', '/from'],
      ['/v1/stock?limit=12abc', '/limit'],
      ['/v1/audit?cursor=not-a-cursor', '/cursor'],
      ['/v1/audit?cursor=18446744073709551616-0', '/cursor'],
      ['/v1/audit?cursor=0-99999999999999999999&order=asc', '/cursor'],
      ['/v1/audit?order=sideways', '/order'],
      ['/v1/audit?type=bogus', '/type'],
      ['/v1/audit?type=stock', '/type'],
      ['/v1/incidents?status=maybe', '/status'],
      ['/v1/incidents?cursor=inc-0', '/cursor'],
      ['/v1/incidents?cursor=12', '/cursor'],
      ['/v1/stock?tenant=Not%20A%20Tenant', '/tenant'],
      [`/v1/stock/${encodeURIComponent(' padded')}`, '/sku'],
    ];
    for (const [url, pointer] of cases) {
      const res = await f.admin('GET', url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ code: 'invalid_request', pointer, message: expect.stringContaining(pointer.slice(1)) });
    }
    // Paths the router cannot read at all: broken percent-encoding, a path part of 10,000 characters.
    for (const url of ['/v1/stock/%E0%A4%A', `/v1/stock/${'x'.repeat(10_000)}`]) {
      const res = await f.admin('GET', url);
      expect(res.statusCode, url.slice(0, 40)).toBe(400);
      expect(res.json()).toEqual({ code: 'invalid_request', pointer: '', message: expect.stringMatching(/path .* — /) });
    }
    const pause = await f.admin('POST', '/v1/stock/M-1/pause', { reason: '', extra: 1 });
    expect(pause.statusCode).toBe(400);
    expect(pause.json().pointer).toMatch(/^\/(reason|extra)$/);
    expect(await f.fingerprint()).toBe(baseline);
  });
});
