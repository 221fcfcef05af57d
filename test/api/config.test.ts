import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from '../../companion/src/config';
import { sign } from '../../companion/src/http/signature';
import { createLogger } from '../../companion/src/logger';
import { ADMIN_TOKEN, apiFixture, events, OTHER_SECRET, SECRET } from './helpers';

const minimal: Env = { STOCKLINE_SECRET: SECRET, STOCKLINE_ADMIN_TOKEN: ADMIN_TOKEN };

function failure(env: Env, argv: string[] = []): ConfigError {
  try {
    loadConfig(env, argv);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('loadConfig', () => {
  it('fills every default from a minimal environment', () => {
    const c = loadConfig(minimal);
    expect(c).toMatchObject({
      port: 7400,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      keyPrefix: 'stockline:',
      logLevel: 'info',
      tenants: { default: { secret: SECRET } },
      adminToken: ADMIN_TOKEN,
      idempotencyTtlSeconds: 604_800,
      auditRetentionDays: 0,
      signatureToleranceSeconds: 300,
      role: 'all',
      sandbox: true,
      sandboxPortBase: 7401,
      statusEveryMs: 5000,
      // The simulated shoppers are part of the sandbox demo.
      shopper: { enabled: true, ordersPerSecond: 2, maxOrders: 0 },
      channels: {},
      propagation: {
        rateOverrides: {},
        lagWarnMs: 2000,
        lagCriticalMs: 5000,
        failureRateAlert: 0.01,
        breakerFailureRate: 0.01,
        breakerWindowMs: 60_000,
        breakerMinSamples: 20,
        breakerConsecutiveFailures: 5,
        breakerConsecutiveMs: 5_000,
        feedRetentionMs: 600_000,
        feedStalledMs: 30_000,
        shopifyPollMs: 300_000,
        driftCheckPerMinute: 60,
      },
    });
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig({ ...minimal, STOCKLINE_TENANT_SECRETS: `other:${OTHER_SECRET}` });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.tenants.other)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reads tenants, channel blocks, rate overrides and the role', () => {
    const c = loadConfig(
      {
        ...minimal,
        STOCKLINE_PORT: '0',
        STOCKLINE_TENANT_SECRETS: ` shop-2:${OTHER_SECRET} , shop_3:${OTHER_SECRET}:with:colons `,
        STOCKLINE_SHOPIFY_SHOP: 'demo.myshopify.com',
        STOCKLINE_SHOPIFY_TOKEN: 'shpat_x',
        STOCKLINE_SHOPIFY_LOCATION_ID: 'gid://shopify/Location/1',
        STOCKLINE_SHOPIFY_WEBHOOK_SECRET: 'whsec',
        STOCKLINE_SHOPIFY_URL: 'http://127.0.0.1:9999',
        STOCKLINE_AMAZON_CLIENT_ID: 'id',
        STOCKLINE_AMAZON_CLIENT_SECRET: 'cs',
        STOCKLINE_AMAZON_REFRESH_TOKEN: 'rt',
        STOCKLINE_AMAZON_SELLER_ID: 'S1',
        STOCKLINE_AMAZON_MARKETPLACE_IDS: 'A21TJRUUN4KGV, ATVPDKIKX0DER',
        STOCKLINE_SHOPIFY_RPS: '2',
        STOCKLINE_AMAZON_BURST: '10',
        STOCKLINE_ROLE: 'api',
        STOCKLINE_SHOPPER: 'on',
      },
      ['--role', 'worker'],
    );
    expect(c.port).toBe(0);
    expect(c.tenants).toEqual({
      default: { secret: SECRET },
      'shop-2': { secret: OTHER_SECRET },
      shop_3: { secret: `${OTHER_SECRET}:with:colons` },
    });
    expect(c.channels.shopify).toEqual({
      shop: 'demo.myshopify.com',
      token: 'shpat_x',
      locationId: 'gid://shopify/Location/1',
      webhookSecret: 'whsec',
      url: 'http://127.0.0.1:9999',
    });
    expect(c.channels.amazon).toMatchObject({
      url: 'https://sellingpartnerapi-na.amazon.com',
      marketplaceIds: ['A21TJRUUN4KGV', 'ATVPDKIKX0DER'],
    });
    expect(c.channels.woocommerce).toBeUndefined();
    expect(c.sandbox).toBe(false); // channel credentials given and STOCKLINE_SANDBOX not set
    expect(c.propagation.rateOverrides).toEqual({ shopify: { requestsPerSecond: 2 }, amazon: { burst: 10 } });
    expect(c.role).toBe('worker'); // --role wins over STOCKLINE_ROLE
    expect(c.shopper.enabled).toBe(true);
    expect(loadConfig(minimal, ['--role=api']).role).toBe('api');
    expect(loadConfig({ ...minimal, STOCKLINE_SANDBOX: 'off' }).sandbox).toBe(false);
    const woo = { ...minimal, STOCKLINE_WOOCOMMERCE_URL: 'https://shop.example', STOCKLINE_WOOCOMMERCE_KEY: 'ck', STOCKLINE_WOOCOMMERCE_SECRET: 'cs' };
    expect(loadConfig(woo).channels.woocommerce).toEqual({ url: 'https://shop.example', key: 'ck', secret: 'cs' });
    expect(loadConfig({ ...woo, STOCKLINE_WOOCOMMERCE_WEBHOOK_SECRET: 'whsec' }).channels.woocommerce).toMatchObject({ webhookSecret: 'whsec' });
  });

  const bad: [string, Env, string[], string][] = [
    ['no signing secret', { STOCKLINE_ADMIN_TOKEN: ADMIN_TOKEN }, [], 'STOCKLINE_SECRET'],
    ['a short signing secret', { ...minimal, STOCKLINE_SECRET: 'short' }, [], 'STOCKLINE_SECRET'],
    ['no admin token', { STOCKLINE_SECRET: SECRET }, [], 'STOCKLINE_ADMIN_TOKEN'],
    ['a blank admin token', { ...minimal, STOCKLINE_ADMIN_TOKEN: '   ' }, [], 'STOCKLINE_ADMIN_TOKEN'],
    ['a port that is not a number', { ...minimal, STOCKLINE_PORT: 'eighty' }, [], 'STOCKLINE_PORT'],
    ['a port out of range', { ...minimal, STOCKLINE_PORT: '70000' }, [], 'STOCKLINE_PORT'],
    ['a Redis URL of the wrong scheme', { ...minimal, STOCKLINE_REDIS_URL: `http://:${SECRET}@127.0.0.1:6379` }, [], 'STOCKLINE_REDIS_URL'],
    ['an unknown log level', { ...minimal, STOCKLINE_LOG_LEVEL: 'loud' }, [], 'STOCKLINE_LOG_LEVEL'],
    ['a key prefix with braces', { ...minimal, STOCKLINE_KEY_PREFIX: 'a{b}' }, [], 'STOCKLINE_KEY_PREFIX'],
    [
      'a tenant list without secrets',
      { ...minimal, STOCKLINE_TENANT_SECRETS: `shop2:${OTHER_SECRET},${SECRET}` },
      [],
      'STOCKLINE_TENANT_SECRETS',
    ],
    ['a tenant with capitals', { ...minimal, STOCKLINE_TENANT_SECRETS: `Shop:${OTHER_SECRET}` }, [], 'STOCKLINE_TENANT_SECRETS'],
    ['a too short idempotency window', { ...minimal, STOCKLINE_IDEMPOTENCY_TTL_SECONDS: '10' }, [], 'STOCKLINE_IDEMPOTENCY_TTL_SECONDS'],
    ['sandbox neither on nor off', { ...minimal, STOCKLINE_SANDBOX: 'maybe' }, [], 'STOCKLINE_SANDBOX'],
    ['a negative shopper rate', { ...minimal, STOCKLINE_SHOPPER_RATE: '-1' }, [], 'STOCKLINE_SHOPPER_RATE'],
    ['an unknown role variable', { ...minimal, STOCKLINE_ROLE: 'boss' }, [], 'STOCKLINE_ROLE'],
    ['an unknown --role', minimal, ['--role', 'boss'], '--role'],
    ['half a Shopify block', { ...minimal, STOCKLINE_SHOPIFY_SHOP: 'demo.myshopify.com' }, [], 'STOCKLINE_SHOPIFY_TOKEN'],
    [
      'a WooCommerce URL that is not a URL',
      { ...minimal, STOCKLINE_WOOCOMMERCE_URL: 'shop', STOCKLINE_WOOCOMMERCE_KEY: 'ck', STOCKLINE_WOOCOMMERCE_SECRET: 'cs' },
      [],
      'STOCKLINE_WOOCOMMERCE_URL',
    ],
    ['a WooCommerce webhook secret alone', { ...minimal, STOCKLINE_WOOCOMMERCE_WEBHOOK_SECRET: 'whsec' }, [], 'STOCKLINE_WOOCOMMERCE_URL'],
    ['a rate that is not a number', { ...minimal, STOCKLINE_FLIPKART_RPS: 'fast' }, [], 'STOCKLINE_FLIPKART_RPS'],
    [
      'a critical lag below the warning',
      { ...minimal, STOCKLINE_ALERT_LAG_WARN_MS: '5000', STOCKLINE_ALERT_LAG_CRITICAL_MS: '100' },
      [],
      'STOCKLINE_ALERT_LAG_CRITICAL_MS',
    ],
    ['a failure rate above 1', { ...minimal, STOCKLINE_ALERT_FAILURE_RATE: '5' }, [], 'STOCKLINE_ALERT_FAILURE_RATE'],
    ['an audit retention shorter than the idempotency window', { ...minimal, STOCKLINE_AUDIT_RETENTION_DAYS: '3' }, [], 'STOCKLINE_AUDIT_RETENTION_DAYS'],
    ['a negative feed retention', { ...minimal, STOCKLINE_FEED_RETENTION_MS: '-1' }, [], 'STOCKLINE_FEED_RETENTION_MS'],
    ['a Shopify poll interval that is not a number', { ...minimal, STOCKLINE_SHOPIFY_POLL_MS: 'often' }, [], 'STOCKLINE_SHOPIFY_POLL_MS'],
    ['a negative drift check rate', { ...minimal, STOCKLINE_DRIFT_CHECK_PER_MINUTE: '-5' }, [], 'STOCKLINE_DRIFT_CHECK_PER_MINUTE'],
  ];
  for (const [name, env, argv, variable] of bad) {
    it(`fails fast on ${name} with a sentence naming ${variable}`, () => {
      const err = failure(env, argv);
      expect(err.variable).toBe(variable);
      expect(err.message.startsWith(`${variable} `)).toBe(true);
      expect(err.message).toMatch(/\.$/);
      // The message may quote a bad value, never a secret.
      expect(err.message).not.toContain(SECRET);
      expect(err.message).not.toContain(OTHER_SECRET);
    });
  }
});

describe('logs', () => {
  it('never contain the signing secrets, the admin token or signatures, whatever is logged', async () => {
    const f = await apiFixture();
    try {
      const payload = JSON.stringify(events.received('LOG-1', 1));
      const signature = sign(SECRET, payload);
      const ok = await f.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'application/json', 'x-stockline-signature': signature },
        payload,
      });
      expect(ok.statusCode).toBe(200);
      await f.post(events.received('LOG-1', 1), { secret: 'wrong-secret-0123456789abcdef' });
      await f.admin('GET', '/v1/stock/LOG-1');
      await f.app.inject({ url: '/v1/stock', headers: { authorization: 'Bearer not-the-token-0123456' } });
      f.app.log.warn(
        { config: f.config, req: { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-stockline-signature': signature } } },
        'diagnostics',
      );
      const all = f.logs.join('');
      expect(f.logs.length).toBeGreaterThan(4);
      expect(all).toContain('diagnostics');
      expect(all).toContain('[redacted]');
      for (const secret of [SECRET, OTHER_SECRET, ADMIN_TOKEN, signature.split('v1=')[1]!]) expect(all).not.toContain(secret);
    } finally {
      await f.close();
    }
  });

  it('redact secrets nested in channel settings and error objects', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    const config = loadConfig({
      ...minimal,
      STOCKLINE_FLIPKART_APP_ID: 'app',
      STOCKLINE_FLIPKART_APP_SECRET: 'flipkart-app-secret',
      STOCKLINE_FLIPKART_LOCATION_ID: 'L1',
    });
    log.info(
      {
        channels: config.channels,
        err: { request: { headers: { Authorization: 'Bearer capital-token', authorization: 'Bearer hidden-token' } } },
      },
      'channel call failed',
    );
    const failure = Object.assign(new Error('upstream said 401'), { config: { headers: { Authorization: 'Bearer error-borne-token' } } });
    log.error({ err: failure }, 'push failed');
    log.error(failure);
    const out = lines.join('');
    expect(out).toContain('channel call failed');
    expect(out).toContain('upstream said 401');
    expect(out).not.toContain('error-borne-token');
    expect(out).not.toContain('flipkart-app-secret');
    expect(out).not.toContain('hidden-token');
    expect(out).not.toContain('capital-token');
  });
});
