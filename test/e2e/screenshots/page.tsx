/**
 * The real admin page running in a browser on canned data: the plugin's REST routes are
 * answered by the same FakeNetwork the component tests use, so screenshots show exactly
 * what an owner would see for that data. `?scenario=healthy|degraded|new` picks the data.
 */
import { FakeNetwork } from '../../admin-ui/support/fake-network';
import {
  auditItems,
  deadLetters,
  degradedChannels,
  healthyChannels,
  importDone,
  importRunning,
  mapping,
  openIncident,
  resolvedIncident,
  rules,
  settings,
  statusBacklog,
  statusConnected,
  stockItems,
  syncFor,
} from '../../admin-ui/support/fixtures';

const scenario = new URLSearchParams(window.location.search).get('scenario') ?? 'healthy';
const degraded = scenario === 'degraded';
const fresh = scenario === 'new';

const net = new FakeNetwork();
net
  .json('GET admin/status', fresh ? { ...statusConnected, connected: false } : degraded ? statusBacklog : statusConnected)
  .json('GET admin/settings', fresh ? { ...settings, secretSet: false, adminTokenSet: false } : settings)
  .json('GET admin/import', fresh ? importRunning : importDone)
  .json('GET admin/proxy/v1/channels', { channels: degraded ? degradedChannels : healthyChannels })
  .json('GET admin/proxy/v1/incidents', { items: degraded ? [openIncident, resolvedIncident] : [resolvedIncident] })
  .on('GET admin/proxy/v1/stock', (c) => {
    const prefix = c.query.get('prefix') ?? '';
    return { body: { items: stockItems.filter((s) => s.sku.startsWith(prefix)), nextCursor: 'next' } };
  })
  .on('GET admin/proxy/v1/sync', () => ({ body: syncFor(stockItems, degraded ? ['TSHIRT-L:amazon', 'MUG-RED:flipkart'] : []) }))
  .json('GET admin/proxy/v1/audit', { items: auditItems, nextCursor: 'next' })
  .json('GET admin/proxy/v1/dead-letters', { items: deadLetters, nextCursor: null })
  .json('GET admin/proxy/v1/rules', rules)
  .json('GET admin/proxy/v1/mapping', mapping)
  .on('POST admin/test-connection', { body: { ok: true, message: 'ok', latencyMs: 3 } });

window.fetch = net.fetch as typeof window.fetch;
window.stocklineAdmin = { restRoot: 'http://shop.test/wp-json/', nonce: 'screenshot', woocommerce: true, version: '0.1.0' };

await import('../../../admin-ui/src/index');
