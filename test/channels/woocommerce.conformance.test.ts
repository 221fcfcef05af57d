import { createWooCommerceChannel, startWooCommerceSandbox } from '../../companion/src/channels/woocommerce';
import { runAdapterConformance } from './conformance';

// Core WooCommerce has no rate limit; the throttling test runs against a host-level limiter
// (429 + Retry-After), which is what stores behind shared hosting or a proxy answer.
const hostRateLimit = { requestsPerSecond: 20, burst: 20 };

for (const mode of ['rest', 'plugin'] as const) {
  runAdapterConformance(`woocommerce (${mode})`, async () => {
    const pluginSecret = mode === 'plugin' ? 'tenant-secret' : undefined;
    const sandbox = await startWooCommerceSandbox({ hostRateLimit, pluginSecret });
    const { adapter } = createWooCommerceChannel(
      { url: sandbox.url, key: sandbox.credentials.key!, secret: sandbox.credentials.secret!, pluginSecret: 'tenant-secret', plugin: 'auto' },
      { tenant: 'default' },
    );
    return {
      adapter,
      sandbox,
      skus: ['WC-1', 'WC-2', 'WC-3', 'WC-4', 'WC-5'],
      teardown: async () => {
        await adapter.close();
        await sandbox.close();
      },
    };
  });
}
