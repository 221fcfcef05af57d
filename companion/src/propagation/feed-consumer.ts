/**
 * Reads the ledger's change feed (keys.changes(tenant), one stream per tenant) with a consumer
 * group and turns each entry into dirty (channel, sku) marks plus queued jobs. An entry is
 * acknowledged only after its jobs are enqueued (at-least-once); entries left pending by a
 * consumer that died are taken over with XAUTOCLAIM. Replaying an entry is harmless: the dirty
 * mark keeps the earliest time (ZADD NX) and jobs are deduplicated.
 * Also returns expired leases (jobs that died holding SKUs) to the dirty set, and trims entries
 * every group acknowledged once they are older than feedRetentionMs (feed-trim.ts).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SyncCore } from './core';
import { trimFeed } from './feed-trim';
import { forgetShown } from './sync-keys';

export const FEED_GROUP = 'propagation';

/**
 * Changes after which the channel they came from shows a number of its own: a count typed there
 * (a stock edit in WooCommerce, a restock on a refund), or units it put back on sale itself when an
 * order or hold of its own was cancelled (every marketplace, and WooCommerce, restores the units
 * of a cancelled order).
 */
const PUT_BACK_BY_CHANNEL = new Set(['stock.adjusted', 'stock.received', 'order.cancelled', 'stock.released']);

type StreamEntry = [id: string, fields: string[]];

export interface FeedConsumer {
  readonly name: string;
  close(): Promise<void>;
  /** Resolves once every tenant's group exists and the first read is under way (tests). */
  ready: Promise<void>;
}

