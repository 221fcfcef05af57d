/**
 * Observability on the real pieces: the real ledger, real propagation workers pushing to fake
 * channels over HTTP, the observer as their hooks, and GET /v1/channels + GET /metrics served by
 * the real app (buildApp) — plus a real HTTP receiver for the alert webhook.
 */
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../companion/src/app';
import { loadConfig } from '../../companion/src/config';
import { createMetrics } from '../../companion/src/metrics';
import type { AlertPayload } from '../../companion/src/propagation/alerts';
import { createObserver, type Observer, type PushedEvent } from '../../companion/src/propagation/observer';
import { observabilityRoutes, queueDepthFrom } from '../../companion/src/propagation/routes/channels';
import type { PropagationRuntime } from '../../companion/src/propagation/runtime';
import type { SyncSettings } from '../../companion/src/propagation/settings';
import type { StockEvent } from '../../companion/src/schemas/events';
import { ADMIN_TOKEN, testEnv } from '../api/helpers';
import { fixture, quietLogger, TENANT, until, type Fixture } from './helpers';
import { listenOnLoopback } from '../support/loopback';

const at = () => new Date().toISOString();
const received = (id: string, sku: string, qty: number) => ({ id, type: 'stock.received', source: 'woocommerce', occurredAt: at(), sku, qty }) as StockEvent;

async function receiver() {
  const got: AlertPayload[] = [];
  const waiters: { pred: (a: AlertPayload) => boolean; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const a = JSON.parse(raw) as AlertPayload;
      got.push(a);
      res.writeHead(204).end();
      for (const w of waiters) if (w.pred(a)) w.resolve();
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return {
    url: `${url}/`,
    got,
    until: (pred: (a: AlertPayload) => boolean) =>
      got.some(pred) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pred, resolve })),
    close,
  };
}

