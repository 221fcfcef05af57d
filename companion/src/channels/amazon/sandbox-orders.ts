/**
 * Orders API v0 (getOrders with the 2-minute rule and NextToken paging, getOrderItems), the
 * SQS-like ORDER_CHANGE queue, and the shopper who buys on Amazon (shared/channels.md §2 "Orders",
 * "Notifications"). Faults shape what Stockline sees: duplicates, reordering, late visibility.
 */
import type { FastifyInstance } from 'fastify';
import type { ShopperResult } from '../sandbox-kit/types';
import { guard, listParam, spError } from './sandbox-http';
import { defaultQuantity, setDefaultQuantity, type AmazonSandboxState, type SandboxOrder } from './sandbox-state';
import type { GetOrderItemsResponse, GetOrdersResponse, Order, OrderStatus } from './wire';

interface PageQuery {
  marketplaceIds: string[];
  field: 'LastUpdateDate' | 'PurchaseDate';
  after: number;
  before: number;
  statuses: string[];
  max: number;
  offset: number;
}

const encodeToken = (q: PageQuery) => Buffer.from(JSON.stringify(q)).toString('base64');
const decodeToken = (t: string): PageQuery | null => {
  try {
    return JSON.parse(Buffer.from(t, 'base64').toString('utf8')) as PageQuery;
  } catch {
    return null;
  }
};

export function placeOrder(state: AmazonSandboxState, sku: string, qty: number): ShopperResult {
  const listing = state.listings.get(sku);
  const have = listing ? defaultQuantity(listing) : 0;
  if (!listing || !Number.isInteger(qty) || qty < 1 || have < qty) {
    state.stats.ordersRefused += 1;
    return { accepted: false, reason: listing ? `only ${have} available` : 'not listed' };
  }
  setDefaultQuantity(listing, have - qty);
  const now = new Date().toISOString();
  const id = state.nextOrderId();
  const order: SandboxOrder = {
    AmazonOrderId: id,
    PurchaseDate: now,
    LastUpdateDate: now,
    OrderStatus: 'Pending',
    FulfillmentChannel: 'MFN',
    MarketplaceId: state.marketplaceId,
    NumberOfItemsShipped: 0,
    NumberOfItemsUnshipped: qty,
    items: [{ ASIN: listing.asin, SellerSKU: sku, OrderItemId: String(Date.now()) + String(state.orders.size), QuantityOrdered: qty, QuantityShipped: 0 }],
  };
  state.orders.set(id, order);
  state.stats.ordersAccepted += 1;
  state.setOrderStatus(order, 'Pending');
  // Standard orders start Pending (unpaid) and become Unshipped once payment clears.
  state.later(state.pendingMs, () => {
    if (order.OrderStatus === 'Pending') state.setOrderStatus(order, 'Unshipped');
  });
  return { accepted: true, orderId: id };
}

/** A seller action or buyer cancellation on Amazon's side. Canceled puts the units back. */
export function transitionOrder(state: AmazonSandboxState, orderId: string, status: OrderStatus): boolean {
  const order = state.orders.get(orderId);
  if (!order || order.OrderStatus === 'Canceled' || order.OrderStatus === 'Shipped') return false;
  if (status === 'Canceled') {
    for (const item of order.items) {
      const listing = state.listings.get(item.SellerSKU);
      if (listing) setDefaultQuantity(listing, defaultQuantity(listing) + item.QuantityOrdered);
    }
  }
  state.setOrderStatus(order, status);
  return true;
}

const publicOrder = ({ items: _items, ...o }: SandboxOrder): Order => o;

