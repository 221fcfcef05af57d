/**
 * Signed writes: `X-Stockline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC, so a captured request cannot be replayed after the
 * tolerance window; event ids make replays inside the window harmless. Several v1 values
 * are accepted so a secret can be rotated without downtime.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors';

export const SIGNATURE_HEADER = 'x-stockline-signature';

export function sign(secret: string, rawBody: string | Buffer, t: number = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
  return `t=${t},v1=${mac}`;
}

interface Parsed {
  t: number;
  v1: string[];
}

function parse(header: string): Parsed | null {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) v1.push(v.toLowerCase());
  }
  return t === undefined || v1.length === 0 ? null : { t, v1 };
}

export interface VerifyOptions {
  header: string | string[] | undefined;
  rawBody: string | Buffer;
  /** The secret of the tenant named in the body; undefined when that tenant is not configured. */
  secret: string | undefined;
  tenant: string;
  toleranceSeconds: number;
  nowSeconds?: number;
}

/** Throws UnauthorizedError (401) unless the header is a fresh, valid MAC of the raw body. */
export function verifySignature({ header, rawBody, secret, tenant, toleranceSeconds, nowSeconds }: VerifyOptions): void {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) {
    throw new UnauthorizedError(
      'X-Stockline-Signature is missing — sign the raw body as t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>',
    );
  }
  const parsed = parse(value);
  if (!parsed) throw new UnauthorizedError('X-Stockline-Signature is not of the form t=<unix seconds>,v1=<64 hex digits>');
  const now = nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - parsed.t) > toleranceSeconds) {
    throw new UnauthorizedError(
      `X-Stockline-Signature was made at ${parsed.t}, more than ${toleranceSeconds} s from now (${now}) — sign each request when sending it and check the sender's clock`,
    );
  }
  if (secret === undefined) throw new UnauthorizedError(`No signing secret is configured for tenant "${tenant}"`);
  const expected = Buffer.from(createHmac('sha256', secret).update(`${parsed.t}.`).update(rawBody).digest('hex'), 'hex');
  const ok = parsed.v1.some((v) => {
    const given = Buffer.from(v, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) {
    throw new UnauthorizedError(
      `X-Stockline-Signature does not match the body for tenant "${tenant}" — sign the exact bytes sent with that tenant's secret`,
    );
  }
}
