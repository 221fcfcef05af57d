/**
 * Flipkart orders in the sandbox (shared/channels.md §3 "Orders"): POST /v3/shipments/filter by
 * type (preDispatch / postDispatch / cancelled), states and modifiedDate, paged through
 * nextPageUrl; plus the shopper who buys and the seller/buyer moving an order item on.
 */
import type { FastifyInstance } from 'fastify';
import type { ShopperResult } from '../sandbox-kit/types';
import { bearer, requestError } from './sandbox-listings';
import type { FlipkartSandboxState, SandboxShipment } from './sandbox-state';
import { STATES, type ShipmentFilterRequest, type ShipmentFilterResponse, type ShipmentType } from './wire';

const MAX_PAGE = 20;

interface PageQuery {
  type: ShipmentType;
  states: string[];
  from: number;
  to: number;
  size: number;
  offset: number;
}

export function placeOrder(state: FlipkartSandboxState, sku: string, qty: number): ShopperResult {
  const listing = state.listings.get(sku);
  const loc = listing?.locations.get(state.locationId);
  if (!listing || !loc || loc.status !== 'ENABLED' || !Number.isInteger(qty) || qty < 1 || loc.inventory < qty) {
    state.stats.ordersRefused += 1;
    return { accepted: false, reason: listing ? `only ${loc?.inventory ?? 0} available` : 'not listed' };
  }
  loc.inventory -= qty;
  const now = new Date();
  const orderId = state.nextId('OD');
  const shipment: SandboxShipment = {
    shipmentId: state.nextId('SH'),
    locationId: state.locationId,
    hold: false,
    dispatchAfterDate: now.toISOString(),
    dispatchByDate: new Date(now.getTime() + 2 * 86_400_000).toISOString(),
    updatedAt: now.toISOString(),
    visibleAt: 0,
    orderItems: [{ orderItemId: state.nextId('OI'), orderId, status: 'APPROVED', quantity: qty, sku, fsn: listing.fsn, orderDate: now.toISOString() }],
  };
  state.touch(shipment);
  state.shipments.set(shipment.shipmentId, shipment);
  state.stats.ordersAccepted += 1;
  return { accepted: true, orderId: shipment.orderItems[0]!.orderItemId };
}

/** Moves an order item on (PACKED, SHIPPED, DELIVERED, CANCELLED …); cancelling returns the units. */
export function transitionItem(state: FlipkartSandboxState, orderItemId: string, status: string): boolean {
  const found = state.findItem(orderItemId);
  if (!found || found.item.status === 'CANCELLED') return false;
  const { shipment, item } = found;
  if (status === 'CANCELLED') {
    if (STATES.postDispatch.includes(item.status)) return false;
    const loc = state.listings.get(item.sku)?.locations.get(shipment.locationId);
    if (loc) loc.inventory += item.quantity;
    item.cancellationDate = new Date().toISOString();
    item.cancellationReason = 'buyer_cancelled';
  }
  item.status = status;
  state.touch(shipment);
  return true;
}

function typeOf(status: string): ShipmentType | null {
  for (const [type, states] of Object.entries(STATES)) if (states.includes(status)) return type as ShipmentType;
  return null;
}

export function registerShipments(app: FastifyInstance, state: FlipkartSandboxState): void {
  const page = (q: PageQuery): ShipmentFilterResponse => {
    const now = Date.now();
    const matching = [...state.shipments.values()]
      .filter((s) => s.visibleAt <= now)
      .filter((s) => {
        const t = Date.parse(s.updatedAt);
        return t >= q.from && t <= q.to;
      })
      .map((s) => ({ ...s, orderItems: s.orderItems.filter((i) => typeOf(i.status) === q.type && q.states.includes(i.status)) }))
      .filter((s) => s.orderItems.length > 0)
      .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
    const slice = matching.slice(q.offset, q.offset + q.size).map(({ visibleAt: _v, ...s }) => structuredClone(s));
    const hasMore = q.offset + q.size < matching.length;
    const token = Buffer.from(JSON.stringify({ ...q, offset: q.offset + q.size })).toString('base64url');
    return { hasMore, nextPageUrl: hasMore ? `/v3/shipments/filter?next=${token}` : null, shipments: state.faults.shapeDeliveries(slice) };
  };

  app.post('/sellers/v3/shipments/filter', async (req, reply) => {
    if (!bearer(state, req, reply)) return reply;
    const body = req.body as ShipmentFilterRequest | undefined;
    const f = body?.filter;
    if (!f || !f.type || !(f.type in STATES)) return requestError(reply, 400, 'INVALID_FILTER', 'filter.type must be preDispatch, postDispatch or cancelled.');
    const allowed = STATES[f.type];
    const states = f.states?.length ? f.states : allowed;
    const bad = states.find((s) => !allowed.includes(s));
    if (bad) return requestError(reply, 400, 'INVALID_FILTER', `State ${bad} is not valid for type ${f.type}.`);
    const size = body?.pagination?.pageSize ?? MAX_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) return requestError(reply, 400, 'INVALID_PAGINATION', `pageSize must be 1 to ${MAX_PAGE}.`);
    const from = f.modifiedDate?.from ? Date.parse(f.modifiedDate.from) : 0;
    const to = f.modifiedDate?.to ? Date.parse(f.modifiedDate.to) : Number.MAX_SAFE_INTEGER;
    if (Number.isNaN(from) || Number.isNaN(to)) return requestError(reply, 400, 'INVALID_FILTER', 'modifiedDate bounds must be ISO 8601.');
    return page({ type: f.type, states, from, to, size, offset: 0 });
  });

  app.get<{ Querystring: { next?: string } }>('/sellers/v3/shipments/filter', async (req, reply) => {
    if (!bearer(state, req, reply)) return reply;
    try {
      return page(JSON.parse(Buffer.from(req.query.next ?? '', 'base64url').toString('utf8')) as PageQuery);
    } catch {
      return requestError(reply, 400, 'INVALID_PAGINATION', 'Unknown next page token.');
    }
  });

  app.post<{ Params: { orderItemId: string } }>('/_sandbox/order-items/:orderItemId/status', async (req, reply) => {
    const { status } = (req.body ?? {}) as { status?: string };
    if (!status || !typeOf(status) || !transitionItem(state, req.params.orderItemId, status)) {
      return reply.code(409).send({ error: 'cannot move the order item to that status' });
    }
    return { ok: true };
  });
}
