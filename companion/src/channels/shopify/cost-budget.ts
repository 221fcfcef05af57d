/**
 * The client-side mirror of Shopify's leaky bucket, fed by `extensions.cost.throttleStatus` on
 * every answer, so the adapter waits (or reports rate_limited) before Shopify has to throttle it.
 * An answer describes the bucket when Shopify priced that call, before calls still in flight
 * arrived; so the mirror keeps the lower of Shopify's figure and its own projection (which has
 * those calls' points reserved), or concurrent pushes would each believe the bucket full again.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class CostBudget {
  private status: ThrottleStatus | null = null;
  private seenAt = 0;
  /** Last requested cost per operation name: the estimate for the next call of that operation. */
  private lastCost = new Map<string, number>();

  constructor(private now: () => number = Date.now) {}

  observe(status: ThrottleStatus | undefined, operation: string, requestedCost: number | undefined): void {
    if (status) {
      const projected = this.status ? this.available() : Number.POSITIVE_INFINITY;
      this.status = { ...status, currentlyAvailable: Math.min(status.currentlyAvailable, projected) };
      this.seenAt = this.now();
    }
    if (requestedCost !== undefined) this.lastCost.set(operation, requestedCost);
  }

  estimate(operation: string, fallback: number): number {
    return this.lastCost.get(operation) ?? fallback;
  }

  /** The bucket's size (0 before Shopify has told it). */
  capacity(): number {
    return this.status?.maximumAvailable ?? 0;
  }

  /** Points available now, assuming the bucket kept restoring since the last answer. */
  available(): number {
    if (!this.status) return Number.POSITIVE_INFINITY;
    const restored = ((this.now() - this.seenAt) / 1000) * this.status.restoreRate;
    return Math.min(this.status.maximumAvailable, this.status.currentlyAvailable + restored);
  }

  /** Milliseconds until `cost` points are available (0 = go now). */
  waitMs(cost: number): number {
    if (!this.status || this.status.restoreRate <= 0) return 0;
    const short = cost - this.available();
    return short <= 0 ? 0 : Math.ceil((short / this.status.restoreRate) * 1000);
  }

  /** Reserves the points locally so concurrent calls do not all see the same budget (may go below 0: callers queue). */
  spend(cost: number): void {
    if (!this.status) return;
    this.status = { ...this.status, currentlyAvailable: this.available() - cost };
    this.seenAt = this.now();
  }

  /** Gives back a reservation Shopify did not charge (the call was throttled). */
  refund(cost: number): void {
    this.spend(-cost);
  }
}

/** (requested cost − currently available) / restore rate, in ms; at least 1 ms. */
export function retryAfterFromThrottle(requested: number, status: ThrottleStatus | undefined): number {
  if (!status || status.restoreRate <= 0) return 1000;
  return Math.max(1, Math.ceil(((requested - status.currentlyAvailable) / status.restoreRate) * 1000));
}
