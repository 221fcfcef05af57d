import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../companion/src/ledger/keys';
import type { AlertPayload } from '../../companion/src/propagation/alerts';
import { createObserver, type Observer } from '../../companion/src/propagation/observer';
import { createTestRedis, type TestRedis } from '../support/redis';
import { listenOnLoopback } from '../support/loopback';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 5);
const SECRET = 'alert-secret';

/** A real HTTP receiver that records every alert and can refuse the first few. */
async function startReceiver(refuseFirst = 0) {
  const got: { payload: AlertPayload; raw: string; signature: string }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let refused = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (refused < refuseFirst) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      got.push({ payload: JSON.parse(raw) as AlertPayload, raw, signature: String(req.headers['x-stockline-signature']) });
      res.writeHead(204).end();
      for (const w of waiters.filter((w) => got.length >= w.n)) w.resolve();
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return {
    url: `${url}/alerts`,
    got,
    refusals: () => refused,
    waitFor: (n: number) => (got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    close,
  };
}

function verify(secret: string, header: string, raw: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
}

describe('alerts webhook', () => {
  let t: TestRedis;
  let now = T0;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const observers: Observer[] = [];
  const observer = (url: string) => {
    const o = createObserver({
      redis: t.connect(),
      keys: createKeys({ prefix: t.prefix }),
      config: {
        tenants: { default: { secret: SECRET } },
        propagation: { lagWarnMs: 2000, lagCriticalMs: 5000, failureRateAlert: 0.01, alertWebhookUrl: url, breakerFailureRate: 0.01, breakerWindowMs: 60_000 },
      },
      logger: pino({ level: 'silent' }),
      now: () => now,
      breaker: { cacheMs: 0, minSamples: 20, cooldownMs: 15_000 },
      alerts: { minSamples: 10, intervalMs: 3_600_000, retryBaseMs: 20 },
    });
    observers.push(o);
    return o;
  };
  const lagged = (n: number, ms: number) => Array.from({ length: n }, (_, i) => ({ sku: `S${i}`, ok: true, lagMs: ms }));

  beforeEach(async () => {
    t = await createTestRedis();
    now = T0;
  });
  afterEach(async () => {
    await Promise.all(observers.splice(0).map((o) => o.close()));
    await receiver?.close();
    await t.cleanup();
  });

  it('warns above 2 s p99, escalates above 5 s, stays quiet while nothing changes, then sends a recovery notice', async () => {
    receiver = await startReceiver();
    const o = observer(receiver.url);
    await o.pushed({ tenant: 'default', channel: 'amazon', items: lagged(10, 2500) });
    await receiver.waitFor(1);
    now += 1000;
    await o.pushed({ tenant: 'default', channel: 'amazon', items: lagged(10, 6000) });
    await receiver.waitFor(2);
    for (let i = 0; i < 5; i++) {
      now += 1000;
      await o.pushed({ tenant: 'default', channel: 'amazon', items: lagged(10, 6000) });
    }
    now += 70_000; // the slow pushes have left the alert window
    await o.pushed({ tenant: 'default', channel: 'amazon', items: lagged(10, 5) });
    await receiver.waitFor(3);
    await o.alertsIdle();

    expect(receiver.got.map((g) => [g.payload.alert, g.payload.status, g.payload.level, g.payload.previous])).toEqual([
      ['sync_lag', 'firing', 'warning', 'ok'],
      ['sync_lag', 'firing', 'critical', 'warning'],
      ['sync_lag', 'resolved', 'ok', 'critical'],
    ]);
    expect(receiver.got[0]!.payload).toMatchObject({ type: 'stockline.alert', channel: 'amazon', tenant: 'default', value: 2500, threshold: 2000 });
    expect(receiver.got[1]!.payload).toMatchObject({ value: 6000, threshold: 5000 });
    for (const g of receiver.got) expect(verify(SECRET, g.signature, g.raw)).toBe(true);
    expect(verify('wrong-secret', receiver.got[0]!.signature, receiver.got[0]!.raw)).toBe(false);
  });

  it('fires on a failure rate above 1 % and recovers once the breaker has closed again', async () => {
    receiver = await startReceiver();
    const o = observer(receiver.url);
    await o.pushed({ tenant: 'default', channel: 'shopify', items: lagged(100, 3) });
    now += 1000;
    await o.pushed({ tenant: 'default', channel: 'shopify', items: [1, 2].map((i) => ({ sku: `F${i}`, ok: false, error: 'HTTP 503', code: 'transient' })) });
    await receiver.waitFor(1);
    expect(receiver.got[0]!.payload).toMatchObject({ alert: 'failure_rate', status: 'firing', level: 'critical', channel: 'shopify', threshold: 0.01 });
    expect(receiver.got[0]!.payload.value).toBeCloseTo(2 / 102, 6);
    expect(await o.canPush('shopify')).toBe(false);

    now += 15_000; // cool-down over: the probe succeeds and the breaker closes by itself
    expect(await o.canPush('shopify')).toBe(true);
    await o.pushed({ tenant: 'default', channel: 'shopify', items: lagged(1, 3) });
    now += 10_000;
    await o.pushed({ tenant: 'default', channel: 'shopify', items: lagged(50, 3) });
    await receiver.waitFor(2);
    expect(receiver.got[1]!.payload).toMatchObject({ alert: 'failure_rate', status: 'resolved', level: 'ok', previous: 'critical' });
    expect(receiver.got).toHaveLength(2);
  });

  it('sends one alert per transition even when several processes see it at once', async () => {
    receiver = await startReceiver();
    const a = observer(receiver.url);
    const b = observer(receiver.url);
    await Promise.all([
      a.pushed({ tenant: 'default', channel: 'flipkart', items: lagged(5, 3000) }),
      b.pushed({ tenant: 'default', channel: 'flipkart', items: lagged(5, 3000) }),
    ]);
    await Promise.all([a.evaluateAlerts('default', 'flipkart'), b.evaluateAlerts('default', 'flipkart'), a.evaluateAlerts('default', 'flipkart')]);
    await receiver.waitFor(1);
    await Promise.all([a.alertsIdle(), b.alertsIdle()]);
    expect(receiver.got).toHaveLength(1);
    expect(receiver.got[0]!.payload).toMatchObject({ alert: 'sync_lag', level: 'warning', channel: 'flipkart' });
  });

  it('retries a refused delivery until the receiver takes it', async () => {
    receiver = await startReceiver(2);
    const o = observer(receiver.url);
    await o.pushed({ tenant: 'default', channel: 'woocommerce', items: lagged(5, 9000) });
    await receiver.waitFor(1);
    expect(receiver.refusals()).toBe(2);
    expect(receiver.got[0]!.payload).toMatchObject({ alert: 'sync_lag', level: 'critical' });
    expect(verify(SECRET, receiver.got[0]!.signature, receiver.got[0]!.raw)).toBe(true);
  });
});
