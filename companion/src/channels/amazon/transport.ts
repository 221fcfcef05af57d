/**
 * The SP-API calls' HTTP transport, over the channels' shared undici client (../http). Amazon
 * takes one PATCH per SKU, so this path runs once per SKU pushed: measured against the sandbox,
 * global fetch spent ~650 µs of CPU per PATCH in the calling process, a plain keep-alive request
 * ~225 µs — at 1,000 SKUs a second fetch alone took most of a core of the process that also runs
 * the ledger and propagation. Errors keep Node's codes (ETIMEDOUT, ABORT_ERR) for the client.
 */
import { errors } from 'undici';
import { httpRequest as send } from '../http';

export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export interface HttpRequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Longest wait for the answer's headers, and then for its body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export class TransportError extends Error {
  constructor(message: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export async function httpRequest(url: URL, opts: HttpRequestOptions): Promise<HttpAnswer> {
  try {
    return await once(url, opts);
  } catch (err) {
    // A kept-alive socket the server closed just as we reused it: the request never arrived.
    // Every SP-API call we make sets an absolute value or reads, so sending it again is safe.
    if (err instanceof errors.SocketError) return once(url, opts).catch((e: unknown) => Promise.reject(toTransportError(e)));
    throw toTransportError(err);
  }
}

async function once(url: URL, opts: HttpRequestOptions): Promise<HttpAnswer> {
  const res = await send(url.toString(), { method: opts.method, headers: opts.headers, body: opts.body, timeoutMs: opts.timeoutMs, signal: opts.signal });
  return { status: res.status, headers: { get: (name) => res.headers[name.toLowerCase()] ?? null }, text: res.text };
}

function toTransportError(err: unknown): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as Error & { code?: string };
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) {
    return new TransportError(`timed out: ${e.message}`, 'ETIMEDOUT', { cause: err });
  }
  if (e?.name === 'AbortError' || err instanceof errors.RequestAbortedError) return new TransportError('request aborted', 'ABORT_ERR', { cause: err });
  return new TransportError(e?.message ?? String(err), e?.code, { cause: err });
}
