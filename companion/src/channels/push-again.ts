/**
 * One more try, within the same push, for items whose cached channel id is gone: the merchant
 * deleted and re-created the product, or a sandbox restarted. The adapter forgot that id while
 * answering (its mapping was invalidated), so the second try looks the SKU up afresh and lands on
 * its current listing instead of leaving a dead letter a person must retry. A SKU still unlisted
 * comes back not_found from that lookup.
 */
import type { ChannelError, PushItem, PushOutcome } from './port';

export async function pushWithRelookup(
  items: PushItem[],
  pushOnce: (items: PushItem[]) => Promise<PushOutcome[]>,
  /** The channel's error for an id it no longer has. */
  gone: (error: ChannelError) => boolean,
  /** The item as sent again (e.g. a key of its own where the channel ties a key to its parameters). */
  again: (item: PushItem) => PushItem = (item) => item,
): Promise<PushOutcome[]> {
  const out = await pushOnce(items);
  const retry = out.flatMap((o, i) => (o.status === 'failed' && gone(o.error) ? [i] : []));
  if (retry.length) {
    const second = await pushOnce(retry.map((i) => again(items[i]!)));
    retry.forEach((i, k) => (out[i] = second[k]!));
  }
  return out;
}
