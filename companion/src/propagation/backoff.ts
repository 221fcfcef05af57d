/**
 * Retry delay for a transient failure: min(base · 2^n, max) plus up to 20 % jitter, so workers
 * that failed together do not come back together. n = attempts already failed (0 for the first
 * retry). Attempts are unlimited: a job keeps retrying until the channel answers.
 */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(failedAttempts: number, s: BackoffSettings, random = Math.random): number {
  const n = Math.max(0, failedAttempts);
  const exp = Math.min(s.baseMs * 2 ** Math.min(n, 30), s.maxMs);
  return Math.round(exp + exp * 0.2 * random());
}
