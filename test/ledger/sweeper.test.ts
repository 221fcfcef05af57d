import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trimAudit } from '../../companion/src/ledger/audit-retention';
import { startSweeper } from '../../companion/src/ledger/sweeper';
import { ev, ledgerFixture, type LedgerFixture } from './helpers';

let f: LedgerFixture;
beforeEach(async () => {
  f = await ledgerFixture();
});
afterEach(async () => {
  await f.t.cleanup();
});

describe('expiry sweeper', () => {
  it('releases a hold within 1 s of expiry exactly once with two sweepers running', async () => {
    await f.ledger.apply(ev.receive('A', 5));
    const sweepers = [0, 1].map(() => {
      const redis = f.t.connect();
      return startSweeper({ ledger: f.another(), redis, keys: f.keys });
    });
    try {
      const watcher = f.t.connect();
      const reservedAt = Date.now();
      await f.ledger.apply(ev.reserve('cart', [{ sku: 'A', qty: 2 }], { ttlSeconds: 1 }));
      const expiresAt = reservedAt + 1000;
      // Await the change-feed entry of the release (blocking read, no sleep).
      let releasedAt = 0;
      let last = '$';
      while (!releasedAt) {
        const res = await watcher.xread('BLOCK', 3000, 'STREAMS', f.keys.changes('default'), last);
        expect(res).not.toBeNull();
        for (const [id, fields] of res![0]![1]) {
          last = id;
          if (fields[fields.indexOf('type') + 1] === 'stock.released') releasedAt = Number(fields[fields.indexOf('at') + 1]);
        }
      }
      expect(releasedAt).toBeGreaterThanOrEqual(expiresAt - 5);
      expect(releasedAt - expiresAt).toBeLessThan(1000);
      expect(await f.ledger.getStock('default', 'A')).toMatchObject({ reserved: 0, available: 5 });
      // Both sweepers keep running; a few more rounds must not release it again.
      await Promise.all(sweepers.map(() => f.another().sweepExpired(Date.now() + 5000)));
      const released = await f.ledger.listAudit('default', { type: 'stock.released' });
      expect(released.items).toHaveLength(1);
      expect(released.items[0]).toMatchObject({ source: 'system', reason: 'expired', reservationId: 'cart' });
    } finally {
      await Promise.all(sweepers.map((s) => s.stop()));
    }
  });

  it('releases many holds expiring together, each audited once, under racing sweeps', async () => {
    await f.ledger.apply(ev.receive('A', 500));
    await f.ledger.applyBatch(Array.from({ length: 450 }, (_, i) => ev.reserve(`c${i}`, [{ sku: 'A', qty: 1 }], { ttlSeconds: 1 })));
    const later = Date.now() + 2000;
    const counts = await Promise.all([f.another(), f.another(), f.another()].map((l) => l.sweepExpired(later)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(450);
    expect(await f.ledger.getStock('default', 'A')).toMatchObject({ reserved: 0, available: 500 });
  });
});

describe('audit retention', () => {
  it('trims audit entries older than the retention, once a retention is set, and keeps the rest', async () => {
    await f.ledger.apply(ev.receive('A', 5)); // the tenant is known, its audit has one fresh entry
    const audit = f.keys.audit('default');
    const redis = f.t.redis;
    const now = Date.now();
    const old = now - 40 * 86_400_000;
    // 300 entries 40 days old: three of Redis' 100-entry stream nodes, older than the fresh one.
    const fresh = (await redis.xrange(audit, '-', '+'))[0]![0];
    await redis.del(audit);
    for (let i = 1; i <= 300; i++) await redis.xadd(audit, `${old}-${i}`, 'e', '{"type":"stock.received","lines":[]}');
    await redis.xadd(audit, fresh, 'e', '{"type":"stock.received","lines":[]}');

    expect(await trimAudit(redis, f.keys, 0, now)).toBe(0); // no retention: kept for good
    expect(await redis.xlen(audit)).toBe(301);
    expect(await trimAudit(redis, f.keys, 30 * 86_400_000, now)).toBeGreaterThanOrEqual(200);
    const left = await redis.xrange(audit, '-', '+');
    expect(left.at(-1)![0]).toBe(fresh);
    expect(left.length).toBeLessThanOrEqual(101);

    // The sweeper does it by itself when given a retention.
    await redis.del(audit);
    for (let i = 1; i <= 300; i++) await redis.xadd(audit, `${old}-${i}`, 'e', '{"type":"stock.received","lines":[]}');
    await redis.xadd(audit, fresh, 'e', '{"type":"stock.received","lines":[]}');
    const sweeper = startSweeper({ ledger: f.another(), redis: f.t.connect(), keys: f.keys, auditRetentionMs: 30 * 86_400_000, auditTrimEveryMs: 10 });
    try {
      const deadline = Date.now() + 5000;
      while ((await redis.xlen(audit)) > 101 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await redis.xlen(audit)).toBeLessThanOrEqual(101);
      expect((await redis.xrange(audit, fresh, fresh)).length).toBe(1);
    } finally {
      await sweeper.stop();
    }
  });
});
