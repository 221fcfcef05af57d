/**
 * Reconciliation for WooCommerce orders: WooCommerce never retries a failed webhook, so a
 * delivery lost to an outage would be lost for good. Every interval this reads
 * `GET orders?modified_after=<cursor − overlap>&dates_are_gmt=true&orderby=modified&order=asc`
 * page by page and records the same events the webhooks would (same ids, so whichever arrives
 * second is a duplicate). The cursor is the newest date_modified_gmt seen.
 *
 * While the store runs the Stockline plugin (`standAside`), the plugin is the order source: a pass
 * records nothing and moves the cursor to now, so if the plugin is later deactivated the poll
 * starts from then, not from orders the plugin already reported.
 */
import type { EventSink } from '../port';
import type { Cursor } from '../shopify/polling';
import type { WooClient } from './client';
import { wooOrderEvents } from './order-events';

export interface WooPollerOptions {
  site: string;
  tenant?: string;
  cursor: Cursor;
  /** Re-read this much before the cursor (WooCommerce dates have one-second precision). Default 60 s. */
  overlapMs?: number;
  /** Where the very first poll starts. Default 10 min ago. */
  initialLookbackMs?: number;
  /** True while another source reports this store's orders (the Stockline plugin). */
  standAside?: () => Promise<boolean>;
  /** The Stockline plugin's site id when it is known: orders are recorded under its ids (plugin-site.ts). */
  pluginSite?: () => Promise<string | undefined>;
  now?: () => number;
}

const gmt = (ms: number) => new Date(ms).toISOString().slice(0, 19);

export class WooOrderPoller {
  constructor(
    private client: WooClient,
    private opts: WooPollerOptions,
  ) {}

  /** One reconciliation pass; returns how many events it handed to the sink. */
  async pollOnce(sink: EventSink): Promise<number> {
    const now = (this.opts.now ?? Date.now)();
    let aside = false;
    try {
      aside = (await this.opts.standAside?.()) ?? false;
    } catch {
      // The store would not say (a security plugin refusing anonymous REST calls, say): poll anyway;
      // orders the plugin reported carry its meta and give no events (order-events.ts).
    }
    if (aside) {
      await this.opts.cursor.set(gmt(now));
      return 0;
    }
    const saved = await this.opts.cursor.get();
    const from = saved ? Date.parse(`${saved}Z`) - (this.opts.overlapMs ?? 60_000) : now - (this.opts.initialLookbackMs ?? 600_000);
    let newest = saved ?? gmt(from);
    let sent = 0;
    const pluginSite = await this.opts.pluginSite?.();
    for (let page = 1; ; page++) {
      const { data } = await this.client.get<{ id: number; status: string; date_modified_gmt: string }[]>('orders', {
        modified_after: gmt(from),
        dates_are_gmt: 'true',
        orderby: 'modified',
        order: 'asc',
        per_page: '100',
        page: String(page),
      });
      const events = data.flatMap((o) => wooOrderEvents(o, this.opts.site, this.opts.tenant, pluginSite));
      // The sink throwing stops the pass before the cursor moves: the next pass reads these again.
      if (events.length) await sink(events);
      sent += events.length;
      for (const o of data) if (o.date_modified_gmt > newest) newest = o.date_modified_gmt;
      // Oldest first, so everything up to this page is recorded: an interrupted pass resumes here.
      await this.opts.cursor.set(newest);
      if (data.length < 100) break;
    }
    return sent;
  }
}
