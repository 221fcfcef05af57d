/**
 * Stock reads and the manual pause switch (admin token): GET /v1/stock/:sku, GET /v1/stock,
 * POST /v1/stock/:sku/pause, POST /v1/stock/:sku/relist.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors';
import type { Ledger } from '../../ledger/types';
import { ErrorBody, PauseBody, SkuParams, StockListQuery, StockPage, TenantOnlyQuery } from '../../schemas/api';
import { StockState } from '../../schemas/stock';
import { DEFAULT_TENANT } from '../events-body';
import { ADMIN, requireAdmin } from '../auth';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };

export function unknownSku(tenant: string, sku: string): NotFoundError {
  // The same code an event about an unknown SKU is refused with (design.md: unknown SKU has its own code).
  return new NotFoundError(`No SKU "${sku}" in tenant "${tenant}" — send a stock.received or stock.adjusted event to create it`, 'unknown_sku');
}

export function stockRoutes({ ledger, adminToken }: { ledger: Ledger; adminToken: string }) {
  return async function routes(app: FastifyInstance) {
    app.addHook('onRequest', requireAdmin(adminToken));

    app.get<{ Params: SkuParams; Querystring: TenantOnlyQuery }>(
      '/v1/stock/:sku',
      {
        schema: {
          tags: ['stock'],
          security: ADMIN,
          summary: 'Ledger state of one SKU',
          params: SkuParams,
          querystring: TenantOnlyQuery,
          response: { 200: StockState, ...errors },
        },
      },
      async (request) => {
        const tenant = request.query.tenant ?? DEFAULT_TENANT;
        const state = await ledger.getStock(tenant, request.params.sku);
        if (!state) throw unknownSku(tenant, request.params.sku);
        return state;
      },
    );

    app.get<{ Querystring: StockListQuery }>(
      '/v1/stock',
      {
        schema: {
          tags: ['stock'],
          security: ADMIN,
          summary: 'SKUs in order, filtered by prefix, paged by cursor',
          querystring: StockListQuery,
          response: { 200: StockPage, ...errors },
        },
      },
      async (request) => {
        const { tenant = DEFAULT_TENANT, prefix, cursor, limit } = request.query;
        // The count too: a catalogue of thousands paged 25 at a time said neither how many nor how far.
        const [page, total] = await Promise.all([ledger.listStock(tenant, { prefix, cursor, limit }), ledger.countStock(tenant, prefix)]);
        return { ...page, total };
      },
    );

    for (const [action, paused] of [
      ['pause', true],
      ['relist', false],
    ] as const) {
      app.post<{ Params: SkuParams; Querystring: TenantOnlyQuery; Body: PauseBody | undefined }>(
        `/v1/stock/:sku/${action}`,
        {
          schema: {
            tags: ['stock'],
            security: ADMIN,
            summary: paused ? 'Show 0 on every channel until relisted' : 'Clear a manual pause',
            params: SkuParams,
            querystring: TenantOnlyQuery,
            body: PauseBody,
            response: { 200: StockState, ...errors },
          },
        },
        async (request) => {
          const tenant = request.query.tenant ?? DEFAULT_TENANT;
          const { sku } = request.params;
          // An unknown SKU is refused by the ledger itself (unknown_sku, 404).
          const reason = request.body?.reason ?? (paused ? 'paused by an admin' : 'relisted by an admin');
          return ledger.setPaused(tenant, sku, paused, reason);
        },
      );
    }
  };
}
