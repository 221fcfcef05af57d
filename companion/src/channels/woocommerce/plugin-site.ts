/**
 * The Stockline plugin's site id, remembered. The plugin sends a store's orders under ids
 * `{site}:{order}` (its site id, `wc` + 8 hex digits). While it is deactivated, this channel's
 * order poll and webhooks record the store's orders instead; under ids of their own
 * (`woocommerce:<host>:<order>`), an order made then and cancelled after the plugin came back
 * stayed committed for good: the plugin sent the cancel for an order the ledger did not know by
 * its id (re-test). So the poll uses the plugin's ids once it has seen the plugin say its site id
 * (GET /wp-json/stockline/v1, plugin-presence.ts), and the plugin, active again, sends the sales
 * made while it was off under the same ids (OrderRecovery::catch_up): whichever comes second is a
 * duplicate, and the order's later changes are the plugin's to send.
 *
 * Kept in Redis (the plugin is away exactly when it is needed, maybe across a restart of this
 * service); in memory when the channel runs without Redis.
 */
import type { Redis } from 'ioredis';

export class PluginSiteMemory {
  private known: string | undefined;
  private loaded = false;

  constructor(private store?: { redis: Redis; key: string }) {}

  /** The plugin's site id, or undefined when this store's plugin never said it. */
  async get(): Promise<string | undefined> {
    if (!this.loaded && this.store) {
      this.known = (await this.store.redis.get(this.store.key)) ?? this.known;
      this.loaded = true;
    }
    return this.known;
  }

  /** Remembers what the plugin said (written only when it changed). */
  async remember(siteId: string): Promise<void> {
    if (siteId === this.known && this.loaded) return;
    this.known = siteId;
    this.loaded = true;
    await this.store?.redis.set(this.store.key, siteId);
  }
}
