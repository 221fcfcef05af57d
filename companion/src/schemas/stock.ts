/** Ledger state and per-event results as the API returns them. */
import { Type, type Static } from '@sinclair/typebox';
import { Sku } from './events';

export const StockState = Type.Object({
  sku: Sku,
  onHand: Type.Integer(),
  committed: Type.Integer(),
  reserved: Type.Integer(),
  /** onHand − committed − reserved; computed, never stored. Negative only after a marketplace oversell. */
  available: Type.Integer(),
  version: Type.Integer({ minimum: 0 }),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Why the SKU shows 0 on every channel: 'oversell' (until stock returns) or 'manual'; null when selling. */
  paused: Type.Union([Type.Literal('oversell'), Type.Literal('manual'), Type.Null()]),
});
export type StockState = Static<typeof StockState>;

export const EventStatus = Type.Union([Type.Literal('applied'), Type.Literal('duplicate'), Type.Literal('refused')]);

export const EventResult = Type.Object({
  id: Type.String(),
  status: EventStatus,
  /** Refusal code when status is 'refused' (insufficient_stock, stale_event, version_conflict, unknown_reservation, unknown_order, unknown_sku). */
  code: Type.Optional(
    Type.String({ description: 'When refused: insufficient_stock, stale_event, version_conflict, unknown_reservation, unknown_order or unknown_sku' }),
  ),
  message: Type.Optional(Type.String({ description: 'A sentence a person can act on' })),
  /** e.g. { shortages: [{ sku, requested, available }] } for insufficient_stock. */
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Ledger state of every SKU the event touched, after it (or now, when refused). */
  stock: Type.Array(StockState),
  /** Set when a marketplace order was recorded although it oversold. */
  incidentId: Type.Optional(Type.String()),
});
export type EventResult = Static<typeof EventResult>;

export const AuditEntry = Type.Object({
  /** Redis stream id; also the paging cursor. */
  id: Type.String(),
  /** Event type (stock.reserved …) or a channel entry: channel.push, channel.ack, channel.failed. */
  type: Type.String(),
  eventId: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  channel: Type.Optional(Type.String()),
  orderId: Type.Optional(Type.String()),
  reservationId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  occurredAt: Type.Optional(Type.String()),
  /** When the ledger applied it (RFC 3339). */
  at: Type.String(),
  /** Per SKU: quantities before and after the change. */
  lines: Type.Array(
    Type.Object({
      sku: Type.String(),
      qty: Type.Optional(Type.Integer()),
      before: Type.Optional(Type.Object({ onHand: Type.Integer(), committed: Type.Integer(), reserved: Type.Integer() })),
      after: Type.Optional(Type.Object({ onHand: Type.Integer(), committed: Type.Integer(), reserved: Type.Integer() })),
      version: Type.Optional(Type.Integer()),
      quantity: Type.Optional(Type.Integer()),
      /** Pause flag after the change ('oversell' | 'manual' | null) when the change set or cleared it. */
      paused: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    }),
  ),
  /** Oversell incidents this change opened, recorded an order on, or resolved. */
  incidents: Type.Optional(
    Type.Object({
      opened: Type.Optional(Type.Array(Type.String())),
      recorded: Type.Optional(Type.Array(Type.String())),
      resolved: Type.Optional(Type.Array(Type.String())),
    }),
  ),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const Incident = Type.Object({
  id: Type.String(),
  kind: Type.Literal('oversell'),
  sku: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
  /** Units sold beyond what was available (orders that converted their own hold add none). */
  oversoldUnits: Type.Integer(),
  orders: Type.Array(
    Type.Object({
      orderId: Type.String(),
      source: Type.String(),
      qty: Type.Integer(),
      backorder: Type.Optional(Type.Boolean({ description: 'true: a store order taken on backorder (order.confirmed backorder: true)' })),
      cancelled: Type.Optional(Type.Boolean({ description: 'true: the order was cancelled while the incident was open' })),
    }),
  ),
  openedAt: Type.String(),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
});
export type Incident = Static<typeof Incident>;
