/**
 * Whether the store runs the Stockline plugin. The plugin reports the store's orders itself, as
 * they happen, under its own ids (`wc<hash>:<order>:confirmed`). The REST poll and the order
 * webhooks would report the same orders again under other ids (`woocommerce:<host>:<order>:…`), and
 * the ledger would count each sale twice, then push the short count back to the store. So order
 * ingestion asks this first and stands aside while the plugin answers; the adapter asks it too, to
 * push through the plugin's compare-and-set endpoint. One answer serves both. It changes only when
 * someone activates or deactivates the plugin, so it is probed at most once per `ttlMs`, or again
 * at once after `forget()` (a push found the plugin's route gone).
 */
import type { WooClient } from './client';
import type { PluginSiteMemory } from './plugin-site';

/** How long an answer is trusted by default. */
export const PLUGIN_PRESENCE_TTL_MS = 60_000;

export interface PluginPresenceOptions {
  /** How long an answer is trusted. Default PLUGIN_PRESENCE_TTL_MS. */
  ttlMs?: number;
  /** Where the site id the plugin says in its answer is kept (plugin-site.ts). */
  site?: PluginSiteMemory;
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
    if (this.known && now - this.known.at < (this.opts.ttlMs ?? PLUGIN_PRESENCE_TTL_MS)) return this.known.present;
    // One probe at a time: a burst of webhooks waits for the same answer.
    this.probing ??= this.client
      .probePlugin()
      .then(async ({ present, siteId }) => {
        this.known = { present, at: now };
        if (siteId) await this.opts.site?.remember(siteId).catch(() => undefined); // kept next time
        return present;
      })
      .finally(() => {
        this.probing = null;
      });
    return this.probing;
  }

  /** Drops the answer: the next active() asks the store. */
  forget(): void {
    this.known = null;
  }
}