describe('observability on live propagation', () => {
  let fx: Fixture | undefined;
  let observer: Observer | undefined;
  let app: FastifyInstance | undefined;
  let rx: Awaited<ReturnType<typeof receiver>> | undefined;
  afterEach(async () => {
    await app?.close();
    await observer?.close();
    await fx?.close();
    await rx?.close();
    fx = observer = app = rx = undefined;
  });

  async function setup(
    o: { alertUrl?: string; breaker?: { cooldownMs?: number; minSamples?: number }; env?: Record<string, string>; settings?: Partial<SyncSettings> } = {},
  ) {
    fx = await fixture({ channels: ['fake-a', 'fake-b'], limits: { batchSize: 50 } });
    const env = { ...testEnv(fx.t.prefix, fx.t.url), ...(o.alertUrl ? { STOCKLINE_ALERT_WEBHOOK_URL: o.alertUrl } : {}), ...o.env };
    const config = loadConfig(env);
    const metrics = createMetrics();
    observer = createObserver({
      redis: fx.t.redis,
      keys: fx.keys,
      config,
      logger: quietLogger,
      metrics,
      channels: ['fake-a', 'fake-b'],
      breaker: { cacheMs: 0, ...o.breaker },
      alerts: { minSamples: 3, intervalMs: 200, retryBaseMs: 20 },
    });
    const rt: PropagationRuntime = await fx.start({ hooks: observer, settings: { breakerRecheckMs: 100, ...o.settings } });
    app = await buildApp({
      config,
      redis: fx.t.redis,
      ledger: fx.ledger,
      logger: quietLogger,
      plugins: [
        observabilityRoutes({
          observer,
          metrics,
          adminToken: config.adminToken,
          channels: () => ['fake-a', 'fake-b'],
          queueDepth: queueDepthFrom(rt.core.deps.queues),
          deadLetters: (c) => rt.core.dead.count(TENANT, c),
          ledger: { redis: fx.t.redis, keys: fx.keys },
        }),
      ],
    });
    await app.ready();
    return { fx, app, observer };
  }
  const admin = (url: string) => app!.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  it('reports lag, pushes, dead letters and ledger events from real pushes', async () => {
    const { fx } = await setup();
    const skus = Array.from({ length: 40 }, (_, i) => `OBS-${i}`);
    for (const f of fx.fakes) f.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    fx.fakes[1]!.setFaults({ rejectSkus: { 'OBS-7': 'listing is locked' } });
    await fx.ledger.applyBatch(skus.map((sku, i) => received(`r-${i}`, sku, 5)));
    await fx.settled();

    expect((await app!.inject({ method: 'GET', url: '/v1/channels' })).statusCode).toBe(401);
    // The API document says so: both reads want the admin token.
    const doc = (await app!.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    expect(doc.paths['/v1/channels'].get).toMatchObject({ security: [{ adminToken: [] }], responses: { 401: expect.anything() } });
    // The states and the change-feed backlog are documented (refs resolved: the schema may be a component).
    const documented = JSON.stringify(doc);
    for (const word of ['"stalled"', '"oldestUnreadMs"', '"inProgress"', '"reason"']) expect(documented).toContain(word);
    for (const path of ['/metrics', '/v1/metrics']) {
      expect(doc.paths[path].get).toMatchObject({ security: [{ adminToken: [] }], responses: { 401: expect.anything() } });
    }
    const res = await admin('/v1/channels');
    expect(res.statusCode).toBe(200);
    const [a, b] = (res.json() as { channels: Record<string, any>[] }).channels;
    expect(a).toMatchObject({ id: 'fake-a', state: 'ok', breaker: 'closed', queueDepth: 0, deadLetters: 0, successRate: 1, lastError: null });
    expect(a!.lag['1m'].count).toBe(40);
    expect(a!.lag['1m'].p99).toBeGreaterThan(0);
    expect(a!.lag['1m'].p99).toBeLessThan(5000);
    expect(a!.pushes).toBeGreaterThanOrEqual(1);
    expect(b).toMatchObject({ id: 'fake-b', deadLetters: 1, lastError: { message: expect.stringContaining('listing is locked') } });
    expect(b!.lag['1m'].count).toBe(39);
    expect(b!.successRate).toBeCloseTo(39 / 40, 6);

    const metrics = (await admin('/metrics')).body;
    expect(metrics).toContain('stockline_sync_lag_seconds_count{channel="fake-a"} 40');
    expect(metrics).toContain('stockline_push_results_total{channel="fake-b",result="failed"} 1');
    expect(metrics).toContain('stockline_dead_letters{channel="fake-b"} 1');
    expect(metrics).toContain('stockline_queue_depth{channel="fake-a"} 0');
    expect(metrics).toContain('stockline_ledger_events_total{type="stock.received"} 40');
  });

  it('opens the breaker during an outage, alerts, then closes and sends the recovery notice by itself', async () => {
    rx = await receiver();
    const { fx } = await setup({ alertUrl: rx.url, breaker: { cooldownMs: 300, minSamples: 3 } });
    const skus = Array.from({ length: 20 }, (_, i) => `OUT-${i}`);
    for (const f of fx.fakes) f.seed(skus.map((sku) => ({ sku, quantity: 0 })));
    fx.fakes[0]!.setFaults({ outageForMs: 1500 });
    await fx.ledger.applyBatch(skus.map((sku, i) => received(`o-${i}`, sku, 3)));

    await rx.until((a) => a.alert === 'failure_rate' && a.status === 'firing' && a.channel === 'fake-a');
    const during = (await admin('/v1/channels')).json() as { channels: Record<string, any>[] };
    expect(during.channels[0]).toMatchObject({ id: 'fake-a', state: 'down' });
    expect(['open', 'half-open']).toContain(during.channels[0]!.breaker);

    await rx.until((a) => a.alert === "failure_rate" && a.status === "resolved" && a.channel === "fake-a");
    await fx.settled();
    expect(fx.fakes[0]!.quantities()).toEqual(await fx.projection(skus));
    const after = (await admin('/v1/channels')).json() as { channels: Record<string, any>[] };
    expect(after.channels[0]).toMatchObject({ breaker: 'closed', lastError: { message: expect.any(String) } });
    expect(rx.got.filter((a) => a.channel === 'fake-b' && a.alert === 'failure_rate')).toEqual([]);
  });

  it('shows a channel that drops every call at low traffic as down within seconds (breaker open), and closes once it is back', { timeout: 40_000 }, async () => {
    // One change and retries backing off 0.2, 0.4, 0.8, 1.6, 2 s: about one failed outcome a
    // second, so the failure rate alone (20 outcomes a window) would take ~30 s to count.
    const { fx, observer } = await setup({
      env: { STOCKLINE_BREAKER_CONSECUTIVE_MS: '1000' },
      breaker: { cooldownMs: 500 },
      settings: { backoff: { baseMs: 200, maxMs: 2000 } },
    });
    const reports: PushedEvent[] = [];
    const pushed = observer.pushed.bind(observer);
    observer.pushed = async (e) => {
      reports.push(e);
      await pushed(e);
    };
    const [down] = fx.fakes;
    for (const f of fx.fakes) f.seed([{ sku: 'LOW-1', quantity: 0 }]);
    down!.setFaults({ outageForMs: 600_000 });
    const started = Date.now();
    await fx.ledger.apply(received('low-1', 'LOW-1', 4));
    const fakeA = async () => ((await admin('/v1/channels')).json() as { channels: Record<string, any>[] }).channels[0]!;
    await until(async () => (await fakeA()).state === 'down', 10_000, 'fake-a to show as down');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(['open', 'half-open']).toContain((await fakeA()).breaker);
    const failed = reports.filter((e) => e.channel === 'fake-a' && e.callError).length;
    expect(failed).toBeGreaterThanOrEqual(5);
    expect(failed).toBeLessThan(20);

    down!.setFaults({ outages: [] });
    await until(async () => (await fakeA()).breaker === 'closed', 10_000, 'the probe to close the breaker');
    await fx.settled();
    expect(down!.quantities()['LOW-1']).toBe(4);
    expect((await fakeA()).state).not.toBe('down');
  });
});
