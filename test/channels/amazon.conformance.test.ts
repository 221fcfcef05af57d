/** The Amazon adapter passes the ChannelAdapter conformance suite against the Amazon sandbox over real HTTP. */
import { amazonSandboxConfig, createAmazonChannel, startAmazonSandbox } from '../../companion/src/channels/amazon';
import { runAdapterConformance } from './conformance';

runAdapterConformance(
  'amazon',
  async () => {
    // ACCEPTED submissions apply after 30 ms here (minutes on Amazon); reads are polled until they match.
    const sandbox = await startAmazonSandbox({ applyDelayMs: 30 });
    const { adapter } = createAmazonChannel(amazonSandboxConfig(sandbox));
    return {
      adapter,
      sandbox,
      skus: ['AMZ-A', 'AMZ-B', 'AMZ-C', 'AMZ-D', 'AMZ-E', 'AMZ-F'],
      teardown: async () => {
        await adapter.close();
        await sandbox.close();
      },
    };
  },
  { eventualReadMs: 3000 },
);
