/**
 * Builds the channel modules a process runs: a channel whose block is set in the configuration
 * talks to the real service; the others are pointed at the local sandboxes started in sandbox
 * mode (channels/sandboxes.ts). Both paths use the same adapter code.
 */
import type { Redis } from 'ioredis';
import { CHANNEL_IDS, type Config } from '../config';
import type { Keys } from '../ledger/keys';
import type { Logger } from '../logger';
import { createAmazonChannel, SqsNotificationSource } from './amazon';
import { createFlipkartChannel } from './flipkart';
import type { ChannelModule } from './port';
import type { SandboxChannels } from './sandboxes';
import { createShopifyChannel } from './shopify';
import { createWooCommerceChannel } from './woocommerce';

// The one list of channel ids is config.ts's (the configuration reads a block per channel).
export { CHANNEL_IDS, type ChannelId } from '../config';

export interface RegistryDeps {
  redis: Redis;
  keys: Keys;
  logger: Logger;
  tenant: string;
}

export function createChannelModules(config: Readonly<Config>, deps: RegistryDeps, sandbox?: SandboxChannels): ChannelModule[] {
  const c = config.channels;
  const secret = config.tenants[deps.tenant]?.secret;
  const modules: ChannelModule[] = [];
  for (const id of CHANNEL_IDS) {
    switch (id) {
      case 'woocommerce': {
        // The store's own plugin verifies pushes with the tenant's Stockline secret.
        const block = c.woocommerce ? { ...c.woocommerce, pluginSecret: secret } : sandbox?.woocommerce;
        if (block) modules.push(createWooCommerceChannel(block, deps));
        break;
      }
      case 'shopify': {
        const block = c.shopify ?? sandbox?.shopify;
        const poll = config.propagation.shopifyPollMs;
        if (block) modules.push(createShopifyChannel(poll === undefined ? block : { ...block, pollIntervalMs: poll }, deps));
        break;
      }
      case 'amazon': {
        const real = c.amazon && {
          ...c.amazon,
          ...(c.amazon.sqs ? { notifications: new SqsNotificationSource(c.amazon.sqs) } : {}),
        };
        const block = real ?? sandbox?.amazon;
        if (block) modules.push(createAmazonChannel(block, deps));
        break;
      }
      case 'flipkart': {
        const block = c.flipkart ?? sandbox?.flipkart;
        if (block) modules.push(createFlipkartChannel(block, deps));
        break;
      }
    }
  }
  return modules;
}
