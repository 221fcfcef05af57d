/**
 * The channel blocks of the environment (STOCKLINE_WOOCOMMERCE_*, _SHOPIFY_*, _AMAZON_*,
 * _FLIPKART_*), read for loadConfig (config.ts): a block is all set or not at all.
 */
import type { Config } from './config';
import type { Reader } from './config-reader';

/**
 * A channel block is "set" when any of its credential variables is; then every required one
 * must be. Base-URL variables alone do not set a block: they only override the real service.
 */
function channelBlock<T>(r: Reader, names: string[], build: () => T): T | undefined {
  return names.some((n) => r.raw(n) !== undefined) ? build() : undefined;
}

export function channels(r: Reader): Config['channels'] {
  const need = (channel: string, name: string) =>
    r.raw(name) ?? r.fail(name, `must be set because other ${channel} variables are; set it or unset the whole ${channel} block.`);
  const out: Config['channels'] = {};
  const wooVars = ['URL', 'KEY', 'SECRET', 'WEBHOOK_SECRET'].map((s) => `STOCKLINE_WOOCOMMERCE_${s}`);
  const woo = channelBlock(r, wooVars, () => {
    // Optional: the secret of the store's order webhooks (WooCommerce → Settings → Advanced →
    // Webhooks), for a store without the plugin; without it only the 60-s order poll runs.
    const webhookSecret = r.raw('STOCKLINE_WOOCOMMERCE_WEBHOOK_SECRET');
    return {
      url: r.url('STOCKLINE_WOOCOMMERCE_URL', need('WooCommerce', 'STOCKLINE_WOOCOMMERCE_URL')),
      key: need('WooCommerce', 'STOCKLINE_WOOCOMMERCE_KEY'),
      secret: need('WooCommerce', 'STOCKLINE_WOOCOMMERCE_SECRET'),
      ...(webhookSecret ? { webhookSecret } : {}),
    };
  });
  if (woo) out.woocommerce = woo;
  const shopifyVars = ['SHOP', 'TOKEN', 'LOCATION_ID', 'WEBHOOK_SECRET'].map((s) => `STOCKLINE_SHOPIFY_${s}`);
  const shopify = channelBlock(r, shopifyVars, () => {
    const url = r.optionalUrl('STOCKLINE_SHOPIFY_URL');
    return {
      shop: need('Shopify', 'STOCKLINE_SHOPIFY_SHOP'),
      token: need('Shopify', 'STOCKLINE_SHOPIFY_TOKEN'),
      locationId: need('Shopify', 'STOCKLINE_SHOPIFY_LOCATION_ID'),
      webhookSecret: need('Shopify', 'STOCKLINE_SHOPIFY_WEBHOOK_SECRET'),
      ...(url ? { url } : {}),
    };
  });
  if (shopify) out.shopify = shopify;
  const amazonVars = ['URL', 'LWA_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'REFRESH_TOKEN', 'SELLER_ID', 'MARKETPLACE_IDS'].map(
    (s) => `STOCKLINE_AMAZON_${s}`,
  );
  const amazon = channelBlock(r, amazonVars.slice(2), () => ({
    url: r.url('STOCKLINE_AMAZON_URL', 'https://sellingpartnerapi-na.amazon.com'),
    lwaUrl: r.url('STOCKLINE_AMAZON_LWA_URL', 'https://api.amazon.com/auth/o2/token'),
    clientId: need('Amazon', 'STOCKLINE_AMAZON_CLIENT_ID'),
    clientSecret: need('Amazon', 'STOCKLINE_AMAZON_CLIENT_SECRET'),
    refreshToken: need('Amazon', 'STOCKLINE_AMAZON_REFRESH_TOKEN'),
    sellerId: need('Amazon', 'STOCKLINE_AMAZON_SELLER_ID'),
    marketplaceIds: need('Amazon', 'STOCKLINE_AMAZON_MARKETPLACE_IDS')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...amazonSqs(r),
  }));
  if (amazon) out.amazon = amazon;
  const flipkartVars = ['APP_ID', 'APP_SECRET', 'LOCATION_ID'].map((s) => `STOCKLINE_FLIPKART_${s}`);
  const flipkart = channelBlock(r, flipkartVars, () => ({
    url: r.url('STOCKLINE_FLIPKART_URL', 'https://api.flipkart.net/sellers'),
    appId: need('Flipkart', 'STOCKLINE_FLIPKART_APP_ID'),
    appSecret: need('Flipkart', 'STOCKLINE_FLIPKART_APP_SECRET'),
    locationId: need('Flipkart', 'STOCKLINE_FLIPKART_LOCATION_ID'),
  }));
  if (flipkart) out.flipkart = flipkart;
  return out;
}

/** Optional ORDER_CHANGE queue: all four variables or none. */
function amazonSqs(r: Reader): { sqs?: NonNullable<Config['channels']['amazon']>['sqs'] } {
  const names = ['QUEUE_URL', 'REGION', 'ACCESS_KEY_ID', 'SECRET_ACCESS_KEY'].map((s) => `STOCKLINE_AMAZON_SQS_${s}`);
  if (!names.some((n) => r.raw(n) !== undefined)) return {};
  const need = (n: string) =>
    r.raw(n) ?? r.fail(n, 'must be set because other STOCKLINE_AMAZON_SQS_ variables are; set all four or none.');
  return {
    sqs: {
      queueUrl: r.url(names[0]!, need(names[0]!)),
      region: need(names[1]!),
      accessKeyId: need(names[2]!),
      secretAccessKey: need(names[3]!),
    },
  };
}