export function startFeedConsumer(core: SyncCore, blocking: Redis): FeedConsumer {
  const { redis, keys, settings, logger } = core.deps;
  const name = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const groups = new Set<string>();
  const cluster = (blocking as unknown as { isCluster?: boolean }).isCluster === true;
  let running = true;
  // After a failed hand-off, our own unacknowledged entries are read again ('0' instead of '>').
  let replayOwn = false;
  let lastReap = 0;
  let lastClaim = 0;
  let lastTrim = 0;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));

  const ensureGroup = async (tenant: string) => {
    if (groups.has(tenant)) return;
    try {
      // From the start of the stream: entries written before propagation first ran still count.
      await redis.xgroup('CREATE', keys.changes(tenant), FEED_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    groups.add(tenant);
  };

  const handle = async (tenant: string, entries: StreamEntry[]) => {
    if (!entries.length) return;
    const since = new Map<string, number>();
    // Per SKU, while every change to it in these entries is one channel's order: that channel
    // and the earliest sale's time (null once anything else changed it).
    const ownSales = new Map<string, { channel: string; soldAt: number } | null>();
    const sales: { at: number; sku: string; channel: string }[] = [];
    // Counts the channel changed itself (see PUT_BACK_BY_CHANNEL): per channel, its SKUs.
    const editedOn = new Map<string, Set<string>>();
    // Per SKU: whether every change to it here is a catalogue import (`bulk`): pushed behind real changes.
    const onlyImported = new Map<string, boolean>();
    for (const [, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      const at = Number(f.at) || Date.now();
      let skus: string[] = [];
      try {
        skus = JSON.parse(f.skus ?? '[]') as string[];
      } catch {
        logger.warn({ tenant, entry: f }, 'change-feed entry with unreadable skus; skipped');
      }
      const order = f.type === 'order.confirmed';
      // The channel that sold it ('' for a sale of no channel's: manual, a POS…).
      const soldOn = order && f.source && core.channelIds.includes(f.source) ? f.source : '';
      const soldAt = soldOn ? Date.parse(f.occurred ?? '') : NaN;
      // Every order counts into the SKU's pace of sales (a reservation counts once it is confirmed).
      if (order) for (const sku of skus) sales.push({ at, sku, channel: soldOn });
      if (PUT_BACK_BY_CHANNEL.has(f.type ?? '') && f.source && core.channelIds.includes(f.source)) {
        const set = editedOn.get(f.source) ?? editedOn.set(f.source, new Set()).get(f.source)!;
        for (const sku of skus) set.add(sku);
      }
      for (const sku of skus) {
        onlyImported.set(sku, (onlyImported.get(sku) ?? true) && f.bulk === '1');
        const prev = since.get(sku);
        if (prev === undefined || at < prev) since.set(sku, at);
        const own = ownSales.get(sku);
        if (own === null) continue;
        if (Number.isNaN(soldAt) || (own && own.channel !== soldOn)) ownSales.set(sku, null);
        else ownSales.set(sku, { channel: soldOn, soldAt: Math.min(own?.soldAt ?? soldAt, soldAt) });
      }
    }
    // The channel shows a number of its own now, not the one we last told it: forget that one (and
    // its own sales counted against it), so the next push is an absolute set and is not skipped as
    // "already shown". A paused, oversold or capped SKU would otherwise keep selling the units
    // (trials: 30 typed in WooCommerce on a paused SKU sold 2; a cancelled Flipkart order put 1
    // back on an oversold SKU, sold again; a Shopify cap of 5 showed 7 after a cancel).
    await Promise.all([...editedOn].map(([channel, skus]) => forgetShown(redis, keys, tenant, channel, [...skus])));
    const imported = new Set([...onlyImported].filter(([, only]) => only).map(([sku]) => sku));
    await Promise.all([core.markDirty(tenant, since, undefined, false, ownSales, imported), core.countSales(tenant, sales)]);
    await redis.xack(keys.changes(tenant), FEED_GROUP, ...entries.map(([id]) => id));
  };

  const housekeeping = async (tenants: string[]) => {
    const now = Date.now();
    if (now - lastClaim >= Math.min(settings.claimIdleMs, 10_000)) {
      lastClaim = now;
      for (const t of tenants) {
        let cursor = '0-0';
        do {
          const res = (await redis.xautoclaim(keys.changes(t), FEED_GROUP, name, settings.claimIdleMs, cursor, 'COUNT', 500)) as [string, StreamEntry[], string[]?];
          cursor = res[0];
          await handle(t, res[1].filter((e) => e && e[1]));
        } while (cursor !== '0-0' && running);
      }
    }
    if (now - lastReap >= settings.reapEveryMs) {
      lastReap = now;
      for (const t of tenants) await core.reap(t);
    }
    if (now - lastTrim >= settings.feedTrimEveryMs) {
      lastTrim = now;
      for (const t of tenants) {
        // A failed trim only leaves entries for the next one; it must not stop the reading.
        await trimFeed(redis, keys.changes(t), settings.feedRetentionMs, now).catch((err: unknown) =>
          logger.warn({ err, tenant: t }, 'change-feed trim failed; trying again later'),
        );
      }
    }
  };

  const loop = async () => {
    while (running) {
      try {
        const tenants = await core.tenants();
        for (const t of tenants) await ensureGroup(t);
        await housekeeping(tenants);
        markReady();
        if (!tenants.length) {
          await new Promise((r) => setTimeout(r, Math.min(settings.readBlockMs, 500)));
          continue;
        }
        const streams = tenants.map((t) => keys.changes(t));
        if (cluster) {
          // Each tenant's stream lives in its own slot: one non-blocking read per tenant.
          let got = 0;
          for (const [i, stream] of streams.entries()) {
            const res = (await blocking.xreadgroup('GROUP', FEED_GROUP, name, 'COUNT', settings.readCount, 'STREAMS', stream, replayOwn ? '0' : '>')) as [string, StreamEntry[]][] | null;
            for (const [, entries] of res ?? []) {
              got += entries.length;
              await handle(tenants[i]!, entries);
            }
          }
          replayOwn = false;
          if (!got) await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        // One blocking read over every tenant's stream (a single Redis).
        const replay = replayOwn;
        const res = (await blocking.xreadgroup(
          'GROUP', FEED_GROUP, name,
          'COUNT', settings.readCount,
          'BLOCK', settings.readBlockMs,
          'STREAMS', ...streams, ...streams.map(() => (replay ? '0' : '>')),
        )) as [string, StreamEntry[]][] | null;
        // Entries of ours still pending after a full page mean there may be more to replay.
        if (replay) replayOwn = !!res && res.some(([, entries]) => entries.length >= settings.readCount);
        if (!res) continue;
        for (const [stream, entries] of res) {
          const tenant = tenants[streams.indexOf(stream)];
          if (tenant !== undefined) await handle(tenant, entries);
        }
      } catch (err) {
        if (!running) break;
        replayOwn = true;
        if (String((err as Error).message).includes('NOGROUP')) groups.clear();
        logger.error({ err }, 'change-feed consumer error; retrying');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const done = loop();

  return {
    name,
    ready,
    async close() {
      running = false;
      // Wakes the blocking read at once instead of waiting out BLOCK.
      blocking.disconnect();
      await done;
    },
  };
}
