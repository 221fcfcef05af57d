/**
 * What most plugin tests start from: an admin session, the plugin active, a clean outbox, the
 * real companion running, and the plugin pointed at it through its own settings route.
 */
import { randomBytes } from 'node:crypto';
import { activatePlugin, adminSession, rest, testApi, type Session } from '../../support/wordpress';
import { startTestCompanion, type TestCompanion, type TestCompanionOptions } from './companion';

export interface PluginFixture {
  admin: Session;
  companion: TestCompanion;
  /** A unique SKU for this test. */
  sku(label?: string): string;
  product(opts: { sku: string; stock: number | null; name?: string; manageStock?: boolean; parentId?: number; backorders?: 'no' | 'notify' | 'yes' }): Promise<number>;
  productStock(id: number): Promise<number | null>;
  checkout(lines: Array<{ productId: number; qty: number }>): Promise<{ ok: boolean; orderId: number | null; error?: string; ms: number; guard: { ms: number; outcome: string } | null }>;
  setStatus(orderId: number, status: string): Promise<void>;
  outbox(): Promise<Array<{ id: number; event_id: string; event_type: string; status: string; result: string; last_error: string | null; attempts: number; payload: any }>>;
  settings(body: Record<string, unknown>): Promise<void>;
  /** Delivers the outbox now (the test route's forced drain). */
  drain(): Promise<unknown>;
  /** The ledger's state of a SKU of the default tenant (null: never seen). */
  stock(sku: string): ReturnType<TestCompanion['ledger']['getStock']>;
  /** The outbox rows of one WooCommerce order. */
  eventsOf(orderId: number): ReturnType<PluginFixture['outbox']>;
  close(): Promise<void>;
}

const TEST_SWITCHES = ['stockline_test_constants', 'stockline_test_action_scheduler', 'stockline_test_fail_outbox'];

export async function pluginFixture(
  opts: { filters?: Record<string, unknown>; options?: Record<string, unknown>; companion?: TestCompanionOptions } = {},
): Promise<PluginFixture> {
  const admin = await adminSession();
  await activatePlugin(admin);
  await testApi('POST', 'reset');
  await testApi('POST', 'options', {
    set: { stockline_test_filters: { stockline_retry_base_seconds: 0, ...opts.filters }, ...opts.options },
    delete: ['stockline_test_constants', 'stockline_test_action_scheduler', 'stockline_test_no_wc'],
  });
  const companion = await startTestCompanion(opts.companion);
  const settings = async (body: Record<string, unknown>) => {
    const r = await rest('POST', 'stockline/v1/admin/settings', { session: admin, body });
    if (r.status !== 200) throw new Error(`settings → ${r.status} ${JSON.stringify(r.body)}`);
  };
  await settings({
    companionUrl: companion.url,
    secret: companion.secret,
    adminToken: companion.adminToken,
    tenant: '',
    checkoutGuard: true,
    checkoutTimeoutMs: 500,
  });
  const run = randomBytes(3).toString('hex');
  let n = 0;
  return {
    admin,
    companion,
    sku: (label = 'SKU') => `${label}-${run}-${++n}`,
    async product(p) {
      const r = await testApi<{ id: number }>('POST', 'products', { name: p.name ?? p.sku, ...p });
      return r.id;
    },
    async productStock(id) {
      return (await testApi<{ stock: number | null }>('GET', `products/${id}`)).stock;
    },
    checkout: (lines) => testApi('POST', 'checkout', { lines }),
    async setStatus(orderId, status) {
      await testApi('POST', `orders/${orderId}/status`, { status });
    },
    outbox: () => testApi('GET', 'outbox'),
    settings,
    drain: () => testApi('POST', 'drain', { force: true }),
    stock: (sku) => companion.ledger.getStock('default', sku),
    async eventsOf(orderId) {
      return ((await testApi('GET', 'outbox')) as Awaited<ReturnType<PluginFixture['outbox']>>).filter((r) => r.event_id.split(':')[1] === String(orderId));
    },
    async close() {
      // Test switches a file turned on (constants, a stand-in Action Scheduler, a failing outbox)
      // are off again for the files after it, some of which do not reset the site.
      await testApi('POST', 'options', { delete: TEST_SWITCHES }).catch(() => undefined);
      await companion.close();
    },
  };
}
