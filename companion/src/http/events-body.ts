/**
 * Reads the body of POST /v1/events: one event, or `{ events: [...] }` of up to 500.
 *
 * Each event is checked against its own type's schema (not the union of all types), so the
 * pointer names the exact bad field (`/events/3/lines/0/qty`) instead of "matches no variant".
 *
 * Batch policy: bad input changes nothing. If any event of a batch is malformed the whole
 * request is answered 400 naming the first bad pointer (and, when there are several, every bad
 * event's in details.problems, up to 50) and no event is applied; business
 * refusals (insufficient stock, stale, conflict, unknown order/reservation) are judged per
 * event by the ledger and come back as per-event results.
 */
import { EVENT_TYPES, EventSchemas, MAX_BATCH_EVENTS, Tenant, eventTimeMs, type EventType, type StockEvent } from '../schemas/events';
import { ValidationError } from '../errors';
import { BodyError } from './body-error';
import { UnparsedJson } from './raw-body';
import { ruleViolation, toValidationError } from './messages';
import { compile } from './validator';

export const DEFAULT_TENANT = 'default';
/** How many bad events a 400 lists (details.problems). */
const MAX_PROBLEMS = 50;

export interface EventsBody {
  events: StockEvent[];
  batch: boolean;
  tenant: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isBatch = (body: unknown): body is { events: unknown } => isObject(body) && 'events' in body && !('type' in body);

const TENANT_NAME = new RegExp(Tenant.pattern!);

/**
 * The tenant whose secret must have signed this body: the (first) event's `tenant`, or
 * `default`. Read before validation because the signature is checked first. A `tenant` that is
 * not a tenant name (no secret can exist for it) counts as `default`, so a request signed with
 * the default secret gets the 400 naming `/tenant` from validation, not a 401 about a secret.
 */
export function signingTenant(body: unknown): string {
  const first = isBatch(body) ? (Array.isArray(body.events) ? body.events[0] : undefined) : body;
  const tenant = isObject(first) ? first.tenant : undefined;
  return typeof tenant === 'string' && TENANT_NAME.test(tenant) ? tenant : DEFAULT_TENANT;
}

/** What the edge holds an event to beyond its schema. */
export interface EdgeRules {
  /** How far ahead of this companion's clock an event's occurredAt may be (the sender's clock skew). */
  nowMs: number;
  maxAheadMs: number;
  /** The sources this companion knows: the built-in ones and its configured channels. */
  sources: ReadonlySet<string>;
}

function checkEvent(value: unknown, prefix: string, rules: EdgeRules): StockEvent {
  if (!isObject(value)) throw ruleViolation(prefix, 'must be a JSON object describing one event (id, type, source, occurredAt, …)');
  const type = value.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    throw ruleViolation(`${prefix}/type`, `must be one of ${EVENT_TYPES.join(', ')} — it names what happened`);
  }
  const schema = EventSchemas[type as EventType];
  const check = compile(schema);
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    if (first) throw toValidationError(first, 'body', prefix);
  }
  if (type === 'stock.adjusted') {
    const hasSet = value.set !== undefined;
    const hasDelta = value.delta !== undefined;
    if (hasSet && hasDelta)
      throw ruleViolation(
        `${prefix}/delta`,
        'cannot be sent together with set — send set (the absolute count) or delta (the change), not both',
      );
    if (!hasSet && !hasDelta)
      throw ruleViolation(`${prefix}/set`, 'is missing — a stock.adjusted event needs set (the absolute count) or delta (the change)');
    if (value.basis !== undefined && !hasSet)
      throw ruleViolation(`${prefix}/basis`, 'goes with set only — a delta is the same change whatever it counts; leave basis out');
    // The schema's `not: { const: 0 }` is JSON Schema the TypeBox checker does not enforce.
    if (value.delta === 0) throw ruleViolation(`${prefix}/delta`, 'must not be 0 — send a non-zero change, or leave the event out');
  }
  if (!rules.sources.has(value.source as string)) {
    throw ruleViolation(`${prefix}/source`, `names no channel this companion knows — send one of ${[...rules.sources].join(', ')}`);
  }
  // A count dated in the future would make every later receipt and adjustment of its SKU look
  // older than it, so stale, until that date: a sender's wrong clock must not freeze a SKU.
  const ahead = eventTimeMs(value.occurredAt as string) - rules.nowMs;
  if (ahead > rules.maxAheadMs) {
    throw ruleViolation(
      `${prefix}/occurredAt`,
      `is ${Math.round(ahead / 1000)} s ahead of the companion's clock (at most ${rules.maxAheadMs / 1000} s allowed) — send when it happened and check the sender's clock`,
    );
  }
  return value as StockEvent;
}

/** Validates the whole body or throws the first problem (400) / an oversize batch (413). */
export function readEventsBody(body: unknown, rules: EdgeRules): EventsBody {
  if (body instanceof UnparsedJson) throw body.error;
  if (body === undefined || (typeof body === 'string' && body.trim() === '')) {
    throw ruleViolation('', 'is empty — send one event as a JSON object, or {"events": [...]}');
  }
  if (body === null) throw ruleViolation('', 'is null — send one event as a JSON object, or {"events": [...]}');
  if (!isBatch(body)) {
    const event = checkEvent(body, '', rules);
    return { events: [event], batch: false, tenant: event.tenant ?? DEFAULT_TENANT };
  }
  const extra = Object.keys(body).find((k) => k !== 'events');
  if (extra !== undefined) throw ruleViolation(`/${extra}`, 'is not a field of a batch — a batch is {"events": [...]} only');
  const list = body.events;
  if (!Array.isArray(list)) throw ruleViolation('/events', 'must be a list of events');
  if (list.length === 0) throw ruleViolation('/events', 'is empty — send at least one event');
  if (list.length > MAX_BATCH_EVENTS) {
    throw new BodyError(
      `/events holds ${list.length} events; send at most ${MAX_BATCH_EVENTS} per request and split the rest into further batches`,
      'payload_too_large',
      413,
      '/events',
    );
  }
  // Every bad event is named (details.problems), not only the first: a sender fixing a batch with
  // five bad events needed five round trips (chaos pass 27). The answer's pointer is the first's.
  const events: StockEvent[] = [];
  const problems: { pointer: string; message: string }[] = [];
  list.forEach((e, i) => {
    try {
      events.push(checkEvent(e, `/events/${i}`, rules));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push({ pointer: err.pointer, message: err.message });
    }
  });
  if (problems.length) {
    const [first] = problems;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more bad event${problems.length > 2 ? 's' : ''}: details.problems lists every one)` : '';
    throw new ValidationError(`${first!.message}${more}`, first!.pointer, problems.length > 1 ? { problems: problems.slice(0, MAX_PROBLEMS) } : undefined);
  }
  const tenant = events[0]!.tenant ?? DEFAULT_TENANT;
  const other = events.findIndex((e) => (e.tenant ?? DEFAULT_TENANT) !== tenant);
  if (other >= 0) {
    throw ruleViolation(
      `/events/${other}/tenant`,
      `must be the same for every event of a batch ("${tenant}", as the first) — send one batch per tenant`,
    );
  }
  return { events, batch: true, tenant };
}
