/**
 * The one place where schema-checker errors become sentences a person can act on, e.g.
 * "/lines/0/qty must be a whole number from 1 to 1,000,000 — send the quantity in units".
 * Every validation failure (event bodies, query strings, path parameters) passes through here.
 */
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { ValidationError } from '../errors';

/** Where the checked value came from; names the subject of the sentence. */
export type Part = 'body' | 'querystring' | 'params' | 'headers';

/**
 * Keys a schema may carry to name its values and the remedy itself, for a field whose name means
 * something else elsewhere (a dead letter's `id` is not an event's `id`). They win over EXPECTED
 * and ADVICE.
 */
export const OWN_EXPECTED = 'x-expected';
export const OWN_ADVICE = 'x-advice';

/**
 * The longest dead-letter id (propagation/dead-letters.ts deadLetterId, base64url of
 * "<channel>\n<sku>"): a 32-character channel id, "\n" and 100 SKU characters of up to 3 UTF-8
 * bytes each are 333 bytes, 444 characters.
 */
export const DEAD_LETTER_ID_MAX_LENGTH = Math.ceil(((32 + 1 + 100 * 3) * 4) / 3);
export const DEAD_LETTER_ID = {
  expected: `a dead-letter id: 1–${DEAD_LETTER_ID_MAX_LENGTH} characters of A-Z a-z 0-9 _ -`,
  advice: 'copy the id field of a letter listed by GET /v1/dead-letters',
};

/** Noun phrases for fields whose schema alone would describe them poorly (patterns). */
const EXPECTED: Record<string, string> = {
  id: 'a string of 1–128 characters of A-Z a-z 0-9 . _ : -',
  reservationId: 'a string of 1–128 characters of A-Z a-z 0-9 . _ : -',
  orderId: 'a string of 1–128 characters of A-Z a-z 0-9 . _ : # / -',
  sku: 'a string of 1–100 characters without control characters or leading or trailing spaces',
  source: 'a lower-case channel id such as woocommerce, shopify, amazon, flipkart or manual',
  tenant: 'a tenant id of lower-case letters, digits, _ or - (at most 63 characters)',
  cursor: 'the nextCursor value of the previous page',
};

/** What to do about it, by field name. */
const ADVICE: Record<string, string> = {
  qty: 'send the quantity in units',
  id: 'use a key that stays the same when the same event is resent',
  occurredAt: 'send when it happened, such as 2026-11-23T10:15:00Z',
  from: 'send an RFC 3339 time such as 2026-11-23T10:15:00Z or milliseconds since 1970',
  to: 'send an RFC 3339 time such as 2026-11-23T10:15:00Z or milliseconds since 1970',
  lines: 'list each product as {"sku": "…", "qty": 1}',
  ttlSeconds: 'say how long to hold the units, in seconds (900 when left out)',
  set: 'send the absolute count after the correction',
  delta: 'send the change, positive or negative',
  expectedVersion: 'send the version you last read, or leave it out',
  reason: 'say why in a few words',
  limit: 'ask for fewer items per page and follow nextCursor',
  cursor: 'pass nextCursor from the previous page unchanged',
};

const n = (v: number) => v.toLocaleString('en-US');

/** " from 1 to 500", " of at least 1", " of at most 9" (numbers); counts read " of 1 to 500 lines". */
function range(lo: unknown, hi: unknown, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  const lead = unit ? ' of' : ' from';
  if (typeof lo === 'number' && typeof hi === 'number') return `${lead} ${n(lo)} to ${n(hi)}${u}`;
  if (typeof lo === 'number') return ` of at least ${n(lo)}${u}`;
  if (typeof hi === 'number') return ` of at most ${n(hi)}${u}`;
  return '';
}

