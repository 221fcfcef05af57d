/**
 * The three signatures the WooCommerce channel deals in:
 * - webhooks: `X-WC-Webhook-Signature` = base64(HMAC-SHA256(exact body, webhook secret)) [channels.md §4];
 * - the Stockline plugin's stock endpoint: `X-Stockline-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`
 *   (the same header the plugin uses towards the companion, DEVELOPERS.md);
 * - OAuth 1.0a one-legged request signatures, checked by the sandbox as WooCommerce does over http.
 * All comparisons are constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function signWooWebhook(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export function verifyWooWebhook(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  return safeEqual(Buffer.from(header, 'base64'), createHmac('sha256', secret).update(body).digest());
}

export function signStockline(body: string, secret: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export function verifyStockline(body: Buffer, header: string | undefined, secret: string, toleranceSeconds = 300, now = Date.now()): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  return safeEqual(Buffer.from(m[2]!, 'hex'), expected);
}

/** RFC 3986 percent-encoding, as OAuth 1.0a requires. */
export function oauthEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * OAuth 1.0a signature over method, base URL and every parameter except oauth_signature,
 * sorted by encoded name then value; the key is `<consumer secret>&` (no token).
 */
export function oauthSignature(method: string, baseUrl: string, params: [string, string][], consumerSecret: string, algorithm: 'sha1' | 'sha256'): string {
  const normalized = params
    .filter(([k]) => k !== 'oauth_signature')
    .map(([k, v]) => [oauthEncode(k), oauthEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = `${method.toUpperCase()}&${oauthEncode(baseUrl)}&${oauthEncode(normalized)}`;
  return createHmac(algorithm, `${oauthEncode(consumerSecret)}&`).update(base).digest('base64');
}
