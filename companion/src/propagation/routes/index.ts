/**
 * propagationRoutes(deps): the Fastify plugin the lead passes to buildApp's `plugins`. Every
 * route needs the admin bearer token. GET /v1/channels and /metrics belong to the observer.
 */
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../../http/auth';
import type { SyncCore } from '../core';
import { deadLetterRoutes } from './dead-letters';
import { mappingRoutes } from './mapping';
import { ruleRoutes } from './rules';
import { syncRoutes } from './sync';

export interface PropagationRoutesDeps {
  core: SyncCore;
  adminToken: string;
}

export function propagationRoutes({ core, adminToken }: PropagationRoutesDeps) {
  return async function plugin(app: FastifyInstance) {
    await app.register(async (scope) => {
      scope.addHook('onRequest', requireAdmin(adminToken));
      await scope.register(deadLetterRoutes(core));
      await scope.register(syncRoutes(core));
      await scope.register(ruleRoutes(core));
      await scope.register(mappingRoutes(core));
    });
  };
}
