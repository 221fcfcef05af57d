/**
 * buildApp(deps): the Fastify app from its dependencies. It never listens (server.ts does), so
 * tests drive it in-process with app.inject() against a real Redis and the real ledger.
 * `plugins` run last, in order, on the root instance: the propagation and channel parts add
 * their routes there and inherit the error handler, raw body, validator and OpenAPI collection.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import { NotFoundError } from './errors';
import { createKeys } from './ledger/keys';
import type { Ledger } from './ledger/types';
import { createLogger, type Logger } from './logger';
import type { Metrics } from './metrics';
import { errorHandler, frameworkErrorHandler, notFoundHandler } from './http/error-handler';
import { registerOpenApi } from './http/openapi';
import { trackRouteMethods } from './http/route-methods';
import { registerRawJsonBody } from './http/raw-body';
import { declareUnavailable, storeGate } from './http/store-gate';
import { typeboxValidatorCompiler } from './http/validator';
import { auditRoutes } from './http/routes/audit';
import { availabilityRoutes } from './http/routes/availability';
import { eventsRoutes } from './http/routes/events';
import { healthRoutes } from './http/routes/health';
import { incidentRoutes } from './http/routes/incidents';
import { stockRoutes } from './http/routes/stock';

/** Large enough for 500 events of several lines each; larger bodies are refused with 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const API_VERSION = '0.1.0';

export type AppPlugin = (app: FastifyInstance) => Promise<void> | void;

export interface AppDeps {
  config: Readonly<Config>;
  redis: Redis;
  ledger: Ledger;
  logger?: Logger;
  plugins?: AppPlugin[];
  /** The configured channels' ids: events may name them as their source. */
  channels?: readonly string[];
  /** Where responses and event results are counted (GET /metrics); none in most tests. */
  metrics?: Metrics;
}

/**
 * A call naming a tenant that is neither configured nor ever written answers 404, not an empty
 * page: an empty answer would only hide a typo. A tenant taken out of the configuration but with
 * data in Redis still answers, so its dead letters and rules can be cleaned up. The public
 * availability route is left out: it must not tell anyone which tenants exist (an unknown tenant
 * is an unknown SKU there). Runs after validation, so the name is well-formed.
 */
function knownTenant(config: Readonly<Config>, redis: Redis) {
  const known = createKeys({ prefix: config.keyPrefix }).tenants();
  return async function knownTenant(request: FastifyRequest) {
    const tenant = (request.query as { tenant?: unknown } | undefined)?.tenant;
    if (typeof tenant !== 'string' || Object.hasOwn(config.tenants, tenant) || request.routeOptions.url === '/v1/availability/:sku') return;
    if ((await redis.sismember(known, tenant)) === 1) return;
    throw new NotFoundError(`No tenant "${tenant}" is configured — tenants are "default" (STOCKLINE_SECRET) and those in STOCKLINE_TENANT_SECRETS`);
  };
}

export async function buildApp({ config, redis, ledger, logger, plugins = [], channels = [], metrics }: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger ?? createLogger({ level: config.logLevel }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    // One line per request drowns the status lines; request logs appear at debug level.
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(config.logLevel) }),
    // A 100-character SKU, percent-encoded, can be ~1,200 characters of path parameter.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1500 },
    frameworkErrors: frameworkErrorHandler,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(typeboxValidatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler(trackRouteMethods(app)));
  // Before every route (plugins' too): a request answers 503 at once while Redis is gone.
  app.addHook('onRequest', storeGate(redis));
  app.addHook('onRoute', declareUnavailable);
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.httpResponses.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    });
  }
  registerRawJsonBody(app);
  await registerOpenApi(app, API_VERSION);
  app.addHook('preHandler', knownTenant(config, redis));

  const { adminToken } = config;
  await app.register(healthRoutes({ redis, ledger }));
  await app.register(eventsRoutes({ config, ledger, channels, onResults: metrics && ((r) => metrics.countEventResults(r)) }));
  await app.register(stockRoutes({ ledger, adminToken }));
  await app.register(auditRoutes({ ledger, adminToken, channels }));
  await app.register(incidentRoutes({ ledger, adminToken }));
  await app.register(availabilityRoutes({ ledger }));
  for (const plugin of plugins) await plugin(app);
  return app;
}
