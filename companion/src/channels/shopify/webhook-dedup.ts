/**
 * Delivery-level dedup for webhook receivers (Shopify `X-Shopify-Webhook-Id`, WooCommerce
 * delivery id + resource id). A delivery is remembered only after its events reached the
 * ledger, so a failed attempt is processed again when the channel retries. This is a fast path:
 * the event ids themselves make a second application harmless in the ledger.
 */
import type { Redis } from 'ioredis';

export interface DedupOptions {
  redis?: Redis;
  key: (deliveryId: string) => string;
  ttlSeconds?: number;
  /** In-memory entries kept when there is no Redis. */
  maxMemory?: number;
}

export class WebhookDedup {
  private memory = new Map<string, number>();

  constructor(private opts: DedupOptions) {}

  async seen(deliveryId: string): Promise<boolean> {
    if (this.opts.redis) return (await this.opts.redis.exists(this.opts.key(deliveryId))) === 1;
    return this.memory.has(deliveryId);
  }

  async remember(deliveryId: string): Promise<void> {
    if (this.opts.redis) {
      await this.opts.redis.set(this.opts.key(deliveryId), '1', 'EX', this.opts.ttlSeconds ?? 7 * 24 * 3600);
      return;
    }
    this.memory.set(deliveryId, Date.now());
    const max = this.opts.maxMemory ?? 10_000;
    if (this.memory.size > max) this.memory.delete(this.memory.keys().next().value!);
  }
}
