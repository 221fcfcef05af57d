/** GET /v1/sync?skus=A,B: per SKU and channel, what the channel was last told versus what it should show. */
import type { FastifyInstance } from 'fastify';
import { ADMIN } from '../../http/auth';
import { ValidationError } from '../../errors';
import type { SyncCore } from '../core';
import { LiveCheckReport, OutOfStepQuery, OutOfStepReport, SkuParams, SyncQuery, SyncReport, TenantQuery } from './schemas';
import { checkLive } from '../live-check';
import { outOfStep } from '../out-of-step';
import { DEFAULT_TENANT, errors } from './common';

const MAX_SKUS = 500;

export function syncRoutes(core: SyncCore) {
  return async function routes(app: FastifyInstance) {
    app.get<{ Querystring: SyncQuery }>(
      '/v1/sync',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Shown vs expected per channel', querystring: SyncQuery, response: { 200: SyncReport, ...errors } } },
      async (req) => {
        const skus = [...new Set(req.query.skus.split(',').map((s) => s.trim()).filter(Boolean))];
        if (!skus.length) throw new ValidationError('Give at least one SKU: ?skus=A,B', '/skus');
        if (skus.length > MAX_SKUS) throw new ValidationError(`At most ${MAX_SKUS} SKUs per call — split the list`, '/skus');
        return { items: await core.syncStatus(req.query.tenant ?? DEFAULT_TENANT, skus) };
      },
    );

    app.get<{ Querystring: OutOfStepQuery }>(
      '/v1/sync/out-of-step',
      {
        schema: {
          tags: ['propagation'],
          security: ADMIN,
          summary: 'SKUs some channel does not show what it should (by what each channel last accepted), in SKU order; at most 5,000 looked at per request, then a cursor',
          querystring: OutOfStepQuery,
          response: { 200: OutOfStepReport, ...errors },
        },
      },
      async (req) => outOfStep(core, req.query.tenant ?? DEFAULT_TENANT, { prefix: req.query.prefix || undefined, cursor: req.query.cursor, limit: req.query.limit ?? 25 }),
    );

    app.post<{ Params: SkuParams; Querystring: TenantQuery }>(
      '/v1/sync/:sku/check',
      {
        schema: {
          tags: ['propagation'],
          security: ADMIN,
          summary: "Read what each channel shows for the SKU now (not what Stockline last set) and push again where it differs",
          params: SkuParams,
          querystring: TenantQuery,
          response: { 200: LiveCheckReport, ...errors },
        },
      },
      async (req) => ({ sku: req.params.sku, channels: await checkLive(core, req.query.tenant ?? DEFAULT_TENANT, req.params.sku) }),
    );
  };
}
