/**
 * Collapses concurrent look-ups of the same keys into one: on a cold cache, a burst of pushes for
 * the same SKUs would otherwise send one identical search each and spend the channel's budget on
 * them. Keys already being loaded are awaited; only the others are loaded (in one call).
 */
export class SingleFlight<K, V> {
  private inflight = new Map<K, Promise<V>>();

  async run(keys: K[], load: (keys: K[]) => Promise<Map<K, V>>): Promise<Map<K, V>> {
    const waits: Promise<[K, V]>[] = [];
    const fresh: K[] = [];
    for (const k of new Set(keys)) {
      const p = this.inflight.get(k);
      if (p) waits.push(p.then((v) => [k, v]));
      else fresh.push(k);
    }
    if (fresh.length) {
      const batch = load(fresh);
      const mine = new Map<K, Promise<V>>();
      for (const k of fresh) {
        const p = batch.then((m) => m.get(k) as V);
        mine.set(k, p);
        this.inflight.set(k, p);
        waits.push(p.then((v) => [k, v]));
      }
      const clear = () => {
        for (const [k, p] of mine) if (this.inflight.get(k) === p) this.inflight.delete(k);
      };
      batch.then(clear, clear);
    }
    return new Map(await Promise.all(waits));
  }
}
