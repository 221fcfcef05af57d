/**
 * Login with Amazon and the Listings Items API of the sandbox (shared/channels.md §2):
 * refresh-token exchange, patchListingsItem (merge/replace/add/delete, VALIDATION_PREVIEW,
 * 200 INVALID with issues, 400 InvalidInput, ACCEPTED applied after a delay) and getListingsItem.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { guard, listParam, sellerMismatch, spError } from './sandbox-http';
import { defaultQuantity, type AmazonSandboxState, type Listing } from './sandbox-state';
import type { FulfillmentAvailability, ListingsIssue, ListingsItem, ListingsItemSubmissionResponse, ListingsPatch, LwaErrorBody } from './wire';

const OPS = new Set(['add', 'replace', 'merge', 'delete']);
const TOP_LEVEL_ATTRIBUTE = /^\/attributes\/[a-z0-9_]+$/;

export function registerLwa(app: FastifyInstance, state: AmazonSandboxState): void {
  app.post('/auth/o2/token', async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, string>;
    const fail = (status: number, body: LwaErrorBody) => reply.code(status).send(body);
    if (form.client_id !== state.clientId || form.client_secret !== state.clientSecret) {
      return fail(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    if (form.grant_type !== 'refresh_token') {
      return fail(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
    }
    if (form.refresh_token !== state.refreshToken) {
      return fail(400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' });
    }
    const { token, expiresIn } = state.issueToken();
    return { access_token: token, token_type: 'bearer', expires_in: expiresIn, refresh_token: state.refreshToken };
  });
}

/** Checks one patch set the way Amazon does: structure → 400 InvalidInput, content → issues. */
export function validatePatches(
  body: unknown,
): { badRequest: string } | { productType: string; patches: ListingsPatch[]; issues: ListingsIssue[] } {
  if (!body || typeof body !== 'object') return { badRequest: 'Request body is missing or not a JSON object.' };
  const { productType, patches } = body as { productType?: unknown; patches?: unknown };
  if (typeof productType !== 'string' || productType === '') return { badRequest: 'productType is required.' };
  if (!Array.isArray(patches) || patches.length === 0) return { badRequest: 'patches must contain at least one patch.' };
  const issues: ListingsIssue[] = [];
  for (const p of patches as ListingsPatch[]) {
    if (!p || typeof p !== 'object' || !OPS.has(p.op)) return { badRequest: `Invalid patch operation: ${JSON.stringify(p?.op)}.` };
    if (typeof p.path !== 'string' || !TOP_LEVEL_ATTRIBUTE.test(p.path)) {
      return { badRequest: `Invalid patch path ${JSON.stringify(p.path)}: only top-level attributes can be patched.` };
    }
    if (p.op !== 'delete' && !Array.isArray(p.value)) return { badRequest: `Patch ${p.path} needs a value array.` };
    if (p.path === '/attributes/fulfillment_availability' && p.op !== 'delete') {
      for (const v of p.value as FulfillmentAvailability[]) {
        if (!v || typeof v.fulfillment_channel_code !== 'string') {
          issues.push({
            code: '90220',
            message: "'fulfillment_channel_code' is required but not supplied.",
            severity: 'ERROR',
            attributeNames: ['fulfillment_availability'],
          });
          continue;
        }
        if (v.quantity !== undefined && (!Number.isInteger(v.quantity) || v.quantity < 0)) {
          issues.push({
            code: '4000001',
            message: `The provided value for 'quantity' is invalid: ${JSON.stringify(v.quantity)} is not a whole number of 0 or more.`,
            severity: 'ERROR',
            attributeNames: ['fulfillment_availability'],
          });
        }
      }
    }
  }
  return { productType, patches: patches as ListingsPatch[], issues };
}

/** Applies validated patches to a listing (what happens when an ACCEPTED submission is processed). */
export function applyPatches(listing: Listing, patches: ListingsPatch[]): void {
  for (const p of patches) {
    const name = p.path.slice('/attributes/'.length);
    const attrs = listing.attributes as Record<string, unknown[]>;
    if (p.op === 'delete') {
      attrs[name] = [];
      continue;
    }
    if (p.op === 'merge' && name === 'fulfillment_availability') {
      // merge changes only the given fields of the entry with the same channel code.
      for (const v of p.value as FulfillmentAvailability[]) {
        const entry = listing.attributes.fulfillment_availability.find((f) => f.fulfillment_channel_code === v.fulfillment_channel_code);
        if (entry) Object.assign(entry, v);
        else listing.attributes.fulfillment_availability.push({ ...v });
      }
      continue;
    }
    attrs[name] = structuredClone(p.value ?? []);
  }
}

