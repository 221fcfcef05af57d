/**
 * buildApp's wiring: plugins on the root app, configured channels as sources, and how the app
 * answers while Redis is unreachable or stops answering.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../companion/src/app';
import { createLedger } from '../../companion/src/ledger/ledger';
import { createLogger } from '../../companion/src/logger';
import { createMetrics, metricsRoutes } from '../../companion/src/metrics';
import { sign } from '../../companion/src/http/signature';
import { toBody } from '../../companion/src/http/error-handler';
import { StocklineError } from '../../companion/src/errors';
import { mainConnectionOptions } from '../../companion/src/server';
import { startThrowawayRedis } from '../../scripts/lib/throwaway-redis.mjs';
import { ADMIN_TOKEN, apiFixture, events, SECRET } from './helpers';

describe('buildApp wiring', () => {
  it('runs plugins on the root app, with the raw body available to their webhook routes', async () => {
    const f = await apiFixture({
      plugins: [
        (app) => {
          app.post('/v1/webhooks/test', async (request) => ({ raw: request.rawBody?.toString('utf8'), parsed: request.body }));
        },
      ],
    });
    try {
      const payload = '{ "a" : 1 }';
      const res = await f.app.inject({
        method: 'POST',
        url: '/v1/webhooks/test',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.json()).toEqual({ raw: payload, parsed: { a: 1 } });
    } finally {
      await f.close();
    }
  });

  it('takes events from a configured channel by its id, and from no other unknown source', async () => {
    const f = await apiFixture({ channels: ['etsy'] });
    try {
      expect((await f.post(events.received('SRC-1', 1, { source: 'etsy' }))).statusCode).toBe(200);
      const other = await f.post(events.received('SRC-1', 1, { source: 'ebay' }));
      expect(other.statusCode).toBe(400);
      expect(other.json()).toMatchObject({ pointer: '/source', message: expect.stringContaining('etsy') });
    } finally {
      await f.close();
    }
  });

  it('is not ready while Redis cannot be reached, and answers 503 with Retry-After instead of failing obscurely', async () => {
    const f = await apiFixture();
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    const app = await buildApp({
      config: f.config,
      redis: dead,
      ledger: createLedger({ redis: dead, keys: f.keys }),
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not_ready', checks: { redis: false, ledger: false } });
      const read = await app.inject({ url: '/v1/stock/ANY', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(read.statusCode).toBe(503);
      expect(read.headers['retry-after']).toBe('1');
      expect(read.json()).toEqual({ code: 'unavailable', message: expect.stringContaining('retry') });
      const payload = JSON.stringify(events.received('ANY', 1));
      const write = await app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'application/json', 'x-stockline-signature': sign(SECRET, payload) },
        payload,
      });
      expect(write.statusCode).toBeGreaterThanOrEqual(500);
      expect(write.headers['retry-after']).toBe('1');
      expect(write.body).not.toMatch(/redis|script|\{default\}/i);
    } finally {
      await app.close();
      dead.disconnect();
      await f.close();
    }
  });

  it("answers a ledger script that failed because Redis gave up (ioredis' max retries per request) 503, not 500", () => {
    const gaveUp = Object.assign(new Error('Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.'), { name: 'MaxRetriesPerRequestError' });
    // ledger.ts wraps it as a ledger_error, keeping its message.
    const wrapped = new StocklineError(`ledger script failed: ${gaveUp.message}`, 'ledger_error', 500, true);
    for (const e of [gaveUp, wrapped]) expect(toBody(e)).toMatchObject({ status: 503, body: { code: 'unavailable' } });
    expect(toBody(new StocklineError('ledger script failed: ERR something else', 'ledger_error', 500, true)).status).toBe(500);
  });

  it('answers 503 with Retry-After while Redis stops answering, and a retried event is applied once', async () => {
    const f = await apiFixture();
    const server = await startThrowawayRedis({ name: 'stall' });
    const config = { ...f.config, redisCommandTimeoutMs: 300 };
    const redis = new Redis(server.url, mainConnectionOptions(config));
    const admin = new Redis(server.url);
    const ledger = createLedger({ redis, keys: f.keys });
    const app = await buildApp({ config, redis, ledger, logger: createLogger({ level: 'silent' }) });
    const payload = JSON.stringify(events.received('STALL', 1));
    const post = () =>
      app.inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/json', 'x-stockline-signature': sign(SECRET, payload) }, payload });
    try {
      expect(await ledger.ready()).toBe(true);
      // Redis stops answering every client for 4 s, its connections still open (as when stalled).
      await admin.call('CLIENT', 'PAUSE', '4000', 'ALL');
      const stalledAt = Date.now();
      const read = await app.inject({ url: '/v1/stock/STALL', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const write = await post();
      // Both answered while Redis was still stalled, not held until it came back.
      expect(Date.now() - stalledAt).toBeLessThan(3000);
      for (const res of [read, write]) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.json()).toEqual({ code: 'unavailable', message: expect.stringContaining('retry') });
      }
      // Redis answers again (and runs whatever of the write had reached it): the sender's retry,
      // with the same id, leaves the event applied exactly once.
      await new Promise((r) => setTimeout(r, Math.max(0, stalledAt + 4300 - Date.now())));
      const retry = await post();
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toMatchObject({ status: expect.stringMatching(/^(applied|duplicate)$/), stock: [{ sku: 'STALL', onHand: 1, version: 1 }] });
      expect((await ledger.listAudit('default', { sku: 'STALL' })).items).toHaveLength(1);
    } finally {
      await app.close();
      redis.disconnect();
      admin.disconnect();
      await server.stop();
      await f.close();
    }
  });
  it('still serves /metrics while Redis is gone or stalled, saying stockline_redis_up 0 without the figures Redis holds', async () => {
    const f = await apiFixture();
    const server = await startThrowawayRedis({ name: 'metrics-up' });
    const config = { ...f.config, redisCommandTimeoutMs: 300 };
    const redis = new Redis(server.url, mainConnectionOptions(config));
    const admin = new Redis(server.url);
    const metrics = createMetrics();
    metrics.setLedgerSource({ redis, keys: f.keys });
    const ledger = createLedger({ redis, keys: f.keys });
    const app = await buildApp({ config, redis, ledger, logger: createLogger({ level: 'silent' }), plugins: [async (a) => void (await a.register(metricsRoutes, { metrics }))] });
    const scrape = async () => {
      const res = await app.inject({ url: '/metrics' });
      return { status: res.statusCode, body: res.body };
    };
    try {
      expect(await ledger.ready()).toBe(true);
      const up = await scrape();
      expect(up.status).toBe(200);
      expect(up.body).toMatch(/^stockline_redis_up 1$/m);
      expect(up.body).toMatch(/^stockline_oversell_incidents_open\{tenant="default"\} 0$/m);

      // Stalled: connections open, nothing answered (was: 503 from the store gate).
      await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
      const t0 = Date.now();
      const stalled = await scrape();
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(stalled.status).toBe(200);
      expect(stalled.body).toMatch(/^stockline_redis_up 0$/m);
      expect(stalled.body).not.toMatch(/^stockline_oversell_incidents_open\{/m);
      // Other routes still say the store is unavailable.
      expect((await app.inject({ url: '/v1/stock/ANY', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).statusCode).toBe(503);
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + 3300 - Date.now())));

      // Gone: the server stopped.
      await server.stop();
      await new Promise((r) => setTimeout(r, 1100));
      const gone = await scrape();
      expect(gone.status).toBe(200);
      expect(gone.body).toMatch(/^stockline_redis_up 0$/m);
    } finally {
      await app.close();
      redis.disconnect();
      admin.disconnect();
      await server.stop().catch(() => undefined);
      await f.close();
    }
  });
  it('counts responses by route and status, and each event by its result and refusal code, into /metrics', async () => {
    const metrics = createMetrics();
    const f = await apiFixture({ metrics, plugins: [async (a) => void (await a.register(metricsRoutes, { metrics }))] });
    try {
      const first = events.received('M-1', 2);
      expect((await f.post(first)).statusCode).toBe(200);
      expect((await f.post(first)).json()).toMatchObject({ status: 'duplicate' });
      expect((await f.post(events.delta('M-1', -5))).statusCode).toBe(409); // insufficient_stock
      const batch = await f.post({ events: [events.received('M-2', 1), events.delta('M-2', -9), events.delta('NEVER', -1)] });
      expect(batch.statusCode).toBe(200);
      expect((await f.post(events.received('M-1', 1), { secret: 'not-the-secret-0123456789' })).statusCode).toBe(401);
      expect((await f.app.inject({ url: '/v1/stock/M-1' })).statusCode).toBe(401);
      const body = (await f.app.inject({ url: '/metrics' })).body;
      const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(body)?.[1] ?? NaN);
      expect(value('stockline_event_results_total{result="applied",code=""}')).toBe(2);
      expect(value('stockline_event_results_total{result="duplicate",code=""}')).toBe(1);
      expect(value('stockline_event_results_total{result="refused",code="insufficient_stock"}')).toBe(2);
      expect(value('stockline_event_results_total{result="refused",code="unknown_sku"}')).toBe(1);
      expect(value('stockline_http_responses_total{method="POST",route="/v1/events",status="200"}')).toBe(3);
      expect(value('stockline_http_responses_total{method="POST",route="/v1/events",status="409"}')).toBe(1);
      expect(value('stockline_http_responses_total{method="POST",route="/v1/events",status="401"}')).toBe(1);
      expect(value('stockline_http_responses_total{method="GET",route="/v1/stock/:sku",status="401"}')).toBe(1);
    } finally {
      await f.close();
    }
  });
});
