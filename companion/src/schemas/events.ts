/**
 * The event contract at the edge (shared/design.md "Events"). These TypeBox schemas are the
 * single source of the event types: TypeScript types come from Static<>, the HTTP layer
 * validates with them, and the OpenAPI document is generated from them.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const EVENT_TYPES = [
  'stock.reserved',
  'stock.released',
  'order.confirmed',
  'order.cancelled',
  'stock.shipped',
  'stock.received',
  'stock.adjusted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Sources whose orders are facts that already happened elsewhere (recorded even if they oversell). */
export const STORE_SOURCES = ['woocommerce', 'manual'] as const;
/** The sources every companion accepts; a configured channel id (wiring's modules) is added to them. */
export const BUILT_IN_SOURCES = [...STORE_SOURCES, 'shopify', 'amazon', 'flipkart'] as const;

export const EventId = Type.String({
  pattern: '^[A-Za-z0-9._:-]{1,128}$',
  description: 'Idempotency key: 1–128 characters of A-Z a-z 0-9 . _ : -',
});
export const OrderId = Type.String({ pattern: '^[A-Za-z0-9._:#/-]{1,128}$', description: 'Channel order id' });
export const ReservationId = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$' });
export const Sku = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\s\\x00-\\x1f](?:[^\\x00-\\x1f]*[^\\s\\x00-\\x1f])?$',
  description: 'Product SKU: 1–100 characters, no control characters, no leading or trailing spaces',
});
export const Source = Type.String({
  pattern: '^[a-z][a-z0-9_-]{0,31}$',
  description: 'woocommerce, shopify, amazon, flipkart, manual, or a configured channel id',
});
export const Tenant = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' });
export const Quantity = Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Whole units, at least 1' });
export const Line = Type.Object({ sku: Sku, qty: Quantity }, { additionalProperties: false });
export const Lines = Type.Array(Line, { minItems: 1, maxItems: 500 });

const base = {
  id: EventId,
  source: Source,
  occurredAt: Type.String({ format: 'date-time', description: 'RFC 3339 timestamp' }),
  tenant: Type.Optional(Tenant),
};

export const StockReserved = Type.Object(
  {
    ...base,
    type: Type.Literal('stock.reserved'),
    reservationId: ReservationId,
    lines: Lines,
    // Required, as design.md's table lists it (a hold with no end the owner did not choose is a leak).
    ttlSeconds: Type.Integer({ minimum: 1, maximum: 604_800, description: 'Seconds the hold lasts; the sweeper releases it (reason expired) within 1 s after' }),
  },
  { additionalProperties: false },
);
export const StockReleased = Type.Object(
  {
    ...base,
    type: Type.Literal('stock.released'),
    reservationId: ReservationId,
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const OrderConfirmed = Type.Object(
  {
    ...base,
    type: Type.Literal('order.confirmed'),
    orderId: OrderId,
    lines: Lines,
    reservationId: Type.Optional(ReservationId),
    backorder: Type.Optional(
      Type.Boolean({
        description:
          'true: the store has taken this order whatever the stock (a WooCommerce product that allows backorders, or an order made in wp-admin or through the REST API, which no checkout guard saw), so it is recorded even when short, as a marketplace order is: a SKU left below 0 opens an oversell incident and is paused until stock returns. Without it a woocommerce or manual order that would oversell is refused insufficient_stock.',
      }),
    ),
  },
  { additionalProperties: false },
);
export const OrderCancelled = Type.Object(
  { ...base, type: Type.Literal('order.cancelled'), orderId: OrderId, reason: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
export const StockShipped = Type.Object(
  { ...base, type: Type.Literal('stock.shipped'), orderId: OrderId, lines: Type.Optional(Lines) },
  { additionalProperties: false },
);
export const StockReceived = Type.Object(
  { ...base, type: Type.Literal('stock.received'), sku: Sku, qty: Quantity },
  { additionalProperties: false },
);
/**
 * Exactly one of `set` (absolute, ≥ 0) or `delta` (non-zero); the HTTP layer enforces "exactly one".
 * `basis` says what a `set` counts: `onHand` (default) or `available` (what is free to sell, the
 * way WooCommerce's stock field counts: its paid, unshipped orders are already off it).
 */
export const StockAdjusted = Type.Object(
  {
    ...base,
    type: Type.Literal('stock.adjusted'),
    sku: Sku,
    set: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    delta: Type.Optional(Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000, not: { const: 0 } })),
    reason: Type.String({ minLength: 1, maxLength: 200 }),
    expectedVersion: Type.Optional(Type.Integer({ minimum: 0 })),
    basis: Type.Optional(
      Type.Union([Type.Literal('onHand'), Type.Literal('available')], {
        description:
          "What set counts: 'onHand' (the default: every unit held, sold or not) or 'available' (units free to sell: onHand becomes set + committed + reserved, as the ledger stands when it applies the event)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const EventSchemas = {
  'stock.reserved': StockReserved,
  'stock.released': StockReleased,
  'order.confirmed': OrderConfirmed,
  'order.cancelled': OrderCancelled,
  'stock.shipped': StockShipped,
  'stock.received': StockReceived,
  'stock.adjusted': StockAdjusted,
} satisfies Record<EventType, TSchema>;

export const StockEvent = Type.Union(Object.values(EventSchemas));
export type StockEvent = Static<typeof StockEvent>;
export type StockReservedEvent = Static<typeof StockReserved>;
export type StockReleasedEvent = Static<typeof StockReleased>;
export type OrderConfirmedEvent = Static<typeof OrderConfirmed>;
export type OrderCancelledEvent = Static<typeof OrderCancelled>;
export type StockShippedEvent = Static<typeof StockShipped>;
export type StockReceivedEvent = Static<typeof StockReceived>;
export type StockAdjustedEvent = Static<typeof StockAdjusted>;

export const MAX_BATCH_EVENTS = 500;
export const EventBatch = Type.Object(
  { events: Type.Array(StockEvent, { minItems: 1, maxItems: MAX_BATCH_EVENTS }) },
  { additionalProperties: false },
);

/**
 * ms since 1970 of an event time (RFC 3339, checked by the schema), NaN if it is not one. A leap
 * second (…:60, which RFC 3339 allows and Date.parse does not) counts as the minute's last ms.
 */
export function eventTimeMs(occurredAt: string): number {
  return Date.parse(occurredAt.replace(/:60(?:\.\d+)?(?=[Zz+-])/, ':59.999'));
}
