/**
 * Outbound webhook deliveries of a sandbox, shaped by the fault config: batched per tick so
 * `reorder` can shuffle them, duplicated at `duplicateRate`, held back by `deliveryDelayMs`,
 * retried with the original bytes on non-2xx (Shopify: 8 retries; WooCommerce: none, disabled
 * after more than 5 failures). `idle()` lets tests await delivery instead of sleeping.
 */
import type { Faults } from '../../sandbox-kit/faults';

export interface Delivery {
  id: string;
  topic: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryRecord {
  id: string;
  topic: string;
  attempt: number;
  status: number | 'error';
}

export interface OutboxOptions {
  /** Delay before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
  timeoutMs: number;
  /** Stop delivering once this many deliveries in a row failed for good (0 = never). */
  disableAfterFailures: number;
  /** Counts HTTP statuses in [200, okBelow) as delivered (Shopify 300, WooCommerce 303). */
  okBelow: number;
}

export class WebhookOutbox {
  readonly log: DeliveryRecord[] = [];
  private pending: Delivery[] = [];
  private sent = new Map<string, Delivery>();
  private outstanding = 0;
  private waiters: (() => void)[] = [];
  private flushScheduled = false;
  private consecutiveFailures = 0;
  private closed = false;
  disabled = false;
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    private faults: Faults,
    private opts: OutboxOptions,
  ) {}

  enqueue(delivery: Delivery): void {
    if (this.disabled || this.closed) return;
    this.sent.set(delivery.id, delivery);
    this.pending.push(delivery);
    this.outstanding++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.later(() => this.flush(), this.faults.deliveryDelayMs);
    }
  }

  /** Queues a past delivery again, byte for byte (late redelivery). */
  redeliver(id: string): boolean {
    const d = this.sent.get(id);
    if (!d) return false;
    this.enqueue(d);
    return true;
  }

  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.outstanding = 0;
    this.settle();
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    const shaped = this.faults.shapeDeliveries(batch);
    // Duplicates are extra sends of an already counted delivery.
    this.outstanding += shaped.length - batch.length;
    for (const d of shaped) await this.send(d, 0);
  }

  private async send(d: Delivery, attempt: number): Promise<void> {
    if (this.closed) return;
    let status: number | 'error' = 'error';
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 'error';
    }
    if (this.closed) return;
    this.log.push({ id: d.id, topic: d.topic, attempt, status });
    const ok = typeof status === 'number' && status >= 200 && status < this.opts.okBelow;
    if (ok) {
      this.consecutiveFailures = 0;
      return this.done();
    }
    const delay = this.opts.retryDelaysMs[attempt];
    if (delay !== undefined) {
      this.later(() => void this.send(d, attempt + 1), delay);
      return;
    }
    this.consecutiveFailures++;
    if (this.opts.disableAfterFailures > 0 && this.consecutiveFailures >= this.opts.disableAfterFailures) this.disabled = true;
    this.done();
  }

  private done(): void {
    this.outstanding--;
    this.settle();
  }

  private settle(): void {
    if (this.outstanding > 0) return;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
