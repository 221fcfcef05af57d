/**
 * `--report direct`: the bench itself reports every accepted order to Stockline as the channel's
 * signed `order.confirmed` (POST /v1/events, batched every few ms, a few posts in flight, over undici's request: fetch would cost the shared CPU ~5× more per call), instead
 * of the channel's own order path (webhooks, notification queue, polling). Isolates ledger +
 * propagation from the channels' ingestion throughput. Records how long each order took to be
 * acknowledged by the ledger (the reporting delay, which bounds how soon any channel can hear of it).
 */
import { httpRequest, parseJson } from '../../companion/src/channels/http';
import { sign, SIGNATURE_HEADER } from '../../companion/src/http/signature';

export function createDirectReporter(o: { url: string; secret: string; flushMs?: number; maxBatch?: number; concurrency?: number; /** Event and hold ids start with it (default 'bench'): two reporters in one run must not share ids. */ idPrefix?: string }) {
  const idPrefix = o.idPrefix ?? 'bench';
  const maxBatch = o.maxBatch ?? 100;
  const concurrency = o.concurrency ?? 4;
  let queue: { event: object; at: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  const delays: number[] = [];
  let seq = 0;
  let failed = 0;
  /** Why each undelivered batch failed (its last attempt's answer or error). */
  const failures: string[] = [];

  async function post(batch: { event: object; at: number }[]): Promise<void> {
    const body = JSON.stringify({ events: batch.map((b) => b.event) });
    let lastFailure = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const res = await httpRequest(`${o.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(o.secret, body) },
          body,
          timeoutMs: 30_000,
        });
        if (res.status >= 200 && res.status < 300) {
          const now = Date.now();
          for (const b of batch) delays.push(now - b.at);
          return;
        }
        lastFailure = `HTTP ${res.status}: ${res.text.slice(0, 300)}`;
      } catch (err) {
        lastFailure = String((err as Error)?.message ?? err);
      }
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    failed += batch.length;
    failures.push(lastFailure);
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
  /** One signed event, answered now (the checkout guard cannot wait for a batch). */
  async function postNow(event: object, timeoutMs: number): Promise<{ status: string } | null> {
    const body = JSON.stringify(event);
    try {
      const res = await httpRequest(`${o.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(o.secret, body) },
        body,
        timeoutMs,
      });
      const json = parseJson<{ status?: string; results?: { status: string }[] }>(res.text, {});
      return { status: json.status ?? json.results?.[0]?.status ?? `http-${res.status}` };
    } catch {
      return null;
    }
  }

  let holds = 0;
  const verdicts = { held: 0, refused: 0, open: 0 };
  return {
    report(channel: string, orderId: string | undefined, sku: string, qty: number, reservationId?: string) {
      const id = `${idPrefix}-${channel}-${orderId ?? ++seq}`.replace(/[^A-Za-z0-9._:-]/g, '-');
      queue.push({
        at: Date.now(),
        event: { id, type: 'order.confirmed', source: channel, occurredAt: new Date().toISOString(), orderId: id, lines: [{ sku, qty }], ...(reservationId ? { reservationId } : {}) },
      });
    },
    /**
     * The plugin's checkout guard (on by default, design.md): the store reserves through the
     * companion before it takes the order. 'refused' → the shopper sees "only N left"; 'open' →
     * the companion did not answer within the guard's timeout and the store falls back to its
     * own stock check (fail open), reporting the order without a hold.
     */
    async guard(sku: string, qty: number, timeoutMs = 500): Promise<{ verdict: 'held' | 'open'; reservationId: string } | { verdict: 'refused' }> {
      const reservationId = `${idPrefix}-hold-${++holds}`;
      const hold = { id: `${reservationId}:reserve`, type: 'stock.reserved', source: 'woocommerce', occurredAt: new Date().toISOString(), reservationId, ttlSeconds: 900, lines: [{ sku, qty }] };
      const r = await postNow(hold, timeoutMs);
      if (r) {
        verdicts[r.status === 'applied' ? 'held' : 'refused']++;
        return r.status === 'applied' ? { verdict: 'held', reservationId } : { verdict: 'refused' };
      }
      verdicts.open++;
      // Fail open: the hold goes to the outbox under the same id (a duplicate if the companion did
      // apply it after all), and the order confirms that hold either way.
      queue.push({ at: Date.now(), event: hold });
      return { verdict: 'open', reservationId };
    },
    /** The store refused the order after the hold (its own stock check said no): the plugin releases the hold. */
    release(reservationId: string) {
      queue.push({ at: Date.now(), event: { id: `${reservationId}:release`, type: 'stock.released', source: 'woocommerce', occurredAt: new Date().toISOString(), reservationId, reason: 'the store refused the order' } });
    },
    /** Waits for every report; returns how many could not be delivered and the delay percentiles (ms). */
    async close(): Promise<{ failed: number; failures: string[]; delayMs: { p50: number; p99: number; max: number }; guard: typeof verdicts }> {
      clearInterval(timer);
      while (queue.length || inFlight.size) {
        flush();
        await Promise.race([...inFlight]);
      }
      const s = [...delays].sort((a, b) => a - b);
      const q = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? 0;
      return { failed, failures, delayMs: { p50: q(0.5), p99: q(0.99), max: s[s.length - 1] ?? 0 }, guard: verdicts };
    },
  };
}
