/**
 * loadConfig(env, argv): the only reader of the environment. Every variable is validated and
 * defaulted here and the result is deeply frozen, so a typo stops the process at start with a
 * sentence naming the variable instead of surfacing later as a confusing runtime failure.
 */
import { channels } from './config-channels';
import { MIN_SECRET_LENGTH, reader, type Env, type Reader } from './config-reader';
import { BREAKER_DEFAULTS } from './propagation/breaker';

export { ConfigError, type Env } from './config-reader';

export type Role = 'all' | 'api' | 'worker';
export const CHANNEL_IDS = ['woocommerce', 'shopify', 'amazon', 'flipkart'] as const;
export type ChannelId = (typeof CHANNEL_IDS)[number];

/**
 * The channel ids a request may name (a filter, a retry): the built-in channels, and any other
 * channel this process runs (`running`, e.g. a test's fake channels).
 */
export function knownChannelIds(running: readonly string[] = []): string[] {
  return [...new Set<string>([...CHANNEL_IDS, ...running])];
}

/**
 * What reaches one seller's account through an SP-API app: the API and Login with Amazon
 * endpoints, the app's LWA client and refresh token, the seller and its marketplaces. Defined
 * here, the root of the dependency graph, and extended by the Amazon channel's own config.
 */
export interface AmazonCredentials {
  url: string;
  lwaUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  sellerId: string;
  marketplaceIds: string[];
}

