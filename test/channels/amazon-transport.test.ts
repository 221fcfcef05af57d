/**
 * The SP-API transport (undici keep-alive requests, chosen over fetch for its CPU cost per
 * PATCH): whole-request timeout, caller abort, connection reuse, and one retry when the server
 * closed a kept-alive socket just as it was reused.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest, TransportError } from '../../companion/src/channels/amazon/transport';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<{ url: URL; connections: () => number }> {
  let connections = 0;
  server = http.createServer({ keepAliveTimeout: 10_000 }, handler);
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`), connections: () => connections };
}

describe('SP-API transport', () => {
  it('returns status, headers and body, reusing kept-alive connections for calls in a row', async () => {
    const s = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(200, { 'x-amzn-RateLimit-Limit': '5.0' }).end(JSON.stringify({ got: body, method: req.method })));
    });
    for (let i = 0; i < 6; i++) {
      const r = await httpRequest(s.url, { method: 'PATCH', body: `b${i}`, headers: { 'content-type': 'text/plain' }, timeoutMs: 2000 });
      expect(r.status).toBe(200);
      expect(r.headers.get('X-Amzn-RateLimit-Limit')).toBe('5.0');
      expect(JSON.parse(r.text)).toEqual({ got: `b${i}`, method: 'PATCH' });
    }
    // undici's pool may open a second socket while the first is being released; never one per call.
    expect(s.connections()).toBeLessThanOrEqual(2);
  });

  it('gives up on a server that never answers after the whole-request timeout', async () => {
    const s = await serve(() => {});
    const err = (await httpRequest(s.url, { method: 'GET', timeoutMs: 150 }).catch((e: unknown) => e)) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('ETIMEDOUT');
  });

  it('stops when the caller aborts', async () => {
    const s = await serve(() => {});
    const ac = new AbortController();
    const pending = httpRequest(s.url, { method: 'GET', timeoutMs: 10_000, signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 30);
    const err = (await pending) as TransportError;
    expect(err.code).toBe('ABORT_ERR');
  });

  it('sends again on a fresh socket when the server dropped the kept-alive one as it was reused', async () => {
    let n = 0;
    const s = await serve((req, res) => {
      n += 1;
      // The second request arrives on the first request's socket: drop it unanswered.
      if (n === 2) return req.socket.destroy();
      res.end(`answer ${n}`);
    });
    expect((await httpRequest(s.url, { method: 'GET', timeoutMs: 2000 })).text).toBe('answer 1');
    expect((await httpRequest(s.url, { method: 'GET', timeoutMs: 2000 })).text).toBe('answer 3');
  });
});
