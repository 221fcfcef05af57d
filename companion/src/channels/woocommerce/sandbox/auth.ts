/**
 * WooCommerce REST authentication as core does it (class-wc-rest-authentication.php): over
 * plain http only OAuth 1.0a one-legged (query or Authorization: OAuth), checking the key, the
 * signature (HMAC-SHA1/SHA256), a 15-minute timestamp window and single-use nonces; Basic auth
 * or consumer_key/consumer_secret query parameters only when TLS is terminated in front.
 * Failures use WooCommerce's own codes and messages with HTTP 401.
 */
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { oauthSignature } from '../signatures';

export interface WooAuthError {
  status: number;
  body: { code: string; message: string; data: { status: number } };
}

const fail = (message: string, code = 'woocommerce_rest_authentication_error'): WooAuthError => ({
  status: 401,
  body: { code, message, data: { status: 401 } },
});

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export class WooAuth {
  private nonces = new Map<string, number>();

  constructor(
    private consumerKey: string,
    private consumerSecret: string,
    private httpsTerminated: boolean,
  ) {}

  /** null = authenticated; `notAllowed` is the route's own 401 when no credentials came at all. */
  check(request: FastifyRequest, notAllowed: WooAuthError): WooAuthError | null {
    const url = new URL(request.url, `http://${request.headers.host ?? '127.0.0.1'}`);
    // PHP's $_GET keeps the last of repeated keys (the JS client repeats its query in the OAuth params).
    const query = [...new Map(url.searchParams.entries())];
    const header = String(request.headers.authorization ?? '');
    let oauth: [string, string][] | null = null;
    if (url.searchParams.has('oauth_consumer_key')) oauth = query;
    else if (header.startsWith('OAuth ')) {
      const fromHeader = [...header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)] as [string, string]);
      oauth = [...query, ...fromHeader.filter(([k]) => k !== 'realm')];
    }
    if (oauth) return this.checkOAuth(request.method, `${url.protocol}//${url.host}${url.pathname}`, oauth);

    if (!this.httpsTerminated) return notAllowed;
    let key: string | null = url.searchParams.get('consumer_key');
    let secret: string | null = url.searchParams.get('consumer_secret');
    if (header.startsWith('Basic ')) {
      const [k, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      key = k ?? null;
      secret = rest.join(':');
    }
    if (!key || secret === null) return notAllowed;
    if (!same(key, this.consumerKey)) return fail('Consumer key is invalid.');
    if (!same(secret, this.consumerSecret)) return fail('Consumer secret is invalid.');
    return null;
  }

  private checkOAuth(method: string, baseUrl: string, params: [string, string][]): WooAuthError | null {
    const get = (k: string) => params.find(([n]) => n === k)?.[1];
    const required = ['oauth_consumer_key', 'oauth_timestamp', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method'];
    const missing = required.filter((k) => !get(k));
    if (missing.length) return fail(`Missing OAuth parameter(s) ${missing.join(', ')}`);
    if (!same(get('oauth_consumer_key')!, this.consumerKey)) return fail('Consumer key is invalid.');
    const algo = get('oauth_signature_method') === 'HMAC-SHA256' ? 'sha256' : get('oauth_signature_method') === 'HMAC-SHA1' ? 'sha1' : null;
    if (!algo) return fail('Invalid signature - signature method is invalid.');
    const expected = oauthSignature(method, baseUrl, params, this.consumerSecret, algo);
    if (!same(expected, get('oauth_signature')!)) return fail('Invalid signature - provided signature does not match.');
    const ts = Number(get('oauth_timestamp'));
    const now = Date.now() / 1000;
    if (!Number.isFinite(ts) || ts < now - 15 * 60) return fail('Invalid timestamp.');
    const nonceKey = `${get('oauth_nonce')}|${ts}`;
    if (this.nonces.has(nonceKey)) return fail('Invalid nonce - nonce has already been used.');
    this.nonces.set(nonceKey, ts);
    if (this.nonces.size > 10_000) for (const [k, t] of this.nonces) if (t < now - 15 * 60) this.nonces.delete(k);
    return null;
  }
}
