/**
 * Flipkart auth and Listings v3 in the sandbox (shared/channels.md §3): client-credentials token
 * with Basic auth, Bearer checks (401 on expiry), the inventory update (≤ 10 SKUs, per-SKU
 * SUCCESS/FAILURE/WARNING at HTTP 200) and the listing read-back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FlipkartSandboxState } from './sandbox-state';
import type { InventoryUpdateResponse, ListingError, ListingsResponse, OAuthError, RequestErrorBody, SkuResult } from './wire';

export const MAX_SKUS = 10;

export function requestError(reply: FastifyReply, status: number, code: string, description: string): FastifyReply {
  const body: RequestErrorBody = { status: 'FAILURE', errors: [{ severity: 'ERROR', code, description }] };
  return reply.code(status).send(body);
}

/** Bearer check and the (optional) rate limit for every /sellers call; false once answered. */
export function bearer(state: FlipkartSandboxState, req: FastifyRequest, reply: FastifyReply): boolean {
  state.stats.calls += 1;
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
  const check = state.checkToken(token);
  if (check !== 'ok') {
    // UNCONFIRMED bodies: Flipkart documents the 401, not its body; these are Spring OAuth2's.
    const body: OAuthError =
      check === 'missing'
        ? { error: 'unauthorized', error_description: 'Full authentication is required to access this resource' }
        : check === 'expired'
          ? { error: 'invalid_token', error_description: `Access token expired: ${token}` }
          : { error: 'invalid_token', error_description: `Invalid access token: ${token}` };
    reply.code(401).header('www-authenticate', `Bearer error="${body.error}"`).send(body);
    return false;
  }
  if (!state.take()) {
    state.stats.throttled += 1;
    // UNCONFIRMED: Flipkart publishes no rate limit or 429 body.
    reply.code(429).header('retry-after', '1').send({ error: 'too_many_requests', error_description: 'Request rate limit exceeded' });
    return false;
  }
  return true;
}

export function registerAuth(app: FastifyInstance, state: FlipkartSandboxState): void {
  app.get<{ Querystring: { grant_type?: string; scope?: string } }>('/oauth-service/oauth/token', async (req, reply) => {
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
    if (id !== state.appId || secret !== state.appSecret) {
      return reply.code(401).send({ error: 'unauthorized', error_description: 'Bad credentials' } satisfies OAuthError);
    }
    if (req.query.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${req.query.grant_type}` });
    }
    if (req.query.scope !== 'Seller_Api') return reply.code(400).send({ error: 'invalid_scope', error_description: `Invalid scope: ${req.query.scope}` });
    return { access_token: state.issueToken(), token_type: 'bearer', expires_in: state.tokenTtlSeconds, scope: 'Seller_Api' };
  });
}

const fail = (code: string, description: string, path?: string): SkuResult => ({
  status: 'FAILURE',
  errors: [{ severity: 'ERROR', code, description, ...(path ? { path } : {}) }],
  attribute_errors: [],
});

export function registerListings(app: FastifyInstance, state: FlipkartSandboxState): void {
  app.post('/sellers/listings/v3/update/inventory', async (req, reply) => {
    if (!bearer(state, req, reply)) return reply;
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return requestError(reply, 400, 'INVALID_REQUEST', 'Request body must be a JSON object keyed by SKU.');
    const entries = Object.entries(body as Record<string, unknown>);
    if (entries.length === 0) return requestError(reply, 400, 'INVALID_REQUEST', 'At least one SKU is required.');
    if (entries.length > MAX_SKUS) return requestError(reply, 400, 'BATCH_LIMIT_EXCEEDED', `At most ${MAX_SKUS} SKUs can be updated per request; got ${entries.length}.`);
    const out: InventoryUpdateResponse = {};
    const writes: (() => void)[] = [];
    for (const [sku, raw] of entries) {
      const v = raw as { product_id?: unknown; locations?: unknown };
      const listing = state.listings.get(sku);
      if (!listing) {
        out[sku] = fail('SKU_NOT_FOUND', `No listing found for SKU ${sku}`);
        continue;
      }
      if (typeof v?.product_id !== 'string' || !/^[A-Z0-9]{13,16}$/.test(v.product_id)) {
        out[sku] = fail('INVALID_PRODUCT_ID', 'product_id must be the 13–16 character FSN', `${sku}.product_id`);
        continue;
      }
      if (v.product_id !== listing.fsn) {
        out[sku] = fail('PRODUCT_ID_MISMATCH', `product_id ${v.product_id} is not the FSN of SKU ${sku}`, `${sku}.product_id`);
        continue;
      }
      if (!Array.isArray(v.locations) || v.locations.length === 0) {
        out[sku] = fail('INVALID_LOCATIONS', 'locations must list at least one location', `${sku}.locations`);
        continue;
      }
      const errors: ListingError[] = [];
      const warnings: ListingError[] = [];
      for (const [i, loc] of (v.locations as { id?: unknown; inventory?: unknown }[]).entries()) {
        const l = typeof loc?.id === 'string' ? listing.locations.get(loc.id) : undefined;
        if (!l) errors.push({ severity: 'ERROR', code: 'INVALID_LOCATION_ID', description: `Unknown location ${String(loc?.id)}`, path: `${sku}.locations[${i}].id` });
        else if (!Number.isInteger(loc.inventory) || (loc.inventory as number) < 0) {
          errors.push({ severity: 'ERROR', code: 'INVALID_INVENTORY', description: 'inventory must be a whole number of 0 or more', path: `${sku}.locations[${i}].inventory` });
        } else if (l.status === 'DISABLED') {
          warnings.push({ severity: 'WARNING', code: 'LOCATION_DISABLED', description: `Location ${l.id} is disabled; inventory stored but not sellable`, path: `${sku}.locations[${i}]` });
        }
      }
      if (errors.length) {
        out[sku] = { status: 'FAILURE', errors, attribute_errors: [] };
        continue;
      }
      if (state.skuFailureRate > 0 && Math.random() < state.skuFailureRate) {
        out[sku] = fail('INTERNAL_ERROR', 'Could not update inventory, please retry');
        continue;
      }
      writes.push(() => {
        for (const loc of v.locations as { id: string; inventory: number }[]) listing.locations.get(loc.id)!.inventory = loc.inventory;
      });
      out[sku] = { status: warnings.length ? 'WARNING' : 'SUCCESS', errors: warnings, attribute_errors: [] };
    }
    for (const w of writes) w();
    if (writes.length) {
      state.stats.writes += 1;
      state.stats.rowsWritten += writes.length;
    }
    return out;
  });

  app.get<{ Params: { skuIds: string } }>('/sellers/listings/v3/:skuIds', async (req, reply) => {
    if (!bearer(state, req, reply)) return reply;
    const skus = req.params.skuIds.split(',').map((s) => s.trim()).filter(Boolean);
    if (skus.length === 0 || skus.length > MAX_SKUS) return requestError(reply, 400, 'INVALID_REQUEST', `Give 1 to ${MAX_SKUS} SKU ids.`);
    const res: ListingsResponse = { available: {}, unavailable: [] };
    for (const sku of skus) {
      const l = state.listings.get(sku);
      if (!l) res.unavailable.push(sku);
      else res.available[sku] = { sku, product_id: l.fsn, locations: [...l.locations.values()].map((x) => ({ ...x })) };
    }
    return res;
  });
}
