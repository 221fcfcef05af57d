/**
 * The OpenAPI description of a channel's webhook route. Documentation only: the body is the
 * channel's own JSON, checked by its signature header (not by a schema), and the answers are
 * what the channel's retry logic reads (2xx: done; anything else: deliver again).
 */
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../schemas/api';

const Answer = Type.Object({ ok: Type.Boolean() }, { additionalProperties: true });

export function webhookSchema(channel: string, signatureHeader: string) {
  return {
    tags: ['webhooks'],
    summary: `${channel} order webhook`,
    description: `Signed by ${channel} with ${signatureHeader} (HMAC-SHA256 of the raw body, base64). The body is ${channel}'s own order JSON.`,
    response: {
      200: Answer,
      400: ErrorBody,
      401: ErrorBody,
      500: ErrorBody,
      503: ErrorBody,
    },
  };
}
