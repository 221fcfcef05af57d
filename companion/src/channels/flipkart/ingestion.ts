/**
 * Flipkart orders into the ledger by polling POST /v3/shipments/filter for each shipment type
 * (preDispatch, postDispatch, cancelled), by modifiedDate windows that overlap the previous one so
 * a change that became visible late is still seen, following nextPageUrl. Duplicates (overlap,
 * repeated pages) are dropped by the per-item tracker and the ledger's event ids.
 */
import type { EventSink, OrderIngestion } from '../port';
import type { FlipkartClient } from './client';
import type { FlipkartOrderApplier } from './order-events';
import type { ShipmentFilterResponse, ShipmentType } from './wire';
import { loopUntilAborted, patiently, PollCursor, retryAfterOr, type CursorStore } from '../poll-kit';

export interface Logger {
  warn(obj: object, msg?: string): void;
}

export interface FlipkartIngestionOptions {
  pollIntervalMs?: number;
  overlapMs?: number;
  initialLookbackMs?: number;
  pageSize?: number;
  cursor?: CursorStore;
  logger?: Logger;
}

const TYPES: ShipmentType[] = ['preDispatch', 'postDispatch', 'cancelled'];

export class FlipkartOrderPoller {
  private readonly cursor: PollCursor;

  constructor(
    private readonly client: FlipkartClient,
    private readonly applier: FlipkartOrderApplier,
    private readonly opts: FlipkartIngestionOptions = {},
  ) {
    this.cursor = new PollCursor(opts.cursor);
  }

  /** One window over the three types; returns order items seen. */
  async pollOnce(sink: EventSink, signal?: AbortSignal): Promise<number> {
    const to = Date.now();
    const start = (await this.cursor.load()) ?? to - (this.opts.initialLookbackMs ?? 24 * 3600_000);
    const from = start - (this.opts.overlapMs ?? 10 * 60_000);
    let seen = 0;
    // Cancelled last: within one window a cancel then lands after the approval it undoes.
    for (const type of TYPES) {
      let page: ShipmentFilterResponse = await patiently(
        () =>
          this.client.filterShipments(
            {
              filter: { type, modifiedDate: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } },
              pagination: { pageSize: this.opts.pageSize ?? 20 },
            },
            signal,
          ),
        signal,
      );
      for (;;) {
        for (const shipment of page.shipments) {
          for (const item of shipment.orderItems) {
            seen += 1;
            await this.applier.apply(item, item.cancellationDate ?? shipment.updatedAt, sink);
          }
        }
        if (!page.hasMore || !page.nextPageUrl) break;
        const next = page.nextPageUrl;
        page = await patiently(() => this.client.nextShipments(next, signal), signal);
      }
    }
    await this.cursor.save(to);
    return seen;
  }

}

export function flipkartIngestion(client: FlipkartClient, applier: FlipkartOrderApplier, opts: FlipkartIngestionOptions): OrderIngestion {
  return {
    async start(sink: EventSink) {
      const abort = new AbortController();
      const poller = new FlipkartOrderPoller(client, applier, opts);
      const interval = opts.pollIntervalMs ?? 30_000;
      const loop = loopUntilAborted({
        signal: abort.signal,
        once: () => poller.pollOnce(sink, abort.signal),
        intervalMs: interval,
        retryMs: (err) => Math.max(interval, retryAfterOr(5_000)(err)),
        onError: (err) => opts.logger?.warn({ err, channel: 'flipkart' }, 'shipments poll failed; retrying'),
      });
      return async () => {
        abort.abort();
        await loop;
      };
    },
  };
}
