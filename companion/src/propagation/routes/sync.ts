/** GET /v1/sync?skus=A,B: per SKU and channel, what the channel was last told versus what it should show. */
import type { FastifyInstance } from 'fastify';
import { ADMIN } from '../../http/auth';
import { ValidationError } from '../../errors';
import type { SyncCore } from '../core';
import { SyncQuery, SyncReport } from './schemas';
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
  };
}
