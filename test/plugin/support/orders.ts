/**
 * Orders for tests that follow an order after payment (refunds, item edits): a paid order of one
 * new product, and the ledger's count of a SKU once the plugin has delivered everything.
 */
import { expect } from 'vitest';
import { testApi } from '../../support/wordpress';
import type { PluginFixture } from './fixture';

/** A new product with `stock`, and a paid order of `qty` of it from checkout. */
export async function paidOrder(f: PluginFixture, label: string, stock: number, qty: number) {
  const sku = f.sku(label);
  const productId = await f.product({ sku, stock });
  const c = await f.checkout([{ productId, qty }]);
  expect(c.ok).toBe(true);
  await f.setStatus(c.orderId!, 'payment_complete');
  return { sku, productId, orderId: c.orderId! };
}

/** A refund from the order screen of `qty` units of one product. */
export const refund = (orderId: number, productId: number, qty: number, opts: { restock: boolean; full: boolean }) =>
  testApi('POST', `orders/${orderId}/refund`, { qty: { [productId]: qty }, ...opts });

/** The ledger's state of `sku` after the plugin's outbox is drained. */
export async function ledgerAfterDelivery(f: PluginFixture, sku: string) {
  await testApi('POST', 'drain', { force: true });
  return f.companion.ledger.getStock('default', sku);
}
