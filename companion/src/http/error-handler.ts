/**
 * The one error handler. Every failure leaves as `{ code, message, pointer?, details? }`:
 * StocklineError subclasses carry their own code and status; Fastify's parser, body-limit and
 * validation errors are rewritten into the same shape; anything else is our fault (500) and is
 * logged. Bad input is always a 4xx: a client can never provoke a 5xx by what it sends.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StocklineError } from '../errors';
import type { ErrorBody } from '../schemas/api';
import { tooLongPathPart } from './messages';
import { STORE_UNAVAILABLE_MESSAGE, StoreUnavailable } from './store-gate';

/** Fastify's own 4xx errors, by code, as our code and a sentence a person can act on. */
const FASTIFY_ERRORS: Record<string, { code: string; message: (e: FastifyError) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload_too_large',
    message: () => 'The body is larger than this server accepts — send fewer events per request (at most 500) or a smaller body',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: () => 'The Content-Type is not supported — send JSON with Content-Type: application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_content_length',
    message: () => 'The body size does not match Content-Length — send the whole body and the matching length',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'invalid_request',
    message: () => 'The body is empty although Content-Type says JSON — send a JSON object',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: () => 'The body is not valid JSON — send one JSON object' },
};

const INTERNAL_MESSAGE = 'Something went wrong on our side; it has been logged — retry later';

/**
 * Redis unreachable (ioredis gave up, has no connection, or got no answer within the command
 * timeout): the caller should retry shortly.
 */
function isRedisUnavailable(error: Error): boolean {
  return (
    error instanceof StoreUnavailable ||
    error.name === 'MaxRetriesPerRequestError' ||
    // Also when wrapped in a ledger_error (ledger.ts scriptFailure keeps the cause's message): a
    // chaos probe's Redis SIGTERM answered five requests 500 ("max retries per request"), not 503.
    /Connection is closed|Stream isn't writeable|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|max retries per request/.test(error.message ?? '')
  );
}

export function toBody(error: FastifyError | StocklineError | Error): { status: number; body: ErrorBody } {
  const clientError = (error as { statusCode?: number }).statusCode !== undefined && (error as { statusCode: number }).statusCode < 500;
  // Only our side's failures are inspected: a client error's message can quote the client's bytes.
  if (!clientError && isRedisUnavailable(error)) {
    return { status: 503, body: { code: 'unavailable', message: STORE_UNAVAILABLE_MESSAGE } };
  }
  if (error instanceof StocklineError && !error.exposeMessage) {
    // Our own failures keep their code but not their text, which can name keys and scripts.
    return { status: error.statusCode, body: { code: error.code, message: INTERNAL_MESSAGE } };
  }
  if (error instanceof StocklineError) {
    const body: ErrorBody = { code: error.code, message: error.message };
    // ValidationError and the HTTP layer's own errors (BodyError) name the bad field.
    const pointer = (error as { pointer?: unknown }).pointer;
    if (typeof pointer === 'string') body.pointer = pointer;
    const { pointer: _pointer, ...rest } = error.details ?? {};
    if (Object.keys(rest).length > 0) body.details = rest;
    return { status: error.statusCode, body };
  }
  const fe = error as FastifyError;
  const known = fe.code ? FASTIFY_ERRORS[fe.code] : undefined;
  if (known && fe.statusCode) {
    const body: ErrorBody = { code: known.code, message: known.message(fe) };
    body.pointer = '';
    return { status: fe.statusCode, body };
  }
  // Any other client error Fastify raises keeps its status; its own message is safe to show.
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = (fe.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
    return { status: fe.statusCode, body: { code, message: fe.message } };
  }
  return { status: 500, body: { code: 'internal', message: INTERNAL_MESSAGE } };
}

export function errorHandler(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toBody(error);
  // Retryable failures say when to come back (the plugin's outbox honours Retry-After).
  if (status === 503 || (error instanceof StocklineError && error.retryable)) reply.header('retry-after', '1');
  // Redis unreachable is an outage, reported once per connection elsewhere: not an error per request.
  if (status === 503 && body.code === 'unavailable') request.log.warn({ code: body.code, status }, body.message);
  else if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: body.code, status, pointer: body.pointer }, body.message);
  return reply.status(status).send(body);
}

/**
 * 404 for a path no route has; 405 with `Allow` for a route asked with a method it does not take.
 * `methodsFor` comes from route-methods.ts.
 */
export function notFoundHandler(methodsFor: (path: string) => string[] = () => []) {
  return function notFound(request: FastifyRequest, reply: FastifyReply) {
    const path = request.url.split('?')[0]!;
    const allowed = methodsFor(path);
    if (allowed.length > 0) {
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({
          code: 'method_not_allowed',
          message: `${path} does not take ${request.method}; use ${allowed.join(' or ')} — see /v1/docs`,
        } satisfies ErrorBody);
    }
    return reply.status(404).send({
      code: 'not_found',
      message: `There is no ${request.method} ${path} — see /v1/docs for the routes`,
    } satisfies ErrorBody);
  };
}

/**
 * Requests the router cannot even read (Fastify's `frameworkErrors`): broken percent-encoding in
 * the path, or a path part longer than the router takes. Answered in the same shape as every other
 * error instead of Fastify's own; which route was meant is unknown, so the pointer is the whole request.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? tooLongPathPart(request.url.split('?')[0]!)
      : 'The path is not valid URL encoding — encode each part (a SKU with encodeURIComponent) and try again';
  request.log.info({ code: error.code }, message);
  return reply.status(400).send({ code: 'invalid_request', message, pointer: '' } satisfies ErrorBody);
}
