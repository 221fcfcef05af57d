/**
 * Realistic answers in exactly the shapes DEVELOPERS.md documents, shared by the component
 * tests and the screenshot script. Times are relative to a fixed "now" so text is stable.
 */
import type {
  AdminSettings,
  AdminStatus,
  AuditEntry,
  ChannelHealth,
  DeadLetter,
  ImportStatus,
  Incident,
  Mapping,
  Rules,
  StockState,
  SyncItem,
} from '../../../admin-ui/src/api/types';

export const NOW = Date.now();
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

/** One point per minute for the last hour; a gentle wave around `base` ms, with an optional spike at the end. */
export function lagSeries(base: number, spikeTo?: number): ChannelHealth['lagSeries'] {
  return Array.from({ length: 60 }, (_, i) => {
    const wave = base * (1 + 0.25 * Math.sin(i / 4));
    const p99 = spikeTo !== undefined && i > 50 ? spikeTo * (0.8 + (i - 50) / 50) : wave * 2.4;
    return { t: NOW - (59 - i) * 60_000, p50: Math.round(wave), p99: Math.round(p99) };
  });
}

function channel(id: string, over: Partial<ChannelHealth> & { p50?: number; p99?: number } = {}): ChannelHealth {
  const p50 = over.p50 ?? 120;
  const p99 = over.p99 ?? 310;
  const { p50: _a, p99: _b, ...rest } = over;
  const win = { p50, p95: Math.round((p50 + p99) / 2), p99, count: p99 > 0 ? 412 : 0 };
  return {
    id,
    state: 'ok',
    breaker: 'closed',
    lag: { '1m': win, '5m': win, '60m': { ...win, count: 5120 } },
    lagSeries: lagSeries(p50),
    queueDepth: 0,
    deadLetters: 0,
    successRate: 1,
    lastError: null,
    pushes: 5120,
    throttledUntil: null,
    ...rest,
  };
}

export const healthyChannels: ChannelHealth[] = [
  channel('woocommerce', { p50: 38, p99: 95 }),
  channel('shopify', { p50: 142, p99: 388 }),
  channel('amazon', { p50: 310, p99: 820 }),
  channel('flipkart', { p50: 190, p99: 540 }),
];

export const degradedChannels: ChannelHealth[] = [
  channel('woocommerce', { p50: 41, p99: 102 }),
  channel('shopify', { p50: 150, p99: 402 }),
  channel('amazon', {
    p50: 1450,
    p99: 3240,
    queueDepth: 37,
    successRate: 0.962,
    lastError: { message: 'HTTP 429 QuotaExceeded: You exceeded your quota for the requested resource.', at: iso(40_000) },
    lagSeries: lagSeries(300, 3600),
    throttledUntil: NOW + 30_000,
  }),
  channel('flipkart', {
    state: 'down',
    breaker: 'open',
    p50: 0,
    p99: 0,
    queueDepth: 118,
    deadLetters: 6,
    successRate: 0.41,
    lagSeries: [],
    lastError: { message: 'connect ECONNREFUSED 127.0.0.1:7443', at: iso(12_000) },
  }),
];

export const statusConnected: AdminStatus = {
  connected: true,
  companionUrl: 'http://127.0.0.1:7400',
  tenant: 'default',
  outbox: { pending: 0, failed: 0, oldestAgeSeconds: null },
  woocommerce: true,
};

export const statusBacklog: AdminStatus = { ...statusConnected, outbox: { pending: 14, failed: 2, oldestAgeSeconds: 95 } };

/** A paid order refused (another channel sold the last unit first), a rejected change, and a bad tenant. */
export const statusNeedsOwner: AdminStatus = {
  ...statusConnected,
  tenant: 'Shop One',
  problem:
    'STOCKLINE_TENANT in wp-config.php is "Shop One", which is not a tenant name: use 1–63 lower-case letters, digits, "-" or "_", starting with a letter or digit (for example "shop-one"). Stockline keeps every store change in its outbox and sends nothing until this is fixed.',
  outbox: {
    pending: 3,
    failed: 1,
    refused: 2,
    oldestAgeSeconds: 40,
    lastError: 'HTTP 400 invalid_event at /events/0/type: must be one of the known event types',
    failedLatest: [
      {
        eventId: 'wc1a2b3c4d:stock:88:1732330000000000:4',
        type: 'stock.adjusted',
        order: null,
        skus: ['MUG-RED'],
        result: 'rejected:invalid_event',
        error: 'HTTP 400 invalid_event at /events/0/type: must be one of the known event types',
        at: iso(60_000),
      },
    ],
    refusedLatest: [
      {
        eventId: 'wc1a2b3c4d:1043:confirmed',
        type: 'order.confirmed',
        order: 1043,
        skus: ['MUG-BLUE'],
        result: 'refused:insufficient_stock',
        error: 'not enough stock to confirm every line (MUG-BLUE: 1 ordered, 0 available)',
        at: iso(90_000),
      },
      {
        eventId: 'wc1a2b3c4d:1043:reserved',
        type: 'stock.reserved',
        order: 1043,
        skus: ['MUG-BLUE'],
        result: 'refused:insufficient_stock',
        error: 'not enough stock to reserve every line (MUG-BLUE: 1 ordered, 0 available)',
        at: iso(90_000),
      },
    ],
  },
};

