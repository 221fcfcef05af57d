/**
 * AWS Signature Version 4 for JSON-protocol services (SQS here): SP-API itself no longer needs it
 * (channels.md §2), but reading ORDER_CHANGE from an SQS queue does. Shared by the SQS client and
 * the sandbox's SQS endpoint, which verifies what the client signs.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

export function amzDate(d: Date): string {
  return d.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

function signingKey(secret: string, dateStamp: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, dateStamp), region), service), 'aws4_request');
}

/** The signature of one request, given the headers it signs (names lower-case). */
export function signature(opts: {
  method: string;
  path: string;
  headers: Record<string, string>;
  signedHeaders: string[];
  body: string;
  date: string;
  region: string;
  service: string;
  secretAccessKey: string;
}): string {
  const canonicalHeaders = opts.signedHeaders.map((h) => `${h}:${(opts.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [opts.method, opts.path, '', canonicalHeaders, opts.signedHeaders.join(';'), sha256(opts.body)].join('\n');
  const dateStamp = opts.date.slice(0, 8);
  const scope = `${dateStamp}/${opts.region}/${opts.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', opts.date, scope, sha256(canonicalRequest)].join('\n');
  return createHmac('sha256', signingKey(opts.secretAccessKey, dateStamp, opts.region, opts.service)).update(toSign, 'utf8').digest('hex');
}

/** Headers for a signed POST of `body` to `url`. */
export function signedHeaders(opts: {
  url: URL;
  body: string;
  headers: Record<string, string>;
  region: string;
  service: string;
  credentials: AwsCredentials;
  now?: Date;
}): Record<string, string> {
  const date = amzDate(opts.now ?? new Date());
  const headers: Record<string, string> = { ...lower(opts.headers), host: opts.url.host, 'x-amz-date': date };
  if (opts.credentials.sessionToken) headers['x-amz-security-token'] = opts.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const sig = signature({
    method: 'POST',
    path: opts.url.pathname || '/',
    headers,
    signedHeaders: names,
    body: opts.body,
    date,
    region: opts.region,
    service: opts.service,
    secretAccessKey: opts.credentials.secretAccessKey,
  });
  const { host: _host, ...rest } = headers;
  return {
    ...rest,
    authorization: `AWS4-HMAC-SHA256 Credential=${opts.credentials.accessKeyId}/${date.slice(0, 8)}/${opts.region}/${opts.service}/aws4_request, SignedHeaders=${names.join(';')}, Signature=${sig}`,
  };
}

export interface ParsedAuthorization {
  accessKeyId: string;
  dateStamp: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return null;
  return { accessKeyId: m[1]!, dateStamp: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(';'), signature: m[6]! };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
