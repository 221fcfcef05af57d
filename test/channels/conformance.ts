/**
 * The ChannelAdapter conformance suite (companion/src/channels/port.ts). Every adapter runs it
 * against its sandbox over real HTTP:
 *
 *   runAdapterConformance('shopify', async () => {
 *     const sandbox = await startShopifySandbox({ faults: { throttling: false } });
 *     const { adapter } = createShopifyChannel(configFor(sandbox), deps);
 *     return { adapter, sandbox, skus: ['A', 'B', 'C'], teardown: async () => { await adapter.close(); await sandbox.close(); } };
 *   });
 *
 * `skus` are listed by the test through `sandbox.seed`; any SKU not in it must be unlisted.
 * The suite turns the sandbox's throttling off before each test (on again for the throttling test);
 * `setFaults` must accept `{ throttling }` and `{ outageForMs }`; give `{ faults: false }` to
 * skip the tests that need it (then say why in the adapter's README).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError, type ChannelAdapter, type PushItem, type PushOutcome } from '../../companion/src/channels/port';

export interface ConformanceSandbox {
  quantities(): Record<string, number>;
  seed(listings: { sku: string; quantity: number }[]): void;
  setFaults?(faults: { throttling?: boolean; outageForMs?: number; latencyMs?: number; errorRate?: number }): unknown;
}

export interface ConformanceSetup {
  adapter: ChannelAdapter;
  sandbox: ConformanceSandbox;
  /** Listed SKUs the suite may use (at least 3; more than batchSize lets it test a full batch). */
  skus: string[];
  teardown(): Promise<void>;
}

export interface ConformanceOptions {
  /** Run the throttling and outage tests (needs sandbox.setFaults). Default true. */
  faults?: boolean;
  /** Does the channel apply pushes later (Amazon feeds/ACCEPTED)? Then reads are polled until they match. */
  eventualReadMs?: number;
}

