/**
 * Client-side pacing: Amazon escalates persistent 429s to 403 "Access forbidden"
 * (jrl84/amazon-sp-api#46), so calls take a slot of our own schedule (GCRA: rate + burst)
 * before they go out. `reserve` refuses a slot further away than the caller will wait, so a push
 * can report "throttled, come back in N ms" without sending anything.
 */
export class Pacer {
  private interval: number;
  private tolerance: number;
  private burst: number;
  /** Theoretical arrival time of the next request (ms). */
  private tat = 0;

  constructor(ratePerSecond: number, burst: number, private readonly now: () => number = Date.now) {
    this.burst = Math.max(1, burst);
    this.interval = 1000 / ratePerSecond;
    this.tolerance = (this.burst - 1) * this.interval;
  }

  get rate(): number {
    return 1000 / this.interval;
  }

  /** Follows the rate the channel declares (x-amzn-RateLimit-Limit), keeping the burst. */
  setRate(ratePerSecond: number): void {
    if (!(ratePerSecond > 0)) return;
    const now = this.now();
    const next = 1000 / ratePerSecond;
    // Keep the slots already used, counted in requests: the backlog stretches with the interval.
    if (this.tat > now) this.tat = now + (this.tat - now) * (next / this.interval);
    this.interval = next;
    this.tolerance = (this.burst - 1) * this.interval;
  }

  /** Books the next slot: ms to wait (0 = now), or null when that is more than `maxWaitMs` away (nothing booked). */
  reserve(maxWaitMs = Infinity): number | null {
    return this.reserveMany(1, maxWaitMs)?.[0] ?? null;
  }

  /** Books `n` consecutive slots, all or none: null when the last is more than `maxWaitMs` away. */
  reserveMany(n: number, maxWaitMs = Infinity): number[] | null {
    const now = this.now();
    const tat = Math.max(this.tat, now);
    const waits = Array.from({ length: n }, (_, i) => Math.max(0, tat + i * this.interval - this.tolerance - now));
    if (n > 0 && waits[n - 1]! > maxWaitMs) return null;
    this.tat = tat + n * this.interval;
    return waits;
  }

  /** ms until a slot would be free. */
  msUntilFree(): number {
    return Math.max(0, Math.max(this.tat, this.now()) - this.tolerance - this.now());
  }

  async take(): Promise<void> {
    const wait = this.reserve()!;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Maps items with at most `concurrency` in flight; results keep the input order. */
export async function mapPool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
