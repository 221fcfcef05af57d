/**
 * What a newcomer sees after `npm start` with no channel credentials: a demo catalogue on four
 * sandbox channels, simulated shoppers buying on them, and a status line every few seconds with
 * orders, per-channel lag and how many SKUs each channel shows correctly.
 */
import type { SandboxChannels } from './channels/sandboxes';
import { startShopper, type Shopper } from './channels/shopper';
import type { Config } from './config';
import type { Ledger } from './ledger/types';
import type { Observer } from './propagation/observer';
import { shownQuantity, showsRight, type Rule, type RulesStore } from './propagation/rules';
import type { StockState } from './schemas/stock';
import type { StockEvent } from './schemas/events';

export const DEMO_SKUS = ['TSHIRT-S', 'TSHIRT-M', 'TSHIRT-L', 'HOODIE-M', 'HOODIE-L', 'MUG-WHITE', 'MUG-BLACK', 'CAP-RED', 'CAP-BLUE', 'SOCKS-3PK'];
const DEMO_QUANTITY = 60;

export interface DemoDeps {
  config: Readonly<Config>;
  ledger: Ledger;
  sandboxes: SandboxChannels;
  observer: Observer;
  tenant: string;
  /** What the sandboxes list from the ledger (Wiring.sandboxCatalogue); empty on a first run. */
  listed: { sku: string }[];
  print: (line: string) => void;
  /** Buffers, caps and stops per channel, so "in step" compares with what the channel should show. */
  rules?: RulesStore;
  statusEveryMs?: number;
}

/**
 * Sandboxes keep their catalogue in memory, so after a restart they know no SKU while the ledger
 * (in Redis) still does, with changes made while Stockline was down waiting to be pushed. This
 * lists the ledger's SKUs on every sandbox at the ledger's numbers, and must run before propagation
 * starts: a push that reaches an empty sandbox first is refused as an unknown listing and
 * dead-lettered (seen on a second `npm start`: Amazon NOT_FOUND for demo SKUs and a lag alert).
 * Returns what it listed (nothing on a first run: the demo then lists and counts its catalogue).
 */
export interface Relisted {
  /** The ledger's SKUs (at most 500) with what is available. */
  catalogue: { sku: string; available: number }[];
  /** Per sandbox, what each SKU was listed at, with the ledger version that number is of. */
  shown: Map<string, { sku: string; quantity: number; version: number }[]>;
}

export async function relistLedgerOnSandboxes(ledger: Ledger, tenant: string, sandboxes: SandboxChannels, rules?: RulesStore): Promise<Relisted> {
  const stock = await ledgerSkus(ledger, tenant);
  const shown = new Map<string, { sku: string; quantity: number; version: number }[]>();
  if (!stock.length) return { catalogue: [], shown };
  const skus = stock.map((s) => s.sku);
  for (const [channel, h] of sandboxes.handles) {
    // Each at what it should show (0 while paused, less a buffer, at most a cap), not at what is
    // available: a trial's restart put paused and capped SKUs on sale on Amazon for ~110 s.
    const rule = rules ? await rules.forChannel(tenant, channel, skus) : new Map<string, Rule>();
    const listed = stock.map((s) => ({ sku: s.sku, quantity: shownQuantity(s, rule.get(s.sku) ?? {}), version: s.version }));
    h.seed(listed);
    shown.set(channel, listed);
  }
  return { catalogue: stock.map((s) => ({ sku: s.sku, available: Math.max(0, s.available) })), shown };
}

/** Lists up to `max` SKUs of the tenant. */
async function ledgerSkus(ledger: Ledger, tenant: string, max = 500): Promise<StockState[]> {
  const out: StockState[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.listStock(tenant, { cursor, limit: 200 });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

export async function startSandboxDemo(d: DemoDeps): Promise<{ stop(): Promise<void> }> {
  // After a restart the sandboxes already list the ledger's SKUs: wiring.ts did it before
  // propagation started (relistLedgerOnSandboxes) and hands over what it listed.
  let skus = d.listed.map((s) => s.sku);
  const handles = [...d.sandboxes.handles.values()];
  if (skus.length === 0) {
    // First run: list the demo catalogue on every sandbox, then count it into the ledger; the
    // ledger's change feed then pushes the real numbers to every channel.
    for (const h of handles) h.seed(DEMO_SKUS.map((sku) => ({ sku, quantity: 0 })));
    const occurredAt = new Date().toISOString();
    const events: StockEvent[] = DEMO_SKUS.map((sku) => ({
      id: `demo:seed:${sku}`,
      type: 'stock.adjusted',
      source: 'manual',
      occurredAt,
      sku,
      set: DEMO_QUANTITY,
      reason: 'import',
    }));
    await d.ledger.applyBatch(events);
    skus = [...DEMO_SKUS];
  }
  d.print(
    `sandbox channels: ${[...d.sandboxes.handles.entries()].map(([id, h]) => `${id} ${h.url}`).join(' · ')} (${skus.length} SKUs)`,
  );

  let shopper: Shopper | null = null;
  if (d.config.shopper.enabled) {
    shopper = startShopper({ sandboxes: handles, skus, ordersPerSecond: d.config.shopper.ordersPerSecond });
    d.print(`simulated shoppers: ${d.config.shopper.ordersPerSecond} orders/s across the sandboxes (STOCKLINE_SHOPPER=off to stop)`);
  }
  const { maxOrders } = d.config.shopper;
  let shoppersDone = false;

  const status = async () => {
    const health = await d.observer.channelHealth(d.tenant);
    const current = await d.ledger.getStockMany(d.tenant, skus);
    const parts = await Promise.all(health.map(async (h) => {
      const lag = h.lag['5m'];
      const line = `${h.id} ${h.state} lag p50 ${fmt(lag.p50)} p99 ${fmt(lag.p99)}`;
      const handle = d.sandboxes.handles.get(h.id as never);
      // A real channel (a store connected with its credentials) has no sandbox to read back here:
      // it read "in step 0/600" against quantities nobody had (acceptance pass 27). GET /v1/sync says.
      if (!handle) return line;
      const q = handle.quantities();
      // "in step": the channel shows what it should: the ledger's available through its rules
      // (a buffer, a cap, a pause). Without them a buffer read as every SKU out of step.
      const rules = d.rules ? await d.rules.forChannel(d.tenant, h.id, skus) : new Map<string, Rule>();
      const inStep = current.filter((s) => s && showsRight(q[s.sku], shownQuantity(s, rules.get(s.sku) ?? {}))).length;
      return `${line} in step ${inStep}/${skus.length}`;
    }));
    const s = shopper?.stats();
    if (shopper && s && maxOrders > 0 && s.placed >= maxOrders && !shoppersDone) {
      shoppersDone = true;
      await shopper.stop();
      d.print(`simulated shoppers stopped after ${s.placed} orders (STOCKLINE_SHOPPER_MAX_ORDERS)`);
    }
    const orders = s ? `orders ${s.accepted} accepted, ${s.refused} refused · ` : '';
    d.print(`status · ${orders}${parts.join(' · ')}`);
  };
  const timer = setInterval(() => void status().catch(() => undefined), d.statusEveryMs ?? 5000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await shopper?.stop();
    },
  };
}

function fmt(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}