let seq = 0;
const key = () => `conf-${process.pid}-${Date.now()}-${++seq}`;
const item = (sku: string, quantity: number, expected?: number | null): PushItem => ({ sku, quantity, expected, version: ++seq, idempotencyKey: key() });

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function runAdapterConformance(name: string, setup: () => Promise<ConformanceSetup>, options: ConformanceOptions = {}): void {
  const faults = options.faults ?? true;
  const readWait = options.eventualReadMs ?? 0;

  describe(`ChannelAdapter conformance: ${name}`, () => {
    let s: ConformanceSetup;
    let listed: string[];
    const unlisted = `unlisted-${process.pid}-${Date.now()}`;

    beforeEach(async () => {
      s = await setup();
      expect(s.skus.length).toBeGreaterThanOrEqual(3);
      listed = s.skus;
      // Sandboxes enforce their published limits by default; the suite turns that on only where it tests it.
      s.sandbox.setFaults?.({ throttling: false });
      s.sandbox.seed(listed.map((sku) => ({ sku, quantity: 5 })));
    });
    afterEach(async () => {
      await s.teardown();
    });

    const readAll = (skus: string[], want?: Record<string, number | null>) =>
      eventually(
        () => s.adapter.read(skus),
        (m) => !want || Object.entries(want).every(([k, v]) => m.get(k) === v),
        readWait,
      );

    it('declares limits a worker can plan with', () => {
      expect(s.adapter.id).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(Number.isInteger(s.adapter.limits.batchSize)).toBe(true);
      expect(s.adapter.limits.batchSize).toBeGreaterThanOrEqual(1);
      expect(s.adapter.limits.requestsPerSecond).toBeGreaterThan(0);
      expect(s.adapter.limits.burst).toBeGreaterThanOrEqual(1);
    });

    it('pushes absolute quantities and answers one outcome per item, in order', async () => {
      const n = Math.min(s.adapter.limits.batchSize, listed.length);
      const batch = listed.slice(0, n).map((sku, i) => item(sku, 10 + i));
      const out = await s.adapter.push(batch);
      expect(out.map((o) => o.sku)).toEqual(batch.map((b) => b.sku));
      for (const [i, o] of out.entries()) {
        expect(o.status).toBe('ok');
        if (o.status === 'ok') expect(o.quantity).toBe(10 + i);
      }
      const want = Object.fromEntries(batch.map((b) => [b.sku, b.quantity]));
      const read = await readAll(batch.map((b) => b.sku), want);
      expect(Object.fromEntries(read)).toEqual(want);
      for (const b of batch) expect(s.sandbox.quantities()[b.sku]).toBe(b.quantity);
    });

    it('refuses more items than its batch size instead of sending a partial batch', async () => {
      const size = s.adapter.limits.batchSize;
      const batch = Array.from({ length: size + 1 }, (_, i) => item(listed[i % listed.length]!, 1));
      await expect(s.adapter.push(batch)).rejects.toBeInstanceOf(ChannelError);
    });

    it('reads back quantities and null for an unlisted SKU', async () => {
      const read = await s.adapter.read([listed[0]!, unlisted]);
      expect(read.get(listed[0]!)).toBe(5);
      expect(read.get(unlisted)).toBeNull();
    });

    it('resolves listed SKUs to channel ids and unlisted ones to null', async () => {
      const r = await s.adapter.resolve([listed[0]!, listed[1]!, unlisted]);
      const a = r.get(listed[0]!);
      expect(a?.sku).toBe(listed[0]);
      expect(Object.keys(a?.ids ?? {}).length).toBeGreaterThan(0);
      expect(r.get(listed[1]!)?.sku).toBe(listed[1]);
      expect(r.get(unlisted)).toBeNull();
    });

    it('answers not_found (not a thrown error) for an unlisted SKU in a batch, and still applies the rest', async () => {
      const out = await s.adapter.push([item(listed[0]!, 7), item(unlisted, 3)]);
      expect(out[0]).toMatchObject({ sku: listed[0], status: 'ok' });
      const bad = out[1] as Extract<PushOutcome, { status: 'failed' }>;
      expect(bad.sku).toBe(unlisted);
      expect(bad.status).toBe('failed');
      expect(bad.error).toBeInstanceOf(ChannelError);
      expect(bad.error.kind).toBe('not_found');
      expect((await readAll([listed[0]!], { [listed[0]!]: 7 })).get(listed[0]!)).toBe(7);
    });

    it('pause shows 0 and relist sells again at the given quantity', async () => {
      const sku = listed[2]!;
      const paused = await s.adapter.pause([sku]);
      expect(paused).toHaveLength(1);
      expect(paused[0]!.status).toBe('ok');
      expect((await readAll([sku], { [sku]: 0 })).get(sku)).toBe(0);
      const relisted = await s.adapter.relist([item(sku, 9)]);
      expect(relisted[0]).toMatchObject({ sku, status: 'ok' });
      expect((await readAll([sku], { [sku]: 9 })).get(sku)).toBe(9);
    });

    it('is idempotent: pushing the same item again leaves the same quantity and answers ok', async () => {
      const it1 = item(listed[0]!, 4);
      const first = await s.adapter.push([it1]);
      const again = await s.adapter.push([it1]);
      expect(first[0]).toMatchObject({ status: 'ok' });
      expect(again[0]).toMatchObject({ status: 'ok' });
      expect((await readAll([listed[0]!], { [listed[0]!]: 4 })).get(listed[0]!)).toBe(4);
    });

    it('never overwrites a value it did not expect when the channel has compare-and-set', async () => {
      const sku = listed[1]!;
      s.sandbox.seed([{ sku, quantity: 8 }]);
      // We believe the channel shows 5; it shows 8 (a sale we have not heard of, or a manual edit).
      const [o] = await s.adapter.push([item(sku, 3, 5)]);
      if (o!.status === 'stale' && o!.current === null) {
        // Unread (the port allows it); the same compare refused again must be read: either
        // answered with what the channel shows, or lowered by compare-and-set on the value read.
        expect(s.sandbox.quantities()[sku]).toBe(8);
        const [again] = await s.adapter.push([item(sku, 3, 5)]);
        if (again!.status === 'stale') expect(again!.current).toBe(8);
        else expect(again).toMatchObject({ status: 'ok', quantity: 3 });
        expect(s.sandbox.quantities()[sku]).toBe(again!.status === 'stale' ? 8 : 3);
      } else if (o!.status === 'stale') {
        expect(o!.current).toBe(8);
        expect(s.sandbox.quantities()[sku]).toBe(8);
      } else {
        // No compare-and-set on this channel: the absolute value wins, and the adapter says ok.
        expect(o!.status).toBe('ok');
        expect((await readAll([sku], { [sku]: 3 })).get(sku)).toBe(3);
      }
    });

    if (faults) {
      it('surfaces throttling as ChannelError rate_limited with retryAfterMs', async () => {
        s.sandbox.setFaults!({ throttling: true });
        const calls = Math.ceil(s.adapter.limits.burst * 3 + 10);
        const results = await Promise.allSettled(Array.from({ length: calls }, (_, i) => s.adapter.push([item(listed[i % listed.length]!, i % 20)])));
        const throttled = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as ChannelError);
        expect(throttled.length).toBeGreaterThan(0);
        for (const e of throttled) {
          expect(e).toBeInstanceOf(ChannelError);
          expect(e.kind).toBe('rate_limited');
          expect(e.retryable).toBe(true);
          expect(e.retryAfterMs).toBeGreaterThan(0);
        }
      });

      it('surfaces the channel’s own 5xx as a transient ChannelError', async () => {
        s.sandbox.setFaults!({ errorRate: 1 });
        const err = await s.adapter.push([item(listed[0]!, 1)]).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ChannelError);
        expect((err as ChannelError).kind).toBe('transient');
      });

      it('surfaces an outage as a transient ChannelError', async () => {
        s.sandbox.setFaults!({ outageForMs: 60_000 });
        const err = await s.adapter.push([item(listed[0]!, 1)]).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ChannelError);
        expect((err as ChannelError).kind).toBe('transient');
        expect((err as ChannelError).retryable).toBe(true);
      });
    }
  });
}