export function registerOrders(app: FastifyInstance, state: AmazonSandboxState): void {
  app.get<{ Querystring: Record<string, string | undefined> }>('/orders/v0/orders', async (req, reply) => {
    if (!guard(state, req, reply, 'getOrders')) return reply;
    const q = req.query;
    let query: PageQuery | null;
    if (q.NextToken) {
      query = decodeToken(q.NextToken);
      if (!query) return spError(reply, 400, 'InvalidInput', 'Invalid NextToken.');
    } else {
      const marketplaceIds = listParam(q.MarketplaceIds);
      if (!marketplaceIds.includes(state.marketplaceId)) {
        return spError(reply, 400, 'InvalidInput', 'Missing or invalid request parameters: [MarketplaceIds]');
      }
      if (Boolean(q.CreatedAfter) === Boolean(q.LastUpdatedAfter)) {
        return spError(reply, 400, 'InvalidInput', 'Exactly one of CreatedAfter and LastUpdatedAfter must be specified.');
      }
      const field = q.LastUpdatedAfter ? 'LastUpdateDate' : 'PurchaseDate';
      const after = Date.parse((q.LastUpdatedAfter ?? q.CreatedAfter)!);
      const beforeParam = q.LastUpdatedAfter ? q.LastUpdatedBefore : q.CreatedBefore;
      const latest = Date.now() - state.ordersLagMs;
      const before = beforeParam ? Date.parse(beforeParam) : latest;
      if (Number.isNaN(after) || Number.isNaN(before)) return spError(reply, 400, 'InvalidInput', 'Dates must be ISO 8601.');
      if (before > latest) {
        const name = q.LastUpdatedAfter ? 'LastUpdatedBefore' : 'CreatedBefore';
        return spError(reply, 400, 'InvalidInput', `${name} must be at least 2 minutes before the time of the request.`);
      }
      const max = q.MaxResultsPerPage ? Number(q.MaxResultsPerPage) : 100;
      if (!Number.isInteger(max) || max < 1 || max > 100) return spError(reply, 400, 'InvalidInput', 'MaxResultsPerPage must be 1 to 100.');
      query = { marketplaceIds, field, after, before, statuses: listParam(q.OrderStatuses), max, offset: 0 };
    }
    const now = Date.now();
    const delay = state.faults.deliveryDelayMs;
    const matching = [...state.orders.values()]
      .filter((o) => {
        const t = Date.parse(o[query!.field]);
        // A late delivery: the change only becomes visible to getOrders after the fault delay.
        return t >= query!.after && t <= query!.before && Date.parse(o.LastUpdateDate) + delay <= now;
      })
      .filter((o) => query!.statuses.length === 0 || query!.statuses.includes(o.OrderStatus))
      .sort((a, b) => Date.parse(a[query!.field]) - Date.parse(b[query!.field]));
    const page = matching.slice(query.offset, query.offset + query.max);
    const body: GetOrdersResponse = {
      payload: {
        Orders: state.faults.shapeDeliveries(page.map(publicOrder)),
        ...(query.field === 'LastUpdateDate' ? { LastUpdatedBefore: new Date(query.before).toISOString() } : { CreatedBefore: new Date(query.before).toISOString() }),
      },
    };
    if (query.offset + query.max < matching.length) body.payload.NextToken = encodeToken({ ...query, offset: query.offset + query.max });
    return body;
  });

  app.get<{ Params: { orderId: string } }>('/orders/v0/orders/:orderId/orderItems', async (req, reply) => {
    if (!guard(state, req, reply, 'getOrderItems')) return reply;
    const order = state.orders.get(req.params.orderId);
    if (!order) return spError(reply, 404, 'NotFound', `Order ${req.params.orderId} not found.`);
    const body: GetOrderItemsResponse = { payload: { AmazonOrderId: order.AmazonOrderId, OrderItems: order.items.map((i) => ({ ...i })) } };
    return body;
  });

  app.post<{ Querystring: { max?: string } }>('/_sandbox/sqs/receive', async (req) => {
    const max = Math.min(10, Math.max(1, Number(req.query.max ?? 10) || 10));
    return { messages: state.receive(max) };
  });
  app.post('/_sandbox/sqs/delete', async (req, reply) => {
    const { receiptHandle } = (req.body ?? {}) as { receiptHandle?: string };
    if (!receiptHandle || !state.deleteMessage(receiptHandle)) return reply.code(400).send({ error: 'ReceiptHandleIsInvalid' });
    return { deleted: true };
  });
  app.post<{ Params: { orderId: string } }>('/_sandbox/orders/:orderId/status', async (req, reply) => {
    const { status } = (req.body ?? {}) as { status?: OrderStatus };
    if (!status || !transitionOrder(state, req.params.orderId, status)) return reply.code(409).send({ error: 'cannot move the order to that status' });
    return { ok: true };
  });
}
