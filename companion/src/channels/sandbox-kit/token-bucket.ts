/**
 * A token bucket (rate per second, burst capacity), used by sandboxes to enforce a channel's
 * published limits and by clients to throttle themselves before the channel does.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSecond: number,
    private capacity: number,
    private now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }

  /** Takes `cost` tokens if there are enough; false otherwise (nothing taken). */
  tryTake(cost = 1): boolean {
    this.refill();
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens will be available. */
  msUntil(cost = 1): number {
    this.refill();
    if (this.tokens >= cost) return 0;
    return Math.ceil(((cost - this.tokens) / this.ratePerSecond) * 1000);
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  get rate(): number {
    return this.ratePerSecond;
  }
  get max(): number {
    return this.capacity;
  }
}
