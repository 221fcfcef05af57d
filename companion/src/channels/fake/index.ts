/** The conformance fake channel: sandbox server + adapter, used by propagation tests and the conformance suite. */
export { startFakeChannel, FAKE_DEFAULT_LIMITS, type FakeChannel, type FakeFaults, type AppliedWrite } from './sandbox';
export { createFakeAdapter, type FakeAdapterOptions } from './adapter';
import type { ChannelModule } from '../port';
import { createFakeAdapter, type FakeAdapterOptions } from './adapter';

export function createFakeChannel(opts: FakeAdapterOptions): ChannelModule {
  return { id: opts.id ?? 'fake', adapter: createFakeAdapter(opts), ingestion: {} };
}
