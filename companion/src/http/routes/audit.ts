/** GET /v1/audit (admin token): the audit stream filtered by sku, order, type, channel and time. */
import type { FastifyInstance } from 'fastify';
import { knownChannelIds } from '../../config';
import type { Ledger } from '../../ledger/types';
import { AuditPage, AuditQuery, ErrorBody } from '../../schemas/api';
import { DEFAULT_TENANT } from '../events-body';
import { ADMIN, requireAdmin } from '../auth';
import { checkChannelFilter } from '../messages';

const toMs = (v: number | string | undefined) => (v === undefined ? undefined : typeof v === 'number' ? v : Date.parse(v));

/** `channels`: the ids of the channels this process runs, besides the built-in ones (buildApp's). */
export function auditRoutes({ ledger, adminToken, channels = [] }: { ledger: Ledger; adminToken: string; channels?: readonly string[] }) {
  const known = knownChannelIds(channels);
  return async function routes(app: FastifyInstance) {
    app.addHook('onRequest', requireAdmin(adminToken));
    app.get<{ Querystring: AuditQuery }>(
      '/v1/audit',
      {
        schema: {
          tags: ['audit'],
          security: ADMIN,
          summary: 'Audit entries, newest first unless order=asc; follow nextCursor for more',
          querystring: AuditQuery,
          response: { 200: AuditPage, 400: ErrorBody, 401: ErrorBody },
        },
        // Entries are written by several parts (ledger scripts, propagation); a schema-driven
        // serializer would turn one entry missing a field into a 500 for the whole page.
        serializerCompiler: () => (data: unknown) => JSON.stringify(data),
      },
      async (request) => {
        const { tenant = DEFAULT_TENANT, from, to, ...filter } = request.query;
        checkChannelFilter(filter.channel, known, 'querystring');
        return ledger.listAudit(tenant, { ...filter, from: toMs(from), to: toMs(to) });
      },
    );
  };
}
