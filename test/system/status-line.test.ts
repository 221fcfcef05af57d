import { describe, expect, it } from 'vitest';
import { startSandboxDemo, type DemoDeps } from '../../companion/src/sandbox-demo';

/**
 * The status line `npm start` prints: a channel connected to a real store (not a sandbox) has no
 * quantities to read back here, and read "in step 0/600" (acceptance pass 27).
 */
describe('the status line', () => {
  it('says "in step" for the sandboxes only, not for a channel connected to a real store', async () => {
    const lines: string[] = [];
    const stock = (sku: string, available: number) => ({ sku, onHand: available, committed: 0, reserved: 0, available, version: 1, updatedAt: '', paused: null });
    const lag = { '5m': { p50: 12, p99: 40 } };
    const deps = {
      config: { shopper: { enabled: false, maxOrders: 0, ordersPerSecond: 0 } },
      ledger: { getStockMany: async () => [stock('A', 5), stock('B', 0)] },
      sandboxes: { handles: new Map([['shopify', { url: 'http://127.0.0.1:1', quantities: () => ({ A: 5, B: 0 }), seed: () => undefined }]]) },
      observer: { channelHealth: async () => [{ id: 'shopify', state: 'ok', lag }, { id: 'woocommerce', state: 'ok', lag }] },
      tenant: 'default',
      listed: [{ sku: 'A' }, { sku: 'B' }],
      print: (line: string) => lines.push(line),
      statusEveryMs: 20,
    } as unknown as DemoDeps;
    const demo = await startSandboxDemo(deps);
    try {
      for (let i = 0; i < 100 && !lines.some((l) => l.startsWith('status')); i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await demo.stop();
    }
    const status = lines.find((l) => l.startsWith('status'))!;
    expect(status).toContain('shopify ok lag p50 12ms p99 40ms in step 2/2');
    expect(status).toMatch(/woocommerce ok lag p50 12ms p99 40ms(?! in step)/);
  });
});
