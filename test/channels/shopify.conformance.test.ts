import { createShopifyChannel, startShopifySandbox } from '../../companion/src/channels/shopify';
import { runAdapterConformance } from './conformance';

runAdapterConformance('shopify', async () => {
  // Default bucket (1000 points, 100/s restore) with THROTTLED at HTTP 200, as Shopify does.
  const sandbox = await startShopifySandbox();
  const { adapter } = createShopifyChannel(
    { shop: sandbox.shop, token: sandbox.credentials.token!, locationId: sandbox.locationId, webhookSecret: sandbox.webhookSecret, url: sandbox.url },
    { tenant: 'default' },
  );
  return {
    adapter,
    sandbox,
    skus: ['SH-1', 'SH-2', 'SH-3', 'SH-4', 'SH-5'],
    teardown: async () => {
      await adapter.close();
      await sandbox.close();
    },
  };
});
