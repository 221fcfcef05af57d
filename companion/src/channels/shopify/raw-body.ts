/**
 * Webhook signatures are computed over the exact bytes the sender wrote, so receivers need the
 * raw body. Inside an encapsulated Fastify scope this replaces the body parsers with one that
 * keeps the bytes (`request.rawBody`) and parses JSON or form bodies from them; the rest of the
 * app keeps its own parsers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Same declaration as http/raw-body.ts (the app's own JSON parser keeps the bytes too). */
    rawBody?: Buffer;
  }
}

export function keepRawBody(scope: FastifyInstance, bodyLimit = 5 * 1024 * 1024): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    const type = String(request.headers['content-type'] ?? '');
    if (raw.length === 0) return done(null, undefined);
    if (type.includes('application/x-www-form-urlencoded')) {
      return done(null, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
    }
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      // Not JSON: handlers decide (a signed but unparsable body is still refused by them).
      done(null, undefined);
    }
  });
}

export function rawBodyOf(request: FastifyRequest): Buffer {
  return request.rawBody ?? Buffer.alloc(0);
}
