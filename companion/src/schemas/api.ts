/**
 * HTTP-only schemas: error bodies, query strings, path parameters and paged responses. The
 * ledger's own shapes live in stock.ts and the event contract in events.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { EVENT_TYPES, EventBatch, Sku, StockEvent, Tenant } from './events';
import { AuditEntry, EventResult, Incident, StockState } from './stock';

export const ErrorBody = Type.Object({
  code: Type.String({ description: 'Stable machine code, e.g. invalid_request, unauthorized, payload_too_large, not_found, unknown_sku (a SKU the ledger has never seen)' }),
  message: Type.String({ description: 'A sentence a person can act on' }),
  pointer: Type.Optional(Type.String({ description: 'JSON pointer of the bad field ("" = the whole body)' })),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ErrorBody = Static<typeof ErrorBody>;

const TenantQuery = { tenant: Type.Optional(Tenant) };
const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Items per page (1–500, default 50)' });
const Cursor = Type.String({ minLength: 1, maxLength: 512, description: 'nextCursor from the previous page' });

export const TenantOnlyQuery = Type.Object(TenantQuery, { additionalProperties: false });
export type TenantOnlyQuery = Static<typeof TenantOnlyQuery>;

export const SkuParams = Type.Object({ sku: Sku });
export type SkuParams = Static<typeof SkuParams>;

export const StockListQuery = Type.Object(
  { ...TenantQuery, prefix: Type.Optional(Type.String({ maxLength: 100 })), cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) },
  { additionalProperties: false },
);
export type StockListQuery = Static<typeof StockListQuery>;
export const StockPage = Type.Object({
  items: Type.Array(StockState),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Optional(Type.Integer({ minimum: 0, description: 'SKUs matching the prefix (all pages)' })),
});

/** RFC 3339 time or milliseconds since 1970. */
const instant = (description = 'an RFC 3339 time or milliseconds since 1970') =>
  Type.Union([Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000 }), Type.String({ format: 'date-time' })], { description });

/** Every type an audit entry can have: the ledger's events, pause/relist, and propagation's channel entries. */
export const AUDIT_TYPES = [...EVENT_TYPES, 'stock.paused', 'stock.relisted', 'channel.push', 'channel.ack', 'channel.failed'] as const;

export const AuditQuery = Type.Object(
  {
    ...TenantQuery,
    sku: Type.Optional(Sku),
    orderId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "The order's whole id (flipkart:OD123), or the part after its channel or store prefix (OD123, 4086 or #4086)",
      }),
    ),
    type: Type.Optional(
      Type.Union(
        AUDIT_TYPES.map((t) => Type.Literal(t)),
        { description: 'Event type (stock.reserved …), stock.paused|relisted or channel.push|ack|failed' },
      ),
    ),
    channel: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: "The channel's own entries (channel.push|ack|failed) and the events that came from it (source, e.g. its orders)" }),
    ),
    from: Type.Optional(instant('an RFC 3339 time or milliseconds since 1970: entries the ledger recorded at or after it')),
    to: Type.Optional(instant('an RFC 3339 time or milliseconds since 1970: entries the ledger recorded at or before it')),
    cursor: Type.Optional(
      Type.String({ pattern: '^\\d{1,20}-\\d{1,20}$', description: 'nextCursor from the previous page (an audit entry id)' }),
    ),
    limit: Type.Optional(Limit),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'desc (newest first) by default' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;
export const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description:
      'Where the next page starts; null at the end. One request examines at most 10,000 entries, so a filtered page can hold fewer items than `limit`, even none, while nextCursor is set: follow it until it is null.',
  }),
});

export const IncidentsQuery = Type.Object(
  {
    ...TenantQuery,
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
    cursor: Type.Optional(Type.String({ pattern: '^inc-[1-9][0-9]{0,14}$', description: 'nextCursor from the previous page (an incident id)' })),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type IncidentsQuery = Static<typeof IncidentsQuery>;
export const IncidentList = Type.Object({ items: Type.Array(Incident), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** Optional body of pause/relist (may be left out); the tenant comes from the query string like every admin call. */
export const PauseBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Why, for the audit trail' })) },
  // Read by http/validator.ts: the whole body may be left out.
  { additionalProperties: false, 'x-optional-body': true },
);
export type PauseBody = Static<typeof PauseBody>;

export const Availability = Type.Object({
  sku: Type.String(),
  /** Units that can be sold now: max(0, available), 0 while paused. */
  available: Type.Integer({ minimum: 0 }),
  /** When the ledger last changed this SKU (RFC 3339): how fresh `available` is. */
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the ledger last changed this SKU (RFC 3339): the count is as fresh as this (null only if the ledger holds no time for it)',
  }),
  /** When this answer was read from the ledger (RFC 3339). */
  asOf: Type.String({ format: 'date-time', description: 'When this answer was read from the ledger (RFC 3339)' }),
});

/** Documentation only: POST /v1/events is validated event by event (http/events-body.ts). */
export const EventsRequest = Type.Union([StockEvent, EventBatch]);
export const BatchResults = Type.Object({ results: Type.Array(EventResult) });

export const Health = Type.Object({ status: Type.Literal('ok') });
export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({ redis: Type.Boolean(), ledger: Type.Boolean() }),
});
