/** The Flipkart adapter passes the ChannelAdapter conformance suite against the Flipkart sandbox over real HTTP. */
import { createFlipkartChannel, flipkartSandboxConfig, startFlipkartSandbox } from '../../companion/src/channels/flipkart';
import { runAdapterConformance } from './conformance';

runAdapterConformance('flipkart', async () => {
  const sandbox = await startFlipkartSandbox();
  const { adapter } = createFlipkartChannel(flipkartSandboxConfig(sandbox));
  return {
    adapter,
    sandbox,
    skus: Array.from({ length: 11 }, (_, i) => `FK-${i}`),
    teardown: async () => {
      await adapter.close();
      await sandbox.close();
    },
  };
});
