/**
 * Where a sandbox's numeric ids start: the clock in ms. The real channels never reuse an id, and
 * Stockline keeps the ids it resolved (SKU → listing caches in Redis) and the event ids it built
 * from order ids across restarts; a sandbox restarted on the same data must not hand a known id
 * to another SKU or a new order. Counting up from the start time stays clear of every earlier
 * run's ids as long as a run makes fewer than 1,000 ids a second.
 */
export function idBase(): number {
  return Date.now();
}
