import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../companion/src/http/signature';
import { ADMIN_TOKEN, apiFixture, events, OTHER_SECRET, SECRET, type ApiFixture } from './helpers';

describe('signed writes and admin tokens', () => {
  let f: ApiFixture;
  let baseline: string;
  beforeAll(async () => {
    f = await apiFixture();
    expect((await f.post(events.received('SIG-1', 5))).statusCode).toBe(200);
    baseline = await f.fingerprint();
  });
  afterAll(async () => {
    await f.close();
  });

  const postWith = (payload: string, signature?: string) =>
    f.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-stockline-signature': signature }) },
      payload,
    });
  const nowS = () => Math.floor(Date.now() / 1000);

  const cases: [string, () => Promise<{ statusCode: number; json(): { code: string; message: string } }>, RegExp][] = [
    ['a missing signature', () => postWith(JSON.stringify(events.received('SIG-1', 1))), /missing/],
    // Who sent it is judged before what was sent: no 400 about the body to an unsigned caller.
    ['a missing signature on a body that is not JSON', () => postWith('{"id": "x", "type": '), /missing/],
    ['a forged signature on a body that is not JSON', () => postWith('not json at all', sign('not-the-secret-at-all-000', 'not json at all')), /does not match/],
    [
      'a signature made with the wrong secret',
      () => {
        const payload = JSON.stringify(events.received('SIG-1', 1));
        return postWith(payload, sign('not-the-secret-at-all-000', payload));
      },
      /does not match/,
    ],
    [
      'a signature of a different body',
      () => {
        const signed = JSON.stringify(events.received('SIG-1', 1));
        const sent = signed.replace('"qty":1', '"qty":100');
        return postWith(sent, sign(SECRET, signed));
      },
      /does not match/,
    ],
    [
      'a signature whose timestamp was changed after signing',
      () => {
        const payload = JSON.stringify(events.received('SIG-1', 1));
        const mac = createHmac('sha256', SECRET)
          .update(`${nowS() - 10}.${payload}`)
          .digest('hex');
        return postWith(payload, `t=${nowS()},v1=${mac}`);
      },
      /does not match/,
    ],
    ['an expired signature (6 minutes old)', () => f.post(events.received('SIG-1', 1), { t: nowS() - 360 }), /more than 300 s/],
    ['a signature dated 6 minutes in the future', () => f.post(events.received('SIG-1', 1), { t: nowS() + 360 }), /more than 300 s/],
    ['a malformed signature header', () => postWith(JSON.stringify(events.received('SIG-1', 1)), 'sha256=abcdef'), /not of the form/],
    [
      'a signature by another tenant for a default-tenant event',
      () => f.post(events.received('SIG-1', 1), { secret: OTHER_SECRET }),
      /does not match/,
    ],
    [
      'a default-tenant signature for another tenant’s event',
      () => f.post(events.received('SIG-1', 1, { tenant: 'other' }), { secret: SECRET }),
      /does not match/,
    ],
    [
      'an event for a tenant with no secret configured',
      () => f.post(events.received('SIG-1', 1, { tenant: 'ghost' }), { secret: SECRET }),
      /No signing secret/,
    ],
    [
      'a batch whose first event names a tenant the signer does not own',
      () => f.post({ events: [events.received('SIG-1', 1, { tenant: 'other' }), events.received('SIG-1', 1)] }, { secret: SECRET }),
      /does not match/,
    ],
  ];

  for (const [name, send, message] of cases) {
    it(`refuses ${name} with 401 and changes nothing`, async () => {
      const res = await send();
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(message) });
      expect(await f.fingerprint()).toBe(baseline);
    });
  }

  it('accepts a signature at the edge of the 5-minute window, and a second v1 during secret rotation', async () => {
    const event = events.received('SIG-2', 1);
    const payload = JSON.stringify(event);
    const t = nowS() - 295;
    const good = sign(SECRET, payload, t).split(',')[1];
    const res = await postWith(payload, `t=${t},v1=${'0'.repeat(64)},${good}`);
    expect(res.statusCode).toBe(200);
    baseline = await f.fingerprint();
  });

  it('refuses a batch mixing tenants even when signed by the first event’s tenant', async () => {
    const res = await f.post({ events: [events.received('SIG-1', 1), events.received('SIG-1', 1, { tenant: 'other' })] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ pointer: '/events/1/tenant' });
    expect(await f.fingerprint()).toBe(baseline);
  });

  const reads = ['/v1/stock/SIG-1', '/v1/stock', '/v1/audit', '/v1/incidents'];
  for (const url of reads) {
    it(`refuses GET ${url} without a token, with a wrong token, and with a non-bearer scheme`, async () => {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcd', `Basic ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}x`]) {
        const res = await f.app.inject({ url, headers: authorization ? { authorization } : {} });
        expect(res.statusCode, String(authorization)).toBe(401);
        expect(res.json()).toMatchObject({ code: 'unauthorized' });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      const ok = await f.app.inject({ url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(ok.statusCode).toBe(200);
    });
  }

  it('refuses pause and relist without the admin token and leaves the SKU selling', async () => {
    for (const action of ['pause', 'relist']) {
      const res = await f.app.inject({
        method: 'POST',
        url: `/v1/stock/SIG-1/${action}`,
        headers: { authorization: 'Bearer nope-nope-nope-nope-nope' },
      });
      expect(res.statusCode).toBe(401);
    }
    expect(await f.fingerprint()).toBe(baseline);
  });
});
