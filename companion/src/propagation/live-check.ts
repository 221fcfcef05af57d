/**
 * A person's "check the channels now" for one SKU (POST /v1/sync/:sku/check, the Stock page):
 * what each channel shows, read from the channel, not what Stockline last set there. Where it
 * differs from what the channel should show, the channel's number becomes the acknowledged one
 * (as a read-back's 'reread') and the SKU is pushed again there, so the next push sets the right
 * number. Without it a drift (a count typed on the channel, a write the channel lost) waited for
 * the SKU's next change, while the page showed "last set 10 ✓" for a channel at 50 (a trial).
 */
import type { SyncCore } from './core';
import { showsRight } from './rules';
import { forgetShown } from './sync-keys';
import { pushAgainOver } from './verify';

export interface LiveCell {
  /** What the channel shows now; null when it has no listing for the SKU. */
  shown: number | null;
  /** What it should show (rules, pauses and lead time applied). */
  expected: number;
  matches: boolean;
  /** Differed and listed: pushed again. */
  pushedAgain: boolean;
  /** The channel could not be read (its message); the other fields then say what Stockline last set. */
  error?: string;
}

export async function checkLive(core: SyncCore, tenant: string, sku: string): Promise<Record<string, LiveCell>> {
  const [status] = await core.syncStatus(tenant, [sku]);
  const out: Record<string, LiveCell> = {};
  await Promise.all(
    core.adapters.map(async (adapter) => {
      const channel = adapter.id;
      const believed = status?.channels[channel];
      const expected = believed?.expected ?? 0;
      let shown: number | null;
      try {
        shown = (await adapter.read([sku])).get(sku) ?? null;
      } catch (err) {
        out[channel] = { shown: believed?.shown ?? null, expected, matches: believed?.matches ?? false, pushedAgain: false, error: err instanceof Error ? err.message : String(err) };
        return;
      }
      const matches = showsRight(shown, expected);
      const pushedAgain = !matches && shown !== null;
      if (pushedAgain && shown !== null) {
        await pushAgainOver(core, tenant, channel, new Map([[sku, shown]]));
      }
      // Not listed any more: forget what Stockline believed it shows, so the page says so (a trial
      // read "9 ✓" after this check had said "has no listing for it").
      if (shown === null && believed?.shown !== null && believed?.shown !== undefined) await forgetShown(core.deps.redis, core.deps.keys, tenant, channel, [sku]);
      out[channel] = { shown, expected, matches, pushedAgain };
    }),
  );
  return out;
}
