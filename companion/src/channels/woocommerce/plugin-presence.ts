/**
 * Whether the store runs the Stockline plugin. The plugin reports the store's orders itself, as
 * they happen, under its own ids (`wc<hash>:<order>:confirmed`). The REST poll and the order
 * webhooks would report the same orders again under other ids (`woocommerce:<host>:<order>:…`), and
 * the ledger would count each sale twice, then push the short count back to the store. So order
 * ingestion asks this first and stands aside while the plugin answers. The answer changes only
 * when someone activates or deactivates the plugin, so it is probed at most once per `ttlMs`.
 */
import type { WooClient } from './client';

export interface PluginPresenceOptions {
  /** How long an answer is trusted. Default 60 s. */
  ttlMs?: number;
  now?: () => number;
}

export class StorePluginPresence {
  private known: { present: boolean; at: number } | null = null;
  private probing: Promise<boolean> | null = null;

  constructor(
    private client: Pick<WooClient, 'probePlugin'>,
    private opts: PluginPresenceOptions = {},
  ) {}

  /** True while the store runs the plugin. Throws when the store cannot be asked (the caller retries later). */
  async active(): Promise<boolean> {
    const now = (this.opts.now ?? Date.now)();
    if (this.known && now - this.known.at < (this.opts.ttlMs ?? 60_000)) return this.known.present;
    // One probe at a time: a burst of webhooks waits for the same answer.
    this.probing ??= this.client
      .probePlugin()
      .then((present) => {
        this.known = { present, at: now };
        return present;
      })
      .finally(() => {
        this.probing = null;
      });
    return this.probing;
  }
}
