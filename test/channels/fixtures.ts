/** Shared by the channel tests: push items, the error a push throws, and a sandbox + adapter pair. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { ChannelError, type ChannelModule, type PushItem } from '../../companion/src/channels/port';

export const item = (sku: string, quantity: number, expected?: number | null, key: string = randomUUID()): PushItem => ({
  sku,
  quantity,
  expected,
  version: 1,
  idempotencyKey: key,
});

/** The ChannelError a push rejected with (fails the test if it resolved or threw anything else). */
export async function pushError(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

export interface ChannelFixture<S extends { close(): Promise<void> }> {
  sandbox: S;
  channel: ChannelModule;
  close(): Promise<void>;
}

/** A running sandbox and the real channel pointed at it; close() stops the adapter before the sandbox. */
export function channelFixture<S extends { close(): Promise<void> }>(sandbox: S, channel: ChannelModule): ChannelFixture<S> {
  return {
    sandbox,
    channel,
    close: async () => {
      await channel.adapter.close();
      await sandbox.close();
    },
  };
}
