/** GET /v1/mapping (last check) and POST /v1/mapping/refresh (resolve every ledger SKU on every channel). */
import type { FastifyInstance } from 'fastify';
import { ADMIN } from '../../http/auth';
import type { SyncCore } from '../core';
import { createMapping } from '../mapping';
import { MappingReport, TenantQuery } from './schemas';
import { DEFAULT_TENANT, errors } from './common';

export function mappingRoutes(core: SyncCore) {
  const mapping = createMapping(core);
  return async function routes(app: FastifyInstance) {
    app.get<{ Querystring: TenantQuery }>(
      '/v1/mapping',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Which ledger SKUs each channel lists (last check)', querystring: TenantQuery, response: { 200: MappingReport, ...errors } } },
      async (req) => mapping.get(req.query.tenant ?? DEFAULT_TENANT),
    );
    app.post<{ Querystring: TenantQuery }>(
      '/v1/mapping/refresh',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Resolve every ledger SKU on every channel now', querystring: TenantQuery, response: { 200: MappingReport, ...errors } } },
      async (req) => mapping.refresh(req.query.tenant ?? DEFAULT_TENANT),
    );
  };
}
