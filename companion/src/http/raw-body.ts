/**
 * JSON bodies are parsed by us, not by Fastify's default parser, for two reasons: signatures
 * (ours and the channels' webhook HMACs) are computed over the exact bytes received, so those
 * bytes are kept as `request.rawBody`; and a parse failure should say where the JSON broke.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { ValidationError } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (JSON requests only); what signatures are computed over. */
    rawBody?: Buffer;
  }
}

/** Refuses bytes that are not UTF-8 instead of reading them as replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new ValidationError('The body is not UTF-8 text — send JSON encoded as UTF-8', '');
  }
  try {
    // Rejects __proto__ / constructor.prototype keys, which could poison objects built from the body.
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const detail = err instanceof Error ? err.message.slice(0, 160) : 'unreadable';
    if (/forbidden prototype property|forbidden constructor property/.test(detail)) {
      // Valid JSON, but a key that could poison objects built from it: say which, not "invalid".
      throw new ValidationError('The body has a key named __proto__ or constructor.prototype, which is not accepted — rename or remove it', '');
    }
    throw new ValidationError(`The body is not valid JSON (${detail}) — send one JSON object encoded as UTF-8`, '');
  }
}

/**
 * A body that is not JSON, kept as the body instead of failing the request at once, so a route
 * can check who sent it first (POST /v1/events: an unsigned or forged request is a 401 whatever
 * its body) and then answer the parse error.
 */
export class UnparsedJson {
  constructor(readonly error: Error) {}
}

/** `deferErrors`: hand a body that does not parse to the route as an UnparsedJson. */
export function registerRawJsonBody(app: FastifyInstance, opts: { deferErrors?: boolean } = {}): void {
  app.removeContentTypeParser('application/json');
  app.removeContentTypeParser(/^application\/[\w.-]+\+json$/);
  const parser = (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    request.rawBody = body;
    try {
      done(null, parseJson(body));
    } catch (err) {
      if (opts.deferErrors) done(null, new UnparsedJson(err as Error));
      else done(err as Error);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser);
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/, { parseAs: 'buffer' }, parser);
}
