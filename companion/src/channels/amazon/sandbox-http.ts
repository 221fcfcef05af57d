/**
 * What every SP-API route of the sandbox does before its own work, the way Amazon does it:
 * authentication (403, never 401), the per seller+app token bucket (429 QuotaExceeded with only
 * x-amzn-RequestId), and the x-amzn-RateLimit-Limit header on 200/400 answers.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AmazonSandboxState, Operation } from './sandbox-state';
import type { SpApiErrorBody } from './wire';

export function spError(reply: FastifyReply, status: number, code: string, message: string, details = ''): FastifyReply {
  const body: SpApiErrorBody = { errors: [{ code, message, details }] };
  return reply.code(status).header('content-type', 'application/json').send(body);
}

/**
 * Runs auth and throttling for one operation; false when it has already answered.
 * Order follows the gateway: missing token, bad token, then quota.
 */
export function guard(state: AmazonSandboxState, req: FastifyRequest, reply: FastifyReply, op: Operation): boolean {
  state.stats.calls += 1;
  reply.header('x-amzn-RequestId', randomUUID());
  const token = req.headers['x-amz-access-token'];
  if (typeof token !== 'string' || token === '') {
    reply.header('x-amzn-ErrorType', 'MissingAuthenticationTokenException');
    spError(reply, 403, 'MissingAuthenticationToken', 'Access to requested resource is denied.');
    return false;
  }
  if (!state.tokenValid(token)) {
    spError(reply, 403, 'Unauthorized', 'Access to requested resource is denied.', 'The access token you provided is revoked, malformed or invalid.');
    return false;
  }
  if (!state.take(op)) {
    state.stats.throttled += 1;
    spError(reply, 429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.');
    return false;
  }
  // Declared on 200 and 400 only; harmless to set here because 429/403 answered above. With
  // throttling off nothing is enforced, so nothing is declared: a client that follows the
  // declared rate (ours does) would otherwise pace itself to a limit that is not there.
  if (state.faults.throttling) reply.header('x-amzn-RateLimit-Limit', String(state.rateOf(op)));
  return true;
}

/** A seller id in the path that is not the token's seller: Amazon answers 403 Unauthorized. */
export function sellerMismatch(state: AmazonSandboxState, sellerId: string, reply: FastifyReply): boolean {
  if (sellerId === state.sellerId) return false;
  reply.removeHeader('x-amzn-RateLimit-Limit');
  spError(reply, 403, 'Unauthorized', 'Access to requested resource is denied.', 'The access token you provided is revoked, malformed or invalid.');
  return true;
}

/** `marketplaceIds` / `MarketplaceIds` as a list (comma-separated or repeated). */
export function listParam(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
}
