/** Shared by the WooCommerce tests: a sandbox + a real adapter pointed at it over HTTP. */
import { createWooCommerceChannel, startWooCommerceSandbox, type WooCommerceSandboxHandle, type WooCommerceSandboxOptions } from '../../companion/src/channels/woocommerce';
import type { WooCommerceChannelConfig } from '../../companion/src/channels/woocommerce';
import { channelFixture, type ChannelFixture } from './fixtures';

export type WooFixture = ChannelFixture<WooCommerceSandboxHandle>;

export async function wooFixture(opts: WooCommerceSandboxOptions = {}, config: Partial<WooCommerceChannelConfig> = {}): Promise<WooFixture> {
  const sandbox = await startWooCommerceSandbox(opts);
  const channel = createWooCommerceChannel(
    {
      url: sandbox.url,
      key: sandbox.credentials.key!,
      secret: sandbox.credentials.secret!,
      webhookSecret: sandbox.webhookSecret,
      pluginSecret: opts.pluginSecret,
      ...config,
    },
    { tenant: 'default' },
  );
  return channelFixture(sandbox, channel);
}
