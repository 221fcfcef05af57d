/**
 * `--report direct`: the bench itself reports every accepted order to Stockline as the channel's
 * signed `order.confirmed` (POST /v1/events, batched every few ms), instead of the channel's own
 * order path (webhooks, notification queue, polling). Isolates ledger + propagation from the
 * channels' ingestion throughput.
 */
import { sign, SIGNATURE_HEADER } from '../../companion/src/http/signature';

export function createDirectReporter(o: { url: string; secret: string; flushMs?: number; maxBatch?: number }) {
  let queue: object[] = [];
  let inFlight = Promise.resolve();
  let seq = 0;
  let failed = 0;
  const flush = () => {
    if (queue.length === 0) return;
    const events = queue.splice(0, o.maxBatch ?? 200);
    const body = JSON.stringify({ events });
    inFlight = inFlight.then(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          const res = await fetch(`${o.url}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(o.secret, body) },
            body,
          });
          await res.arrayBuffer();
          if (res.ok) return;
        } catch {
          // retried below
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
      failed += events.length;
    });
  };
  const timer = setInterval(flush, o.flushMs ?? 5);
  return {
    report(channel: string, orderId: string | undefined, sku: string, qty: number) {
      const id = `bench-${channel}-${orderId ?? ++seq}`.replace(/[^A-Za-z0-9._:-]/g, '-');
      queue.push({ id, type: 'order.confirmed', source: channel, occurredAt: new Date().toISOString(), orderId: id, lines: [{ sku, qty }] });
      if (queue.length >= (o.maxBatch ?? 200)) flush();
    },
    async close(): Promise<number> {
      clearInterval(timer);
      while (queue.length) flush();
      await inFlight;
      return failed;
    },
  };
}
