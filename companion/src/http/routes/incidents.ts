/** GET /v1/incidents?status&cursor&limit (admin token): oversell incidents, open or resolved, newest first, paged. */
import type { FastifyInstance } from 'fastify';
import type { Ledger } from '../../ledger/types';
import { ErrorBody, IncidentList, IncidentsQuery } from '../../schemas/api';
import { DEFAULT_TENANT } from '../events-body';
import { ADMIN, requireAdmin } from '../auth';

export function incidentRoutes({ ledger, adminToken }: { ledger: Ledger; adminToken: string }) {
  return async function routes(app: FastifyInstance) {
    app.addHook('onRequest', requireAdmin(adminToken));
    app.get<{ Querystring: IncidentsQuery }>(
      '/v1/incidents',
      {
        schema: {
          tags: ['incidents'],
          security: ADMIN,
          summary: 'Oversell incidents (marketplace orders recorded although they oversold)',
          querystring: IncidentsQuery,
          response: { 200: IncidentList, 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (request) => {
        const { tenant = DEFAULT_TENANT, status, cursor, limit } = request.query;
        return ledger.listIncidents(tenant, { status, cursor, limit });
      },
    );
  };
}
