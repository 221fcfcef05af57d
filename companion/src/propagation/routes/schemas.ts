/**
 * Schemas of propagation's routes (dead letters, sync, rules, mapping). They would sit in
 * schemas/ with the others; they live here until the lead moves them (schemas/* is shared).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CHANNEL_IDS } from '../../config';
import { DEAD_LETTER_ID, DEAD_LETTER_ID_MAX_LENGTH, OWN_ADVICE, OWN_EXPECTED } from '../../http/messages';
import { Sku } from '../../schemas/events';
import { StockState } from '../../schemas/stock';

export const Tenant = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' });
/** Well-formed here; the routes check that it names a channel there is. */
const ChannelId = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', description: `A channel id: ${CHANNEL_IDS.join(', ')}` });

export const DeadLetter = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  sku: Type.String(),
  error: Type.String(),
  code: Type.String(),
  attempts: Type.Integer(),
  firstFailedAt: Type.String(),
  lastFailedAt: Type.String(),
  retrying: Type.Optional(Type.Boolean()),
});

export const DeadLetterQuery = Type.Object(
  {
    tenant: Type.Optional(Tenant),
    channel: Type.Optional(ChannelId),
    sku: Type.Optional({ ...Sku, description: "Only this SKU's letters (one per channel; no paging)" }),
    cursor: Type.Optional(Type.String({ pattern: '^\\d{1,9}$', description: 'nextCursor from the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export type DeadLetterQuery = Static<typeof DeadLetterQuery>;
export const DeadLetterPage = Type.Object({ items: Type.Array(DeadLetter), nextCursor: Type.Union([Type.String(), Type.Null()]) });
/** A dead letter's id: its own phrase in a 400, as `id` alone would read as an event's id. */
export const IdParams = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: DEAD_LETTER_ID_MAX_LENGTH,
    pattern: '^[A-Za-z0-9_-]+$',
    description: "A dead letter's id (the id field of GET /v1/dead-letters)",
    [OWN_EXPECTED]: DEAD_LETTER_ID.expected,
    [OWN_ADVICE]: DEAD_LETTER_ID.advice,
  }),
});
export type IdParams = Static<typeof IdParams>;
export const TenantQuery = Type.Object({ tenant: Type.Optional(Tenant) }, { additionalProperties: false });
export type TenantQuery = Static<typeof TenantQuery>;
/** May be left out (http/validator.ts reads the marker): then every channel's letters are retried. */
export const RetryAllBody = Type.Object({ channel: Type.Optional(ChannelId) }, { additionalProperties: false, 'x-optional-body': true });
export type RetryAllBody = Static<typeof RetryAllBody>;
export const Retried = Type.Object({
  retried: Type.Integer(),
  notRunning: Type.Optional(
    Type.Integer({ description: 'Letters left as they are: their channel does not run in this companion (configure it, or discard them)' }),
  ),
});

export const SyncQuery = Type.Object(
  { tenant: Type.Optional(Tenant), skus: Type.String({ minLength: 1, maxLength: 10_000, description: 'Comma-separated SKUs (at most 500)' }) },
  { additionalProperties: false },
);
export type SyncQuery = Static<typeof SyncQuery>;
const LeadTimeMs = Type.Integer({
  minimum: 0,
  maximum: 3_600_000,
  description: 'How long the channel takes to show a push (ms): while stock is low, what the other channels are expected to sell meanwhile is held back from it. 0 turns it off.',
});
const MaxShownBeforeStop = Type.Integer({
  minimum: 1,
  maximum: 1_000_000_000,
  description: 'The maxShown this rule had before the admin page stopped the SKU here (maxShown 0); selling it here again puts it back. Not used to work out what is shown.',
});
export const Rule = Type.Object(
  {
    buffer: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Units held back from this channel' })),
    percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Share of what is left held back (0–100)' })),
    maxShown: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Never show more than this' })),
    leadTimeMs: Type.Optional(LeadTimeMs),
    maxShownBeforeStop: Type.Optional(MaxShownBeforeStop),
  },
  { additionalProperties: false },
);
export type RuleBody = Static<typeof Rule>;
export const SyncCell = Type.Object({
  shown: Type.Union([Type.Integer(), Type.Null()]),
  expected: Type.Integer(),
  /** Units `expected` holds back now for the channel's lead time (lead-time.ts); 0 mostly. */
  held: Type.Optional(Type.Integer({ minimum: 0, description: "Units held back now for the channel's lead time: what the other channels are expected to sell before it shows a push" })),
  at: Type.Union([Type.String(), Type.Null()]),
  matches: Type.Boolean(),
  skuRule: Type.Optional(Type.Composite([Rule], { description: 'The rule set for this SKU on this channel alone (PUT /v1/rules/skus/:sku with the channel); maxShown 0 stops selling it there' })),
});
export const OutOfStepQuery = Type.Object(
  {
    tenant: Type.Optional(Tenant),
    prefix: Type.Optional(Type.String({ maxLength: 100, description: 'Only SKUs starting with this' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 25 })),
  },
  { additionalProperties: false },
);
export type OutOfStepQuery = Static<typeof OutOfStepQuery>;
export const OutOfStepReport = Type.Object({
  items: Type.Array(Type.Object({ state: StockState, channels: Type.Record(Type.String(), SyncCell) })),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  scanned: Type.Integer({ minimum: 0, description: 'SKUs looked at by this request' }),
});
export const LiveCheckReport = Type.Object({
  sku: Type.String(),
  channels: Type.Record(
    Type.String(),
    Type.Object({
      shown: Type.Union([Type.Integer(), Type.Null()], { description: 'What the channel shows now, read from it; null: no listing' }),
      expected: Type.Integer({ description: 'What it should show' }),
      matches: Type.Boolean(),
      pushedAgain: Type.Boolean({ description: 'It differed: its number was taken as what it shows, and the SKU is pushed there again' }),
      error: Type.Optional(Type.String({ description: 'The channel could not be read; shown is then what Stockline last set' })),
    }),
  ),
});
export const SyncReport = Type.Object({
  items: Type.Array(Type.Object({ sku: Type.String(), channels: Type.Record(Type.String(), SyncCell) })),
});

export const SkuRuleBody = Type.Object(
  {
    channel: Type.Optional(ChannelId),
    buffer: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    maxShown: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    leadTimeMs: Type.Optional(LeadTimeMs),
    maxShownBeforeStop: Type.Optional(MaxShownBeforeStop),
  },
  { additionalProperties: false },
);
export type SkuRuleBody = Static<typeof SkuRuleBody>;
export const RulesReport = Type.Object({
  channels: Type.Record(Type.String(), Rule),
  skus: Type.Record(Type.String(), Type.Record(Type.String(), Rule)),
});
export const ChannelParams = Type.Object({ channel: ChannelId });
export type ChannelParams = Static<typeof ChannelParams>;
export const SkuParams = Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }) });
export type SkuParams = Static<typeof SkuParams>;

export const MappingReport = Type.Object({
  channels: Type.Record(Type.String(), Type.Object({ listed: Type.Integer(), notListed: Type.Array(Type.String()) })),
  checkedAt: Type.Union([Type.String(), Type.Null()], { description: 'When the last check that finished did' }),
  running: Type.Optional(
    Type.Object(
      { startedAt: Type.String(), checked: Type.Integer({ description: 'SKU × channel lookups done' }), total: Type.Integer({ description: 'Every ledger SKU on every channel' }) },
      { description: 'A check under way (absent when none runs)' },
    ),
  ),
  failed: Type.Optional(
    Type.Object(
      { channel: Type.Union([Type.String(), Type.Null()]), message: Type.String(), at: Type.String() },
      { description: 'Why the last check stopped; cleared when a check starts' },
    ),
  ),
});
