/**
 * Shopify webhook signatures: `X-Shopify-Hmac-SHA256` = base64(HMAC-SHA256(raw body, secret)).
 * Verified over the exact bytes received (re-serialised JSON would not match) and compared in
 * constant time. Several secrets may be given because a rotated secret can take up to an hour
 * to reach every delivery (channels.md §1).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signShopifyWebhook(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

export function verifyShopifyWebhook(rawBody: Buffer, header: string | undefined, secrets: string[]): boolean {
  if (!header) return false;
  const given = Buffer.from(header, 'base64');
  // A valid SHA-256 digest is 32 bytes; anything else cannot match and timingSafeEqual would throw.
  if (given.length !== 32) return false;
  return secrets.some((secret) => timingSafeEqual(given, createHmac('sha256', secret).update(rawBody).digest()));
}
