/**
 * Client-side pacing: Amazon escalates persistent 429s to 403 "Access forbidden"
 * (jrl84/amazon-sp-api#46), so we wait for a token of our own bucket before each call and run
 * at most `concurrency` calls at once.
 */
import { TokenBucket } from '../sandbox-kit/token-bucket';

export class Pacer {
  private readonly bucket: TokenBucket;

  constructor(ratePerSecond: number, burst: number) {
    this.bucket = new TokenBucket(ratePerSecond, burst);
  }

  async take(): Promise<void> {
    while (!this.bucket.tryTake()) {
      await new Promise((r) => setTimeout(r, Math.max(5, this.bucket.msUntil())));
    }
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