/** A noun phrase for the values a schema accepts. */
export function expected(schema: TSchema | undefined, field?: string): string {
  if (typeof schema?.[OWN_EXPECTED] === 'string') return schema[OWN_EXPECTED] as string;
  if (field && Object.hasOwn(EXPECTED, field)) return EXPECTED[field]!;
  if (!schema) return 'a valid value';
  if (schema.const !== undefined) return `exactly ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.anyOf)) {
    const consts = schema.anyOf.map((s: TSchema) => s.const);
    if (consts.every((c: unknown) => c !== undefined)) return `one of ${consts.map((c: unknown) => JSON.stringify(c)).join(', ')}`;
    return schema.description ? `${schema.description}` : schema.anyOf.map((s: TSchema) => expected(s)).join(' or ');
  }
  switch (schema.type) {
    case 'integer':
      return `a whole number${range(schema.minimum ?? schema.exclusiveMinimum, schema.maximum ?? schema.exclusiveMaximum)}`;
    case 'number':
      return `a number${range(schema.minimum, schema.maximum)}`;
    case 'boolean':
      return 'true or false';
    case 'array': {
      const what = field === 'lines' ? 'lines' : field === 'events' ? 'events' : 'items';
      return `a list${range(schema.minItems, schema.maxItems, what) || ` of ${what}`}`;
    }
    case 'object':
      return 'a JSON object';
    case 'string':
      if (schema.format === 'date-time') return 'an RFC 3339 time with a time zone';
      if (schema.minLength === 1 && schema.maxLength === undefined && !schema.pattern) return 'a non-empty string';
      return `a string${range(schema.minLength, schema.maxLength, 'characters')}${schema.pattern ? ` matching ${schema.pattern}` : ''}`;
    default:
      return schema.description ?? 'a valid value';
  }
}

function fieldOf(pointer: string): string | undefined {
  const last = pointer.split('/').pop();
  return last && !/^\d+$/.test(last) ? last.replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
}

function subject(pointer: string, part: Part): string {
  const name = pointer.replace(/^\//, '');
  if (part === 'querystring') return `Query parameter ${name || '(query string)'}`;
  if (part === 'params') return `Path parameter ${name}`;
  if (part === 'headers') return `Header ${name}`;
  return pointer === '' ? 'The body' : pointer;
}

function withAdvice(sentence: string, field: string | undefined, schema?: TSchema): string {
  const own = schema?.[OWN_ADVICE];
  const advice = typeof own === 'string' ? own : field && Object.hasOwn(ADVICE, field) ? ADVICE[field] : undefined;
  return advice ? `${sentence} — ${advice}` : sentence;
}

/**
 * Fastify's router refuses a path part longer than its maxParamLength before any route is chosen;
 * the sentence names what that part is by the path (a SKU unless the path says otherwise).
 */
export function tooLongPathPart(path: string): string {
  const [what, advice] = path.startsWith('/v1/dead-letters/')
    ? [`a dead-letter id has at most ${DEAD_LETTER_ID_MAX_LENGTH} characters`, DEAD_LETTER_ID.advice]
    : path.startsWith('/v1/rules/channels/')
      ? ['a channel id has at most 32 characters', 'check the URL']
      : ['a SKU has at most 100 characters', 'check the URL'];
  return `A part of the path is too long (${what}) — ${advice}`;
}

/** What an object is called in "… is not a field of <owner>". */
function ownerName(parent: TSchema, pointer: string): string {
  const props = parent.properties as Record<string, TSchema> | undefined;
  const type = props?.type?.const;
  if (typeof type === 'string') return `a ${type} event`;
  if (/\/lines\/\d+\/[^/]+$/.test(pointer)) return 'a line';
  return 'this object';
}

/**
 * Turns one checker error into a ValidationError (400, code invalid_request) whose message
 * names the pointer, what is expected, and what to do.
 */
export function toValidationError(error: Pick<ValueError, 'type' | 'path' | 'schema' | 'value'>, part: Part, prefix = ''): ValidationError {
  const pointer = `${prefix}${error.path}`;
  const field = fieldOf(error.path);
  const who = subject(pointer, part);
  const schema = error.schema as TSchema;
  let sentence: string;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      sentence = withAdvice(`${who} is missing; it must be ${expected(schema, field)}`, field, schema);
      break;
    case ValueErrorType.ObjectAdditionalProperties: {
      const allowed = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
      sentence =
        part === 'querystring'
          ? `${who} is not a known parameter — remove it; known: ${allowed.join(', ')}`
          : `${who} is not a field of ${ownerName(schema, pointer)} — remove it; allowed: ${allowed.join(', ')}`;
      break;
    }
    default:
      sentence = /\/lines\/\d+$/.test(pointer)
        ? `${who} must be a line such as {"sku": "M-1", "qty": 1}`
        : withAdvice(`${who} must be ${expected(schema, field)}`, field, schema);
  }
  return new ValidationError(sentence, pointer);
}

/**
 * A channel filter (the `channel` field of a query or body) must name a channel there is: a typo
 * would otherwise list or retry nothing and say so with a 200. 400 naming the field and the
 * channels, e.g. 'Query parameter channel "ebay" is not a known channel — use one of woocommerce, …'.
 */
export function checkChannelFilter(channel: string | undefined, known: readonly string[], part: Part): void {
  if (channel === undefined || known.includes(channel)) return;
  const choice = known.length ? `use one of ${known.join(', ')}` : 'no channel is configured';
  throw new ValidationError(`${subject('/channel', part)} ${JSON.stringify(channel)} is not a known channel — ${choice} (or leave it out for every channel)`, '/channel');
}

/** A sentence for a rule the schema cannot express (exactly one of set/delta, …). */
export function ruleViolation(pointer: string, sentence: string): ValidationError {
  return new ValidationError(`${pointer || 'The body'} ${sentence}`, pointer);
}
