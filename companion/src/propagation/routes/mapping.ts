/**
 * GET /v1/mapping (last check, and the progress of one under way) and POST /v1/mapping/refresh
 * (start resolving every ledger SKU on every channel: 200 with the report when it finished within
 * a few seconds, else 202 with the progress; see mapping.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ADMIN } from '../../http/auth';
import type { SyncCore } from '../core';
import { createMapping } from '../mapping';
import { MappingReport, TenantQuery } from './schemas';
import { DEFAULT_TENANT, errors } from './common';

export function mappingRoutes(core: SyncCore) {
  const mapping = createMapping(core);
  return async function routes(app: FastifyInstance) {
    app.addHook('onClose', async () => mapping.close());
    app.get<{ Querystring: TenantQuery }>(
      '/v1/mapping',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Which ledger SKUs each channel lists (last check)', querystring: TenantQuery, response: { 200: MappingReport, ...errors } } },
      async (req) => mapping.get(req.query.tenant ?? DEFAULT_TENANT),
    );
    app.post<{ Querystring: TenantQuery }>(
      '/v1/mapping/refresh',
      {
        schema: {
          tags: ['propagation'],
          security: ADMIN,
          summary: 'Check every ledger SKU on every channel (in the background)',
          description: 'Starts a check, or joins the one under way, and waits a few seconds for it: 200 with the report when it finished, 202 with `running` progress otherwise (GET /v1/mapping shows it until the report replaces it). 502 channel_unavailable names a channel that failed meanwhile.',
          querystring: TenantQuery,
          response: { 200: MappingReport, 202: MappingReport, ...errors },
        },
      },
      async (req, reply) => {
        const { done, report } = await mapping.refresh(req.query.tenant ?? DEFAULT_TENANT);
        return reply.code(done ? 200 : 202).send(report);
      },
    );
  };
}
