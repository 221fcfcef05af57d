/**
 * POST /v1/events — signed writes. One event → its EventResult (200 applied/duplicate, 409/404
 * when refused); `{ events: [...] }` → `{ results }` (200), each event judged alone by the
 * ledger. Malformed input is refused whole before anything is applied (see events-body.ts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import type { Ledger } from '../../ledger/types';
import { BatchResults, ErrorBody, EventsRequest } from '../../schemas/api';
import { EventResult } from '../../schemas/stock';
import { BUILT_IN_SOURCES } from '../../schemas/events';
import { BodyError } from '../body-error';
import { registerRawJsonBody } from '../raw-body';
import { readEventsBody, signingTenant } from '../events-body';
import { SIGNATURE_HEADER, verifySignature } from '../signature';

/** HTTP status of a single event's result; inside a batch every result is part of a 200. */
const REFUSAL_STATUS: Record<string, 404 | 409> = {
  insufficient_stock: 409,
  stale_event: 409,
  version_conflict: 409,
  unknown_reservation: 404,
  unknown_order: 404,
  unknown_sku: 404,
};

export function statusOf(result: EventResult): 200 | 404 | 409 {
  return result.status === 'refused' ? (REFUSAL_STATUS[result.code ?? ''] ?? 409) : 200;
}

export interface EventsRouteDeps {
  config: Pick<Config, 'tenants' | 'signatureToleranceSeconds'>;
  ledger: Ledger;
  /** Channel ids beyond the built-in sources that events may name as their source. */
  channels?: readonly string[];
  /** Told the ledger's result of every event received (metrics: stockline_event_results_total). */
  onResults?: (results: readonly EventResult[]) => void;
}

export function eventsRoutes({ config, ledger, channels = [], onResults }: EventsRouteDeps) {
  const sources = new Set<string>([...BUILT_IN_SOURCES, ...channels]);
  async function checkSignature(request: FastifyRequest) {
    if (request.body != null && request.rawBody === undefined) {
      throw new BodyError('Events must be sent as JSON — set Content-Type: application/json', 'unsupported_media_type', 415, '');
    }
    const tenant = signingTenant(request.body);
    verifySignature({
      header: request.headers[SIGNATURE_HEADER],
      rawBody: request.rawBody ?? Buffer.alloc(0),
      secret: Object.hasOwn(config.tenants, tenant) ? config.tenants[tenant]!.secret : undefined,
      tenant,
      toleranceSeconds: config.signatureToleranceSeconds,
    });
  }

  return async function routes(app: FastifyInstance) {
    // In this route's scope a body that is not JSON reaches checkSignature: a request nobody
    // signed is a 401 before anything about its body is said.
    registerRawJsonBody(app, { deferErrors: true });
    app.post(
      '/v1/events',
      {
        schema: {
          tags: ['events'],
          security: [{ signature: [] }],
          summary: 'Apply one event or a batch of up to 500',
          description:
            'Signed with X-Stockline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>. ' +
            'A malformed event anywhere in a batch refuses the whole request (400, nothing applied).',
          headers: Type.Object({ [SIGNATURE_HEADER]: Type.Optional(Type.String()) }),
          body: EventsRequest,
          response: {
            200: Type.Union([EventResult, BatchResults]),
            400: ErrorBody,
            401: ErrorBody,
            404: Type.Union([EventResult, ErrorBody]),
            409: Type.Union([EventResult, ErrorBody]),
            413: ErrorBody,
            415: ErrorBody,
          },
        },
        // Validated event by event in the handler, after the signature, for precise pointers.
        validatorCompiler: () => (value: unknown) => ({ value }),
        // The ledger's results are plain JSON already; a schema-driven serializer would have to
        // test every reply against the 200 union (one event | batch), which costs more than it saves.
        serializerCompiler: () => (data: unknown) => JSON.stringify(data),
        preValidation: checkSignature,
      },
      async (request, reply) => {
        const { events, batch } = readEventsBody(request.body, { nowMs: Date.now(), maxAheadMs: config.signatureToleranceSeconds * 1000, sources });
        if (batch) {
          const results = await ledger.applyBatch(events);
          onResults?.(results);
          return { results };
        }
        const result = await ledger.apply(events[0]!);
        onResults?.([result]);
        return reply.status(statusOf(result)).send(result);
      },
    );
  };
}
