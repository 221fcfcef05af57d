/**
 * The legacy REST inventory endpoints (channels.md §1 "REST (legacy)", §6): a leaky bucket of
 * 40 calls draining 2/s per app+store, `X-Shopify-Shop-Api-Call-Limit: <used>/40` on every
 * answer, and 429 + `Retry-After` beyond it. Stockline's adapter uses GraphQL; these exist so a
 * REST-only client meets the same limits and errors it would on Shopify.
 */
import type { FastifyInstance } from 'fastify';
import { TokenBucket } from '../../sandbox-kit/token-bucket';
import type { Faults } from '../../sandbox-kit/faults';
import type { SandboxStats } from '../../sandbox-kit/types';
import { ITEM_PREFIX, LOCATION_PREFIX, type ShopifyCatalog } from './catalog';

const INVALID_TOKEN = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };
const CAPACITY = 40;

export function registerShopifyRest(
  app: FastifyInstance,
  deps: { catalog: ShopifyCatalog; validToken: (t: unknown) => boolean; faults: Faults; stats: SandboxStats; leakPerSecond?: number },
): void {
  const bucket = new TokenBucket(deps.leakPerSecond ?? 2, CAPACITY);
  const { catalog, stats } = deps;

  app.addHook('onRequest', async (request, reply) => {
    if (!/^\/admin\/api\/[^/]+\/inventory_levels/.test(request.url)) return;
    stats.calls++;
    if (!deps.validToken(request.headers['x-shopify-access-token'])) return reply.code(401).send(INVALID_TOKEN);
    if (deps.faults.throttling && !bucket.tryTake(1)) {
      stats.throttled++;
      return reply
        .code(429)
        .header('x-shopify-shop-api-call-limit', `${CAPACITY}/${CAPACITY}`)
        .header('retry-after', '2.0')
        .send({ errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' });
    }
    reply.header('x-shopify-shop-api-call-limit', `${Math.ceil(CAPACITY - bucket.available())}/${CAPACITY}`);
  });

  const level = (itemId: string, locationId: string, available: number) => ({
    inventory_item_id: Number(itemId.slice(ITEM_PREFIX.length)),
    location_id: Number(locationId.slice(LOCATION_PREFIX.length)),
    available,
    updated_at: new Date().toISOString(),
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${itemId.slice(ITEM_PREFIX.length)}?inventory_item_id=${locationId.slice(LOCATION_PREFIX.length)}`,
  });

  app.get<{ Querystring: { inventory_item_ids?: string; location_ids?: string } }>('/admin/api/:version/inventory_levels.json', async (request) => {
    const items = (request.query.inventory_item_ids ?? '').split(',').filter(Boolean).map((n) => `${ITEM_PREFIX}${n}`);
    const locs = (request.query.location_ids ?? '').split(',').filter(Boolean).map((n) => `${LOCATION_PREFIX}${n}`);
    const out = [];
    for (const id of items) {
      const v = catalog.byItem.get(id);
      if (!v) continue;
      for (const [loc, q] of v.levels) if (!locs.length || locs.includes(loc)) out.push(level(id, loc, q));
    }
    return { inventory_levels: out };
  });

  app.post<{ Body: { location_id?: unknown; inventory_item_id?: unknown; available?: unknown } }>(
    '/admin/api/:version/inventory_levels/set.json',
    async (request, reply) => {
      const b = request.body ?? {};
      if (!Number.isInteger(b.available)) return reply.code(422).send({ errors: { available: ['must be an integer'] } });
      const itemId = `${ITEM_PREFIX}${b.inventory_item_id}`;
      const locationId = `${LOCATION_PREFIX}${b.location_id}`;
      const v = catalog.byItem.get(itemId);
      if (!v || !catalog.locations.includes(locationId)) return reply.code(404).send({ errors: 'Not Found' });
      if (!v.levels.has(locationId)) {
        return reply.code(422).send({ errors: ['Inventory item is not stocked at the location'] });
      }
      v.levels.set(locationId, b.available as number);
      stats.writes++;
      stats.rowsWritten++;
      return { inventory_level: level(itemId, locationId, b.available as number) };
    },
  );
}
