/**
 * The SP-API calls' HTTP transport: node:http / node:https on keep-alive agents. Amazon takes one
 * PATCH per SKU, so this path runs once per SKU pushed. Measured against the sandbox (3,000
 * PATCHes, 16 in flight, same machine): global fetch (undici) spent ~650 µs of CPU per PATCH in
 * the calling process, node:http ~225 µs — at 1,000 SKUs a second fetch alone took most of a core
 * of the process that also runs the ledger and propagation.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export interface HttpRequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whole request, connect to last byte. */
  timeoutMs: number;
  signal?: AbortSignal;
}

// Idle sockets are unref'd by the agent, so they never hold a process open.
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

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
    // A kept-alive socket the server closed just as we reused it: the request never arrived
    // (Node's documented pattern); once more on a fresh socket.
    if (err instanceof ReusedSocketReset) return once(url, opts);
    throw err;
  }
}

class ReusedSocketReset extends TransportError {}

function once(url: URL, opts: HttpRequestOptions): Promise<HttpAnswer> {
  const mod = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new TransportError(`unsupported protocol ${url.protocol}`, 'ERR_INVALID_PROTOCOL'));
  return new Promise<HttpAnswer>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new TransportError('request aborted', 'ABORT_ERR', { cause: opts.signal.reason }));
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = mod.request(url, { method: opts.method, headers, agent });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (err: TransportError) => {
      finish(() => reject(err));
      req.destroy();
    };
    const timer = setTimeout(() => fail(new TransportError(`timed out after ${opts.timeoutMs} ms`, 'ETIMEDOUT')), opts.timeoutMs);
    const onAbort = () => fail(new TransportError('request aborted', 'ABORT_ERR', { cause: opts.signal?.reason }));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const Kind = req.reusedSocket && err.code === 'ECONNRESET' ? ReusedSocketReset : TransportError;
      finish(() => reject(new Kind(err.message, err.code, { cause: err })));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(new TransportError(err.message, err.code, { cause: err }))));
      res.on('end', () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: { get: (name) => headerValue(res.headers[name.toLowerCase()]) },
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
    });
    req.end(opts.body);
  });
}

function headerValue(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}