export const openIncident: Incident = {
  id: 'inc-1',
  kind: 'oversell',
  sku: 'MUG-BLUE',
  status: 'open',
  oversoldUnits: 1,
  orders: [
    { orderId: '402-8817261-5521930', source: 'amazon', qty: 1 },
    { orderId: 'OD330912881', source: 'flipkart', qty: 1 },
  ],
  openedAt: iso(25 * 60_000),
  resolvedAt: null,
};

export const resolvedIncident: Incident = {
  id: 'inc-0',
  kind: 'oversell',
  sku: 'TSHIRT-M',
  status: 'resolved',
  oversoldUnits: 2,
  orders: [{ orderId: '#1043', source: 'shopify', qty: 2 }],
  openedAt: iso(26 * 3600_000),
  resolvedAt: iso(20 * 3600_000),
};

export function stockState(sku: string, onHand: number, committed: number, reserved: number, over: Partial<StockState> = {}): StockState {
  return { sku, onHand, committed, reserved, available: onHand - committed - reserved, version: 17, updatedAt: iso(90_000), paused: null, ...over };
}

export const stockItems: StockState[] = [
  stockState('MUG-BLUE', 4, 5, 0, { paused: 'oversell' }),
  stockState('MUG-RED', 22, 3, 1),
  stockState('TSHIRT-L', 12, 2, 0),
  stockState('TSHIRT-M', 9, 2, 2),
  stockState('TSHIRT-S', 0, 0, 0, { paused: 'manual' }),
];

export function syncFor(items: StockState[], mismatch: string[] = []): { items: SyncItem[] } {
  return {
    items: items.map((s) => {
      const expected = s.paused ? 0 : Math.max(0, s.available);
      const channels: SyncItem['channels'] = {};
      for (const c of ['woocommerce', 'shopify', 'amazon', 'flipkart']) {
        const off = mismatch.includes(`${s.sku}:${c}`);
        channels[c] = { shown: off ? expected + 2 : expected, expected, at: iso(60_000), matches: !off };
      }
      return { sku: s.sku, channels };
    }),
  };
}

export const auditItems: AuditEntry[] = [
  {
    id: '1732330000000-0',
    type: 'order.confirmed',
    source: 'amazon',
    orderId: 'amazon:123-4567890-1234567', // as the companion's Amazon poller names it
    at: iso(30_000),
    lines: [{ sku: 'TSHIRT-M', qty: 2, before: { onHand: 9, committed: 0, reserved: 2 }, after: { onHand: 9, committed: 2, reserved: 2 }, version: 18 }],
  },
  {
    id: '1732329990000-0',
    type: 'stock.reserved',
    source: 'woocommerce',
    reservationId: 'wc-cart-88',
    at: iso(75_000),
    lines: [{ sku: 'TSHIRT-M', qty: 2, before: { onHand: 9, committed: 0, reserved: 0 }, after: { onHand: 9, committed: 0, reserved: 2 }, version: 17 }],
  },
  {
    id: '1732329980000-0',
    type: 'channel.ack',
    channel: 'shopify',
    at: iso(80_000),
    lines: [{ sku: 'TSHIRT-M', quantity: 7, version: 17 }],
  },
  {
    id: '1732329970000-0',
    type: 'stock.adjusted',
    source: 'manual',
    reason: 'Cycle count',
    at: iso(3600_000),
    lines: [{ sku: 'MUG-RED', before: { onHand: 18, committed: 3, reserved: 1 }, after: { onHand: 22, committed: 3, reserved: 1 }, version: 9 }],
  },
];

export const deadLetters: DeadLetter[] = [
  {
    id: 'dl-flipkart-1',
    channel: 'flipkart',
    sku: 'TSHIRT-M',
    error: 'connect ECONNREFUSED 127.0.0.1:7443',
    code: 'channel_unreachable',
    attempts: 8,
    firstFailedAt: iso(20 * 60_000),
    lastFailedAt: iso(60_000),
  },
  {
    id: 'dl-amazon-2',
    channel: 'amazon',
    sku: 'MUG-RED',
    error: 'HTTP 400 InvalidInput: fulfillment_availability quantity must be >= 0',
    code: 'channel_rejected',
    attempts: 1,
    firstFailedAt: iso(5 * 60_000),
    lastFailedAt: iso(5 * 60_000),
  },
];

export const settings: AdminSettings = {
  companionUrl: 'http://127.0.0.1:7400',
  tenant: 'default',
  checkoutGuard: true,
  checkoutTimeoutMs: 1500,
  secretSet: true,
  adminTokenSet: true,
  constants: [],
};

export const rules: Rules = {
  channels: { amazon: { buffer: 2 }, flipkart: { percent: 10, maxShown: 50 }, shopify: {}, woocommerce: {} },
  skus: {},
};

export const mapping: Mapping = {
  channels: {
    woocommerce: { listed: 48, notListed: [] },
    shopify: { listed: 46, notListed: ['GIFT-CARD', 'SAMPLE-PACK'] },
    amazon: { listed: 41, notListed: ['GIFT-CARD', 'SAMPLE-PACK', 'MUG-GREEN', 'TSHIRT-XL', 'TSHIRT-XXL', 'POSTER-A2', 'POSTER-A3'] },
    flipkart: { listed: 30, notListed: ['GIFT-CARD'] },
  },
  checkedAt: iso(120_000),
};

export const importRunning: ImportStatus = {
  state: 'running',
  done: 312,
  total: 480,
  errors: [{ sku: 'POSTER-A2', message: 'Variation has no SKU in WooCommerce' }],
  needsSku: [{ id: 231, name: 'Poster A2 (matte)' }],
};

export const importDone: ImportStatus = { ...importRunning, state: 'done', done: 480 };
