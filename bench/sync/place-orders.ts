/**
 * Plays an order stream against the sandboxes, each order at its millisecond: the shopper buys on
 * its channel, which accepts only what its own last-known quantity allows; an accepted order is
 * then reported to Stockline (direct mode) — WooCommerce orders first pass the plugin's checkout
 * guard, as the store does. Used for the warm-up and for the measured flash sale.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxHandle } from '../../companion/src/channels/sandbox-kit/types';
import type { SaleOrder } from './orders';
import type { createDirectReporter } from './reporter';

export async function placeOrders(
  orders: SaleOrder[],
  byId: Map<string, Pick<SandboxHandle, 'placeOrder'>>,
  direct: ReturnType<typeof createDirectReporter> | null,
  onAccepted: (order: SaleOrder) => void,
): Promise<void> {
  const pending: Promise<void>[] = [];
  const t0 = Date.now();
  let i = 0;
  while (i < orders.length) {
    const now = Date.now() - t0;
    while (i < orders.length && orders[i]!.at <= now) {
      const ord = orders[i++]!;
      pending.push(
        (async () => {
          // WooCommerce is the merchant's own store running the plugin: its checkout guard
          // reserves through Stockline first (direct mode; the channel path has no hold to carry).
          const hold = direct && ord.channel === 'woocommerce' ? await direct.guard(ord.sku, ord.qty) : null;
          if (hold?.verdict === 'refused') return { accepted: false as const, orderId: undefined };
          const r = await byId.get(ord.channel)!.placeOrder(ord.sku, ord.qty);
          if (hold && !r.accepted) direct!.release(hold.reservationId);
          return { ...r, reservationId: hold?.reservationId };
        })().then((r) => {
          if (!r.accepted) return;
          direct?.report(ord.channel, r.orderId, ord.sku, ord.qty, r.reservationId);
          onAccepted(ord);
        }),
      );
    }
    await sleep(1);
  }
  await Promise.all(pending);
}
