/**
 * GET /v1/sync/out-of-step: the SKUs some channel does not show what it should (by Stockline's
 * record of what each channel accepted: a failed or parked push, a pause not yet through, a
 * drift the sweep found), in SKU order, so a merchant with thousands of SKUs finds the few that
 * need a look without paging through all of them (a trial: ~160 pages to find WooCommerce's
 * parked SKUs). The work of one request is bounded: at most `scanMax` SKUs are looked at, and the
 * cursor says where the next request goes on.
 */
import type { StockState } from '../schemas/stock';
import type { SyncCore } from './core';

const PAGE = 200;

export interface OutOfStepPage {
  items: { state: StockState; channels: Awaited<ReturnType<SyncCore['syncStatus']>>[number]['channels'] }[];
  /** Where to go on (the last SKU looked at); null when the catalogue's end was reached. */
  nextCursor: string | null;
  /** SKUs looked at by this request. */
  scanned: number;
}

export async function outOfStep(core: SyncCore, tenant: string, o: { prefix?: string; cursor?: string; limit: number; scanMax?: number }): Promise<OutOfStepPage> {
  const scanMax = o.scanMax ?? 5_000;
  const items: OutOfStepPage['items'] = [];
  let cursor = o.cursor;
  let scanned = 0;
  while (scanned < scanMax) {
    const page = await core.deps.ledger.listStock(tenant, { prefix: o.prefix, cursor, limit: Math.min(PAGE, scanMax - scanned) });
    if (!page.items.length) return { items, nextCursor: null, scanned };
    const sync = await core.syncStatus(tenant, page.items.map((s) => s.sku));
    for (const [i, state] of page.items.entries()) {
      scanned++;
      const channels = sync[i]!.channels;
      if (Object.values(channels).some((c) => !c.matches)) items.push({ state, channels });
      // A full page: go on after this SKU next time.
      if (items.length >= o.limit) return { items, nextCursor: i < page.items.length - 1 || page.nextCursor ? state.sku : null, scanned };
    }
    if (!page.nextCursor) return { items, nextCursor: null, scanned };
    cursor = page.nextCursor;
  }
  return { items, nextCursor: cursor ?? null, scanned };
}
