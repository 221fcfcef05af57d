/**
 * `--report direct`: the bench itself reports every accepted order to Stockline as the channel's
 * signed `order.confirmed` (POST /v1/events, batched every few ms, a few posts in flight), instead
 * of the channel's own order path (webhooks, notification queue, polling). Isolates ledger +
 * propagation from the channels' ingestion throughput. Records how long each order took to be
 * acknowledged by the ledger (the reporting delay, which bounds how soon any channel can hear of it).
 */
import { sign, SIGNATURE_HEADER } from '../../companion/src/http/signature';

export function createDirectReporter(o: { url: string; secret: string; flushMs?: number; maxBatch?: number; concurrency?: number }) {
  const maxBatch = o.maxBatch ?? 100;
  const concurrency = o.concurrency ?? 4;
  let queue: { event: object; at: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  const delays: number[] = [];
  let seq = 0;
  let failed = 0;

  async function post(batch: { event: object; at: number }[]): Promise<void> {
    const body = JSON.stringify({ events: batch.map((b) => b.event) });
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const res = await fetch(`${o.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(o.secret, body) },
          body,
        });
        await res.arrayBuffer();
        if (res.ok) {
          const now = Date.now();
          for (const b of batch) delays.push(now - b.at);
          return;
        }
      } catch {
        // retried below
      }
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    failed += batch.length;
  }

  const flush = () => {
    while (queue.length && inFlight.size < concurrency) {
      const p = post(queue.splice(0, maxBatch)).finally(() => {
        inFlight.delete(p);
        flush();
      });
      inFlight.add(p);
    }
  };
  const timer = setInterval(flush, o.flushMs ?? 2);
  return {
    report(channel: string, orderId: string | undefined, sku: string, qty: number) {
      const id = `bench-${channel}-${orderId ?? ++seq}`.replace(/[^A-Za-z0-9._:-]/g, '-');
      queue.push({ at: Date.now(), event: { id, type: 'order.confirmed', source: channel, occurredAt: new Date().toISOString(), orderId: id, lines: [{ sku, qty }] } });
    },
    /** Waits for every report; returns how many could not be delivered and the delay percentiles (ms). */
    async close(): Promise<{ failed: number; delayMs: { p50: number; p99: number; max: number } }> {
      clearInterval(timer);
      while (queue.length || inFlight.size) {
        flush();
        await Promise.race([...inFlight]);
      }
      const s = [...delays].sort((a, b) => a - b);
      const q = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? 0;
      return { failed, delayMs: { p50: q(0.5), p99: q(0.99), max: s[s.length - 1] ?? 0 } };
    },
  };
}