export interface Config {
  port: number;
  host: string;
  redisUrl: string;
  /**
   * How long a command on the API's and ledger's connection may wait for Redis's answer before the
   * request is answered 503 (STOCKLINE_REDIS_COMMAND_TIMEOUT_MS): a Redis that stops answering
   * with its connection still open (stalled, a partition without a reset) would otherwise hold
   * every request until it came back.
   */
  redisCommandTimeoutMs: number;
  keyPrefix: string;
  logLevel: string;
  tenants: Record<string, { secret: string }>;
  adminToken: string;
  idempotencyTtlSeconds: number;
  /** Audit entries older than this many days are trimmed; 0 keeps them for good (the default). */
  auditRetentionDays?: number;
  signatureToleranceSeconds: number;
  role: Role;
  sandbox: boolean;
  /** First port of the sandbox channels (woocommerce, shopify, amazon, flipkart in order); 0 = any free port. */
  sandboxPortBase: number;
  /** How often sandbox mode prints its status line. */
  statusEveryMs: number;
  /** maxOrders: stop after this many orders (0 = never). */
  shopper: { enabled: boolean; ordersPerSecond: number; maxOrders: number };
  channels: {
    woocommerce?: { url: string; key: string; secret: string; webhookSecret?: string };
    shopify?: { shop: string; token: string; locationId: string; webhookSecret: string; url?: string };
    amazon?: AmazonCredentials & {
      /** The SQS queue Amazon delivers ORDER_CHANGE notifications to; without it orders are polled (minutes late). */
      sqs?: { queueUrl: string; region: string; accessKeyId: string; secretAccessKey: string };
    };
    flipkart?: { url: string; appId: string; appSecret: string; locationId: string };
  };
  propagation: {
    rateOverrides: Record<string, { requestsPerSecond?: number; burst?: number }>;
    lagWarnMs: number;
    lagCriticalMs: number;
    failureRateAlert: number;
    alertWebhookUrl?: string;
    breakerFailureRate: number;
    breakerWindowMs: number;
    /** Fewest outcomes in the window before the breaker judges the failure rate (STOCKLINE_BREAKER_MIN_SAMPLES). */
    breakerMinSamples?: number;
    /**
     * Failed calls in a row that open the breaker at any traffic, once they span breakerConsecutiveMs
     * (STOCKLINE_BREAKER_CONSECUTIVE_FAILURES, 0 = off; STOCKLINE_BREAKER_CONSECUTIVE_MS).
     */
    breakerConsecutiveFailures?: number;
    breakerConsecutiveMs?: number;
    /** How long change-feed entries every consumer acknowledged are kept (STOCKLINE_FEED_RETENTION_MS). */
    feedRetentionMs?: number;
    /**
     * GET /v1/channels shows `stalled` once a change-feed entry has waited this long with no
     * worker reading it (STOCKLINE_FEED_STALLED_MS).
     */
    feedStalledMs?: number;
    /** How often Shopify's order reconciliation poll runs, ms; 0 = never (STOCKLINE_SHOPIFY_POLL_MS). */
    shopifyPollMs?: number;
    /** SKUs per channel per minute the drift sweep reads back; 0 = never (STOCKLINE_DRIFT_CHECK_PER_MINUTE). */
    driftCheckPerMinute?: number;
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;


function tenants(r: Reader): Record<string, { secret: string }> {
  const out: Record<string, { secret: string }> = {
    default: { secret: r.secret('STOCKLINE_SECRET', "the default tenant's signing secret (shared with the WordPress plugin)") },
  };
  const list = r.raw('STOCKLINE_TENANT_SECRETS');
  if (list === undefined) return out;
  const pairs = list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  pairs.forEach((pair, i) => {
    const at = pair.indexOf(':');
    const tenant = at > 0 ? pair.slice(0, at) : '';
    const secret = at > 0 ? pair.slice(at + 1) : '';
    if (!TENANT_RE.test(tenant) || secret.length < MIN_SECRET_LENGTH) {
      // Names the entry by position, never by content: it may hold a secret.
      r.fail(
        'STOCKLINE_TENANT_SECRETS',
        `must be a comma-separated list of tenant:secret pairs (tenant in lower-case letters, digits, _ or -; secret at least ${MIN_SECRET_LENGTH} characters); entry ${i + 1} is not.`,
      );
    }
    out[tenant] = { secret };
  });
  return out;
}

function propagation(r: Reader): Config['propagation'] {
  const rateOverrides: Config['propagation']['rateOverrides'] = {};
  for (const id of CHANNEL_IDS) {
    const up = id.toUpperCase();
    const requestsPerSecond = r.num(`STOCKLINE_${up}_RPS`, undefined, 0.001, 100_000);
    const burst = r.num(`STOCKLINE_${up}_BURST`, undefined, 1, 100_000);
    if (requestsPerSecond !== undefined || burst !== undefined) {
      rateOverrides[id] = {
        ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
        ...(burst !== undefined ? { burst } : {}),
      };
    }
  }
  const lagWarnMs = r.int('STOCKLINE_ALERT_LAG_WARN_MS', 2000, 1, 3_600_000);
  const lagCriticalMs = r.int('STOCKLINE_ALERT_LAG_CRITICAL_MS', 5000, 1, 3_600_000);
  if (lagCriticalMs < lagWarnMs) {
    r.fail('STOCKLINE_ALERT_LAG_CRITICAL_MS', `must be at least STOCKLINE_ALERT_LAG_WARN_MS (${lagWarnMs}); it is ${lagCriticalMs}.`);
  }
  const alertWebhookUrl = r.optionalUrl('STOCKLINE_ALERT_WEBHOOK_URL');
  return {
    rateOverrides,
    lagWarnMs,
    lagCriticalMs,
    failureRateAlert: r.num('STOCKLINE_ALERT_FAILURE_RATE', 0.01, 0, 1) as number,
    ...(alertWebhookUrl ? { alertWebhookUrl } : {}),
    breakerFailureRate: r.num('STOCKLINE_BREAKER_FAILURE_RATE', 0.01, 0, 1) as number,
    breakerWindowMs: r.int('STOCKLINE_BREAKER_WINDOW_MS', 60_000, 1000, 3_600_000),
    breakerMinSamples: r.int('STOCKLINE_BREAKER_MIN_SAMPLES', BREAKER_DEFAULTS.minSamples, 1, 1_000_000),
    breakerConsecutiveFailures: r.int('STOCKLINE_BREAKER_CONSECUTIVE_FAILURES', BREAKER_DEFAULTS.consecutiveFailures, 0, 1_000_000),
    breakerConsecutiveMs: r.int('STOCKLINE_BREAKER_CONSECUTIVE_MS', BREAKER_DEFAULTS.consecutiveMs, 0, 3_600_000),
    feedRetentionMs: r.int('STOCKLINE_FEED_RETENTION_MS', 600_000, 0, 2_592_000_000),
    feedStalledMs: r.int('STOCKLINE_FEED_STALLED_MS', 30_000, 100, 86_400_000),
    shopifyPollMs: r.int('STOCKLINE_SHOPIFY_POLL_MS', 300_000, 0, 86_400_000),
    driftCheckPerMinute: r.int('STOCKLINE_DRIFT_CHECK_PER_MINUTE', 60, 0, 100_000),
  };
}

function role(r: Reader, argv: readonly string[]): Role {
  const i = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  const arg = i < 0 ? undefined : argv[i]!.includes('=') ? argv[i]!.slice('--role='.length) : argv[i + 1];
  const v = arg ?? r.raw('STOCKLINE_ROLE') ?? 'all';
  if (v !== 'all' && v !== 'api' && v !== 'worker') {
    return r.fail(arg !== undefined ? '--role' : 'STOCKLINE_ROLE', `must be all, api or worker; it is "${v}".`);
  }
  return v;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Reads the environment once. `argv` carries `--role all|api|worker` (it wins over STOCKLINE_ROLE). */
export function loadConfig(env: Env, argv: readonly string[] = []): Readonly<Config> {
  const r = reader(env);
  const logLevel = r.str('STOCKLINE_LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) r.fail('STOCKLINE_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}; it is "${logLevel}".`);
  const keyPrefix = r.str('STOCKLINE_KEY_PREFIX', 'stockline:');
  if (/[\s{}]/.test(keyPrefix))
    r.fail('STOCKLINE_KEY_PREFIX', 'must not contain spaces or braces (braces would break the per-tenant hash tag).');
  const chans = channels(r);
  const idempotencyTtlSeconds = r.int('STOCKLINE_IDEMPOTENCY_TTL_SECONDS', 604_800, 60, 31_536_000);
  const auditRetentionDays = r.int('STOCKLINE_AUDIT_RETENTION_DAYS', 0, 0, 36_500);
  // A duplicate event's answer is rebuilt from its audit entry, so the audit must outlive the id.
  if (auditRetentionDays > 0 && auditRetentionDays * 86_400 < idempotencyTtlSeconds) {
    r.fail(
      'STOCKLINE_AUDIT_RETENTION_DAYS',
      `must be 0 (keep the audit) or at least the idempotency window (${Math.ceil(idempotencyTtlSeconds / 86_400)} days, STOCKLINE_IDEMPOTENCY_TTL_SECONDS); it is ${auditRetentionDays}.`,
    );
  }
  const sandbox = r.bool('STOCKLINE_SANDBOX', Object.keys(chans).length === 0);
  const config: Config = {
    port: r.int('STOCKLINE_PORT', 7400, 0, 65535),
    host: r.str('STOCKLINE_HOST', '127.0.0.1'),
    redisUrl: r.url('STOCKLINE_REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisCommandTimeoutMs: r.int('STOCKLINE_REDIS_COMMAND_TIMEOUT_MS', 5000, 100, 600_000),
    keyPrefix,
    logLevel,
    tenants: tenants(r),
    adminToken: r.secret('STOCKLINE_ADMIN_TOKEN', 'the bearer token for admin reads (shared with the WordPress plugin)'),
    idempotencyTtlSeconds,
    auditRetentionDays,
    signatureToleranceSeconds: r.int('STOCKLINE_SIGNATURE_TOLERANCE_SECONDS', 300, 1, 3600),
    role: role(r, argv),
    sandbox,
    sandboxPortBase: r.int('STOCKLINE_SANDBOX_PORT_BASE', 7401, 0, 65531),
    statusEveryMs: r.int('STOCKLINE_STATUS_EVERY_MS', 5000, 100, 3_600_000),
    shopper: {
      // The simulated shoppers are part of the sandbox demo; STOCKLINE_SHOPPER=off stops them.
      enabled: r.bool('STOCKLINE_SHOPPER', sandbox),
      ordersPerSecond: r.num('STOCKLINE_SHOPPER_RATE', 2, 0.01, 10_000) as number,
      maxOrders: r.int('STOCKLINE_SHOPPER_MAX_ORDERS', 0, 0, 1_000_000_000),
    },
    channels: chans,
    propagation: propagation(r),
  };
  return deepFreeze(config);
}
