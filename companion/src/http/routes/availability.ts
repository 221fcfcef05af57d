/**
 * GET /v1/availability/:sku — public and read-only, for shopping agents: how many units can be
 * sold right now, stamped with when the ledger last changed the SKU (`updatedAt`) and when it was
 * read (`asOf`). Shows 0 while the SKU is paused (as channels do). Every answer — 200, 404 for an
 * unknown SKU, 400, 503 — is `Cache-Control: no-store`: neither a count nor "unknown SKU" may be
 * served from a cache.
 */
import type { FastifyInstance } from 'fastify';
import type { Ledger } from '../../ledger/types';
import { Availability, ErrorBody, SkuParams, TenantOnlyQuery } from '../../schemas/api';
import { DEFAULT_TENANT } from '../events-body';
import { unknownSku } from './stock';

export function availabilityRoutes({ ledger }: { ledger: Ledger }) {
  return async function routes(app: FastifyInstance) {
    app.get<{ Params: SkuParams; Querystring: TenantOnlyQuery }>(
      '/v1/availability/:sku',
      {
        schema: {
          tags: ['availability'],
          summary: 'Units sellable now (no auth)',
          description:
            '`available` is what can be sold now (0 while paused). `updatedAt` is when the ledger last changed the SKU, so the count is that fresh; ' +
            '`asOf` is when it was read. Every answer, a 404 for an unknown SKU included, carries Cache-Control: no-store.',
          params: SkuParams,
          querystring: TenantOnlyQuery,
          response: { 200: Availability, 400: ErrorBody, 404: ErrorBody },
        },
        // On every answer of this route, errors included (they are sent by the error handler).
        onSend: async (_request, reply, payload) => {
          reply.header('cache-control', 'no-store');
          return payload;
        },
      },
      async (request) => {
        const tenant = request.query.tenant ?? DEFAULT_TENANT;
        const state = await ledger.getStock(tenant, request.params.sku);
        if (!state) throw unknownSku(tenant, request.params.sku);
        return {
          sku: state.sku,
          available: state.paused ? 0 : Math.max(0, state.available),
          updatedAt: state.updatedAt,
          asOf: new Date().toISOString(),
        };
      },
    );
  };
}
