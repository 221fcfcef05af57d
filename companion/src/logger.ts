/**
 * The one pino logger. Secrets must never reach a log line, whatever object a caller logs
 * (a request, a config, a channel error carrying its request options), so redaction is by
 * field name at several depths rather than by exact path.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Field names whose values are always replaced by "[redacted]". */
export const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'x-stockline-signature',
  'x-shopify-access-token',
  'x-shopify-hmac-sha256',
  'x-amz-access-token',
  'x-wc-webhook-signature',
  'cookie',
  'secret',
  'token',
  'adminToken',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'appSecret',
  'webhookSecret',
  'password',
  'key',
] as const;

const DEPTHS = 5;

/** pino redact paths: each secret field at the top level and up to DEPTHS levels down. */
export function redactPaths(fields: readonly string[] = SECRET_FIELDS): string[] {
  const paths: string[] = [];
  for (const f of fields) {
    const leaf = /^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`;
    for (let d = 0; d <= DEPTHS; d++) {
      const prefix = '*.'.repeat(d);
      paths.push(leaf.startsWith('[') ? (d === 0 ? leaf : `${prefix.slice(0, -1)}${leaf}`) : `${prefix}${leaf}`);
    }
  }
  return paths;
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go (tests capture them); stdout by default. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger({ level = 'info', destination, name = 'stockline' }: LoggerOptions = {}): Logger {
  const options = { level, name, redact: { paths: redactPaths(), censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
