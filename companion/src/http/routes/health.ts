/** /healthz: the process answers. /readyz: Redis answers and every ledger script is loaded. */
import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { Ledger } from '../../ledger/types';
import { Health, Readiness } from '../../schemas/api';
import { operationalPaths } from '../operational-paths';

const READY_TIMEOUT_MS = 1000;

async function within<T>(p: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), READY_TIMEOUT_MS)));
  try {
    return await Promise.race([p.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes({ redis, ledger }: { redis: Redis; ledger: Ledger }) {
  return async function routes(app: FastifyInstance) {
    for (const path of operationalPaths('/healthz')) {
      app.get(path, { schema: { tags: ['health'], response: { 200: Health } } }, async () => ({ status: 'ok' as const }));
    }
    for (const path of operationalPaths('/readyz')) {
      app.get(path, { schema: { tags: ['health'], response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
        const [redisOk, ledgerOk] = await Promise.all([
          within(
            redis.ping().then((r) => r === 'PONG'),
            false,
          ),
          within(ledger.ready(), false),
        ]);
        const ready = redisOk && ledgerOk;
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { redis: redisOk, ledger: ledgerOk } });
      });
    }
  };
}
