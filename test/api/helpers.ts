/**
 * An in-process app on the test Redis with the real ledger, plus the things API tests need:
 * a signer, signed/admin request helpers and a fingerprint of every key under the test prefix
 * (to prove that refused input changed nothing).
 */
import type { Metrics } from '../../companion/src/metrics';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppPlugin } from '../../companion/src/app';
import { loadConfig, type Config } from '../../companion/src/config';
import { createKeys, type Keys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import type { Ledger } from '../../companion/src/ledger/types';
import { createLogger } from '../../companion/src/logger';
import { sign } from '../../companion/src/http/signature';
import { createTestRedis, type TestRedis } from '../support/redis';

export const SECRET = 'test-secret-0123456789abcdef';
export const OTHER_SECRET = 'other-tenant-secret-0123456789';
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

export interface ApiFixture {
  t: TestRedis;
  keys: Keys;
  ledger: Ledger;
  config: Readonly<Config>;
  app: FastifyInstance;
  /** Every log line the app wrote (JSON strings). */
  logs: string[];
  /** POST /v1/events signed with the tenant's secret (default tenant unless given). */
  post(body: unknown, opts?: { secret?: string; t?: number; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** POST of an exact raw payload (for malformed JSON), signed over those bytes. */
  postRaw(payload: string | Buffer, opts?: { secret?: string; contentType?: string }): Promise<LightMyRequestResponse>;
  /** Admin GET/POST with the bearer token. */
  admin(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Sorted dump of every key under the test prefix: equal fingerprints ⇒ nothing changed. */
  fingerprint(): Promise<string>;
  close(): Promise<void>;
}

export function testEnv(prefix: string, redisUrl: string): Record<string, string> {
  return {
    STOCKLINE_REDIS_URL: redisUrl,
    STOCKLINE_KEY_PREFIX: prefix,
    STOCKLINE_SECRET: SECRET,
    STOCKLINE_TENANT_SECRETS: `other:${OTHER_SECRET}`,
    STOCKLINE_ADMIN_TOKEN: ADMIN_TOKEN,
    // Request logs are written from debug up; the log-redaction test needs them.
    STOCKLINE_LOG_LEVEL: 'debug',
    // Sandbox channels listen on fixed ports; suites that want them start their own.
    STOCKLINE_SANDBOX: 'off',
  };
}

export async function apiFixture(opts: { plugins?: AppPlugin[]; channels?: string[]; metrics?: Metrics } = {}): Promise<ApiFixture> {
  const t = await createTestRedis();
  const config = loadConfig(testEnv(t.prefix, t.url));
  const keys = createKeys({ prefix: config.keyPrefix });
  const ledger = createLedger({ redis: t.redis, keys, idempotencyTtlSeconds: config.idempotencyTtlSeconds });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const app = await buildApp({ config, redis: t.redis, ledger, logger, plugins: opts.plugins, channels: opts.channels, metrics: opts.metrics });
  await app.ready();

  const postRaw: ApiFixture['postRaw'] = (payload, o = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': o.contentType ?? 'application/json', 'x-stockline-signature': sign(o.secret ?? SECRET, payload) },
      payload,
    });

  return {
    t,
    keys,
    ledger,
    config,
    app,
    logs,
    post(body, o = {}) {
      const payload = JSON.stringify(body);
      return app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'application/json', 'x-stockline-signature': sign(o.secret ?? SECRET, payload, o.t), ...o.headers },
        payload,
      });
    },
    postRaw,
    admin(method, url, body) {
      return app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    },
    async fingerprint() {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await t.redis.scan(cursor, 'MATCH', `${t.prefix}*`, 'COUNT', 1000);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      found.sort();
      const dumps = await Promise.all(found.map((k) => t.redis.dumpBuffer(k)));
      return found.map((k, i) => `${k}=${dumps[i]?.toString('hex') ?? 'gone'}`).join('\n');
    },
    async close() {
      await app.close();
      await t.cleanup();
    },
  };
}

let seq = 0;
/** A unique event id per call (ids are idempotency keys; tests must not collide by accident). */
export const nextId = (p = 'e') => `${p}-${process.pid}-${Date.now()}-${++seq}`;
export const now = () => new Date().toISOString();

export const events = {
  received: (sku: string, qty: number, o: Record<string, unknown> = {}) => ({
    id: nextId('rcv'),
    type: 'stock.received',
    source: 'manual',
    occurredAt: now(),
    sku,
    qty,
    ...o,
  }),
  set: (sku: string, set: number, o: Record<string, unknown> = {}) => ({
    id: nextId('set'),
    type: 'stock.adjusted',
    source: 'manual',
    occurredAt: now(),
    sku,
    set,
    reason: 'count',
    ...o,
  }),
  delta: (sku: string, delta: number, o: Record<string, unknown> = {}) => ({
    id: nextId('dlt'),
    type: 'stock.adjusted',
    source: 'manual',
    occurredAt: now(),
    sku,
    delta,
    reason: 'damage',
    ...o,
  }),
  reserved: (reservationId: string, lines: { sku: string; qty: number }[], o: Record<string, unknown> = {}) => ({
    id: nextId('res'),
    type: 'stock.reserved',
    source: 'woocommerce',
    occurredAt: now(),
    reservationId,
    lines,
    ttlSeconds: 600,
    ...o,
  }),
  released: (reservationId: string, o: Record<string, unknown> = {}) => ({
    id: nextId('rel'),
    type: 'stock.released',
    source: 'woocommerce',
    occurredAt: now(),
    reservationId,
    reason: 'abandoned',
    ...o,
  }),
  confirmed: (orderId: string, lines: { sku: string; qty: number }[], o: Record<string, unknown> = {}) => ({
    id: nextId('cnf'),
    type: 'order.confirmed',
    source: 'woocommerce',
    occurredAt: now(),
    orderId,
    lines,
    ...o,
  }),
  cancelled: (orderId: string, o: Record<string, unknown> = {}) => ({
    id: nextId('cxl'),
    type: 'order.cancelled',
    source: 'woocommerce',
    occurredAt: now(),
    orderId,
    ...o,
  }),
  shipped: (orderId: string, o: Record<string, unknown> = {}) => ({
    id: nextId('shp'),
    type: 'stock.shipped',
    source: 'woocommerce',
    occurredAt: now(),
    orderId,
    ...o,
  }),
};
