/**
 * Answers 503 within a second while Redis cannot be reached. Without it a request waited for
 * ioredis's reconnect attempts (seconds apart once Redis has been gone a while) and was answered
 * 503 only after 6–20 s, holding the caller (the plugin's outbox drain, a merchant's page) that
 * long. A brief blip still passes: the gate waits up to `waitMs` for the connection to come back.
 * Health, readiness, metrics and the API document do not need Redis and are never held.
 */
import type { FastifyRequest, onRequestHookHandler, onRouteHookHandler } from 'fastify';
import { ErrorBody } from '../schemas/api';
import type { Redis } from 'ioredis';
import { operationalPaths } from './operational-paths';

// /metrics answers without Redis too (stockline_redis_up 0, metrics.ts): a scraper must tell
// "Redis is down" from "Stockline is down".
const UNGATED = new Set([...operationalPaths('/healthz'), ...operationalPaths('/readyz'), ...operationalPaths('/metrics'), '/v1/openapi.json']);

export const STORE_UNAVAILABLE_MESSAGE = 'The ledger store cannot be reached right now — retry in a moment';

/** Thrown to the error handler, which answers 503 `unavailable` with Retry-After. */
export class StoreUnavailable extends Error {
  constructor() {
    super('Redis is not connected');
    this.name = 'StoreUnavailable';
  }
}

/**
 * Resolves when the connection is next ready. One listener per outage, shared by every waiting
 * request (a listener each would pile up past EventEmitter's limit under load).
 */
const nextReady = new WeakMap<Redis, Promise<void>>();
function whenReady(redis: Redis): Promise<void> {
  let ready = nextReady.get(redis);
  if (!ready) {
    ready = new Promise<void>((resolve) =>
      redis.once('ready', () => {
        nextReady.delete(redis);
        resolve();
      }),
    );
    nextReady.set(redis, ready);
  }
  return ready;
}

function connected(redis: Redis, waitMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
  });
  return Promise.race([whenReady(redis).then(() => true), late]).finally(() => clearTimeout(timer));
}

const gated = (request: FastifyRequest) => {
  const url = request.routeOptions.url;
  return url !== undefined && gatedUrl(url);
};

const gatedUrl = (url: string) => !UNGATED.has(url) && !url.startsWith('/v1/docs');

/**
 * Declares the gate's 503 in the API document on every route it holds (an onRoute hook, added
 * before the routes and before the document is built), so clients generated from the document
 * know to retry instead of meeting an undeclared status.
 */
export const declareUnavailable: onRouteHookHandler = (route) => {
  const schema = route.schema as { response?: Record<string, unknown> } | undefined;
  if (!schema?.response || schema.response[503] || !gatedUrl(route.url)) return;
  schema.response = { ...schema.response, 503: ErrorBody };
};

export function storeGate(redis: Redis, waitMs = 1000): onRequestHookHandler {
  return async function storeGate(request) {
    if (gated(request) && !(await connected(redis, waitMs))) throw new StoreUnavailable();
  };
}
