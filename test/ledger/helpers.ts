/** Builders shared by the ledger tests: a ledger on the test Redis and terse event factories. */
import { afterEach, beforeEach } from 'vitest';
import { createTestRedis, type TestRedis } from '../support/redis';
import { createKeys, type Keys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import type { Ledger } from '../../companion/src/ledger/types';
import type { StockEvent } from '../../companion/src/schemas/events';

export interface LedgerFixture {
  t: TestRedis;
  keys: Keys;
  ledger: Ledger;
  /** Another ledger on its own connection (a second companion process). */
  another(): Ledger;
  clock: { ms: number };
}

export async function ledgerFixture(opts: { clock?: boolean } = {}): Promise<LedgerFixture> {
  const t = await createTestRedis();
  const keys = createKeys({ prefix: t.prefix });
  const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
  const now = opts.clock ? () => clock.ms : undefined;
  const ledger = createLedger({ redis: t.redis, keys, idempotencyTtlSeconds: 3600, now });
  return { t, keys, ledger, clock, another: () => createLedger({ redis: t.connect(), keys, idempotencyTtlSeconds: 3600, now }) };
}

let seq = 0;
const id = (p: string) => `${p}-${process.pid}-${++seq}`;
const at = (occurredAt?: string) => occurredAt ?? new Date().toISOString();

export const ev = {
  receive: (sku: string, qty: number, o: Partial<StockEvent> = {}): StockEvent =>
    ({ id: id('rcv'), type: 'stock.received', source: 'manual', occurredAt: at(), sku, qty, ...o }) as StockEvent,
  set: (sku: string, set: number, o: Record<string, unknown> = {}): StockEvent =>
    ({ id: id('set'), type: 'stock.adjusted', source: 'manual', occurredAt: at(), sku, set, reason: 'count', ...o }) as StockEvent,
  delta: (sku: string, delta: number, o: Record<string, unknown> = {}): StockEvent =>
    ({ id: id('dlt'), type: 'stock.adjusted', source: 'manual', occurredAt: at(), sku, delta, reason: 'damage', ...o }) as StockEvent,
  reserve: (reservationId: string, lines: { sku: string; qty: number }[], o: Record<string, unknown> = {}): StockEvent =>
    ({ id: id('res'), type: 'stock.reserved', source: 'woocommerce', occurredAt: at(), reservationId, lines, ...o }) as StockEvent,
  release: (reservationId: string, o: Record<string, unknown> = {}): StockEvent =>
    ({ id: id('rel'), type: 'stock.released', source: 'woocommerce', occurredAt: at(), reservationId, reason: 'abandoned', ...o }) as StockEvent,
  confirm: (orderId: string, lines: { sku: string; qty: number }[], o: Record<string, unknown> = {}): StockEvent =>
    ({ id: id('cnf'), type: 'order.confirmed', source: 'woocommerce', occurredAt: at(), orderId, lines, ...o }) as StockEvent,
  cancel: (orderId: string, o: Record<string, unknown> = {}): StockEvent =>
    ({ id: id('cxl'), type: 'order.cancelled', source: 'woocommerce', occurredAt: at(), orderId, ...o }) as StockEvent,
  ship: (orderId: string, o: Record<string, unknown> = {}): StockEvent =>
    ({ id: id('shp'), type: 'stock.shipped', source: 'woocommerce', occurredAt: at(), orderId, ...o }) as StockEvent,
};

/**
 * A fresh ledger with a test clock for every test of the calling file, handed to `use` before each
 * test and cleaned up after it (the semantics tests share this set-up).
 */
export function ledgerEachTest(use: (f: LedgerFixture) => void): void {
  let f: LedgerFixture | undefined;
  beforeEach(async () => {
    f = await ledgerFixture({ clock: true });
    use(f);
  });
  afterEach(async () => {
    await f?.t.cleanup();
  });
}

/** RFC 3339 text of a time in ms. */
export const iso = (ms: number) => new Date(ms).toISOString();
