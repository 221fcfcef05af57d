/**
 * The real companion (buildApp + the real ledger on the test Redis) listening on 127.0.0.1 for
 * the WordPress under test to call. It can be stopped and started again on the same port, to
 * play "the companion is down", and records every POST /v1/events it answers (raw events and
 * the answer) so tests can count what the plugin actually sent, duplicates included.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../companion/src/app';
import { loadConfig } from '../../../companion/src/config';
import { createKeys } from '../../../companion/src/ledger/keys';
import { createLedger } from '../../../companion/src/ledger/ledger';
import type { Ledger } from '../../../companion/src/ledger/types';
import { createLogger } from '../../../companion/src/logger';
import type { StockEvent } from '../../../companion/src/schemas/events';
import { createTestRedis, type TestRedis } from '../../support/redis';

export interface Delivery {
  at: number;
  status: number;
  /** Events in the request body, in the order sent. */
  events: Array<Record<string, any>>;
  body: any;
}

export interface TestCompanion {
  url: string;
  secret: string;
  adminToken: string;
  ledger: Ledger;
  redis: TestRedis;
  deliveries: Delivery[];
  /** Every event the companion received, flattened, in arrival order. */
  received(): Array<Record<string, any>>;
  /** Applies events straight to the ledger (another channel selling, stock arriving…). */
  apply(...events: StockEvent[]): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface TestCompanionOptions {
  /** More tenants besides `default`, all signing with the same secret (the plugin has one). */
  tenants?: string[];
  /** More tenants with secrets of their own (tenant → secret). */
  tenantSecrets?: Record<string, string>;
}

export async function startTestCompanion(opts: TestCompanionOptions = {}): Promise<TestCompanion> {
  const redis = await createTestRedis();
  const secret = randomBytes(16).toString('hex');
  const adminToken = randomBytes(16).toString('hex');
  const config = loadConfig({
    STOCKLINE_REDIS_URL: redis.url,
    STOCKLINE_KEY_PREFIX: redis.prefix,
    STOCKLINE_SECRET: secret,
    STOCKLINE_ADMIN_TOKEN: adminToken,
    STOCKLINE_LOG_LEVEL: 'warn',
    ...(opts.tenants?.length || opts.tenantSecrets
      ? {
          STOCKLINE_TENANT_SECRETS: [...(opts.tenants ?? []).map((t) => `${t}:${secret}`), ...Object.entries(opts.tenantSecrets ?? {}).map(([t, s]) => `${t}:${s}`)].join(','),
        }
      : {}),
  });
  const keys = createKeys({ prefix: config.keyPrefix });
  const ledger = createLedger({ redis: redis.redis, keys, idempotencyTtlSeconds: config.idempotencyTtlSeconds });
  const deliveries: Delivery[] = [];
  let app: FastifyInstance | undefined;
  let port = 0;

  const record = async (instance: FastifyInstance) => {
    instance.addHook('onSend', async (request, reply, payload) => {
      if (request.method === 'POST' && request.url.startsWith('/v1/events')) {
        const body = request.body as any;
        const events = body && Array.isArray(body.events) ? body.events : body ? [body] : [];
        let answer: unknown = payload;
        try {
          answer = typeof payload === 'string' ? JSON.parse(payload) : payload;
        } catch {
          // keep raw
        }
        deliveries.push({ at: Date.now(), status: reply.statusCode, events, body: answer });
      }
      return payload;
    });
  };

  const start = async () => {
    if (app) return;
    app = await buildApp({ config, redis: redis.redis, ledger, logger: createLogger({ level: 'warn' }), plugins: [record] });
    await app.listen({ port, host: '127.0.0.1' });
    const addr = app.server.address();
    if (typeof addr === 'object' && addr) port = addr.port;
  };
  const stop = async () => {
    const a = app;
    app = undefined;
    await a?.close();
  };
  await start();

  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    adminToken,
    ledger,
    redis,
    deliveries,
    received: () => deliveries.flatMap((d) => d.events),
    async apply(...events) {
      for (const e of events) await ledger.apply(e);
    },
    stop,
    start,
    async close() {
      await stop();
      await redis.cleanup();
    },
  };
}