export function notFoundIssue(sku: string, marketplaceId: string): ListingsIssue {
  // UNCONFIRMED: the exact code Amazon gives a PATCH on an unknown SKU; getListingsItem says NOT_FOUND.
  return { code: 'NOT_FOUND', message: `SKU '${sku}' not found in marketplace ${marketplaceId}`, severity: 'ERROR' };
}

export function registerListings(app: FastifyInstance, state: AmazonSandboxState): void {
  app.patch<{ Params: { sellerId: string; sku: string }; Querystring: Record<string, unknown> }>(
    '/listings/2021-08-01/items/:sellerId/:sku',
    async (req, reply) => {
      if (!guard(state, req, reply, 'patchListingsItem')) return reply;
      if (sellerMismatch(state, req.params.sellerId, reply)) return reply;
      const marketplaceIds = listParam(req.query.marketplaceIds);
      if (!marketplaceIds.includes(state.marketplaceId)) {
        return spError(reply, 400, 'InvalidInput', 'Missing or invalid request parameters: [marketplaceIds]');
      }
      const checked = validatePatches(req.body);
      if ('badRequest' in checked) return spError(reply, 400, 'InvalidInput', checked.badRequest);
      const sku = req.params.sku;
      const listing = state.listings.get(sku);
      const issues = listing ? checked.issues : [notFoundIssue(sku, state.marketplaceId), ...checked.issues];
      const invalid = issues.some((i) => i.severity === 'ERROR');
      const preview = req.query.mode === 'VALIDATION_PREVIEW';
      const res: ListingsItemSubmissionResponse = {
        sku,
        status: invalid ? 'INVALID' : preview ? 'VALID' : 'ACCEPTED',
        submissionId: randomUUID().replace(/-/g, ''),
        issues,
      };
      if (!invalid && !preview && listing) {
        state.stats.writes += 1;
        state.stats.rowsWritten += 1;
        // Amazon processes ACCEPTED submissions asynchronously; a read before then shows the old value.
        const lost = state.lostAcceptedRate > 0 && Math.random() < state.lostAcceptedRate;
        if (!lost) state.later(state.applyDelayMs, () => applyPatches(listing, checked.patches));
      }
      return res;
    },
  );

  app.get<{ Params: { sellerId: string; sku: string }; Querystring: Record<string, unknown> }>(
    '/listings/2021-08-01/items/:sellerId/:sku',
    async (req, reply) => {
      if (!guard(state, req, reply, 'getListingsItem')) return reply;
      if (sellerMismatch(state, req.params.sellerId, reply)) return reply;
      const marketplaceIds = listParam(req.query.marketplaceIds);
      if (!marketplaceIds.includes(state.marketplaceId)) {
        return spError(reply, 400, 'InvalidInput', 'Missing or invalid request parameters: [marketplaceIds]');
      }
      const listing = state.listings.get(req.params.sku);
      if (!listing) return spError(reply, 404, 'NOT_FOUND', `SKU '${req.params.sku}' not found in marketplace ${state.marketplaceId}`);
      const included = new Set(listParam(req.query.includedData).length ? listParam(req.query.includedData) : ['summaries']);
      const item: ListingsItem & { attributes?: unknown } = { sku: listing.sku };
      if (included.has('summaries')) {
        item.summaries = [
          { marketplaceId: state.marketplaceId, asin: listing.asin, productType: listing.productType, status: ['BUYABLE', 'DISCOVERABLE'] },
        ];
      }
      if (included.has('attributes')) item.attributes = structuredClone(listing.attributes);
      if (included.has('fulfillmentAvailability')) {
        item.fulfillmentAvailability = listing.attributes.fulfillment_availability.map((f) => ({
          fulfillmentChannelCode: f.fulfillment_channel_code,
          quantity: f.fulfillment_channel_code === 'DEFAULT' ? defaultQuantity(listing) : f.quantity,
        }));
      }
      if (included.has('issues')) item.issues = [];
      return item;
    },
  );
}
