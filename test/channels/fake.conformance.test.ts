import { createFakeAdapter, startFakeChannel } from '../../companion/src/channels/fake';
import { runAdapterConformance } from './conformance';

runAdapterConformance('fake', async () => {
  const sandbox = await startFakeChannel({ id: 'fake', limits: { batchSize: 5, requestsPerSecond: 10, burst: 5 } });
  const adapter = createFakeAdapter({ id: 'fake', url: sandbox.url, token: sandbox.token, limits: sandbox.limits, timeoutMs: 2000 });
  return {
    adapter,
    sandbox,
    skus: ['F-1', 'F-2', 'F-3', 'F-4', 'F-5', 'F-6'],
    teardown: async () => {
      await adapter.close();
      await sandbox.close();
    },
  };
});
