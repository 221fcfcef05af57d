/**
 * Admin reads and admin calls carry `Authorization: Bearer <admin token>`. Used as an
 * onRequest hook, so an unauthenticated caller is refused before its body is even parsed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { UnauthorizedError } from '../errors';

// Hashing both sides gives equal-length buffers, so the compare time says nothing about length.
const digest = (s: string) => createHash('sha256').update(s).digest();

/** OpenAPI `security` of every admin route (scheme declared in openapi.ts). */
export const ADMIN = [{ adminToken: [] as string[] }];

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireAdmin(adminToken: string): onRequestHookHandler {
  const expected = adminToken;
  return async function adminAuth(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      reply.header('www-authenticate', 'Bearer realm="stockline"');
      throw new UnauthorizedError('Authorization is missing — send Authorization: Bearer <admin token>');
    }
    if (!tokenMatches(m[1]!, expected)) {
      reply.header('www-authenticate', 'Bearer realm="stockline", error="invalid_token"');
      throw new UnauthorizedError('The admin token is not valid — use the STOCKLINE_ADMIN_TOKEN configured on the companion');
    }
  };
}
