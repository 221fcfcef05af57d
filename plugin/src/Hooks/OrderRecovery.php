<?php
/**
 * Orders whose status moved outside the usual flow: a paid order set back to Pending payment to
 * edit it (its units stay held for it), and orders made or changed while Stockline was
 * deactivated (the events the hooks would have sent, on activation). OrderHooks sends the events
 * themselves.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Events;
use Stockline\Outbox;

defined( 'ABSPATH' ) || exit;

/**
 * Order recovery.
 */
final class OrderRecovery {

	/** How long units of a paid order set back to Pending (to edit it) stay held for it. */
	private const EDIT_HOLD_SECONDS = 86400;
	/** The cycle whose hold is a Pending edit's, not a checkout's (order meta). */
	public const EDIT_HOLD_META = '_stockline_edit_hold';

	/**
	 * Whether the order's current hold is the one a Pending edit made (not a checkout's).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function edit_hold( $order ): bool {
		return (string) OrderState::cycle( $order ) === (string) $order->get_meta( self::EDIT_HOLD_META, true );
	}

	/**
	 * What the hooks would have sent for an order whose status changed while Stockline was
	 * deactivated (from `$since`), on activation, before the import the owner is asked for:
	 *
	 * - a sale the ledger holds (state `confirmed`): cancelled or failed (order.cancelled),
	 *   refunded, completed (stock.shipped), set back to Pending (held for it). A re-test's order
	 *   cancelled while the plugin was off stayed committed in the ledger for good; a later count
	 *   of the shelf then took its units off every channel.
	 * - a checkout hold (state `held`) paid while off: the sale, converting the hold (completed:
	 *   shipped too); cancelled or failed: the hold released. Left alone, the hold expired and the
	 *   units went back on sale on every channel while WooCommerce had sold them.
	 * - an order made while off (no state, created after `$since`) that WooCommerce took the units
	 *   for (processing, on-hold, completed): the sale, under the ids the hooks would have used
	 *   (`{site}:{order}:confirmed`). The companion's order poll, which records a store's orders
	 *   while the plugin is away, uses the same ids once it has seen the plugin (the site id in
	 *   the plugin's REST index, plugin-site.ts), so a sale it recorded is answered `duplicate`,
	 *   and a cancel after this is the plugin's to send: a re-test's order made while off and
	 *   cancelled after stayed committed for good (3 units off sale everywhere). One made and
	 *   cancelled, failed or refunded while off is recorded as ended, so reopening it is a new
	 *   cycle with new ids: under cycle 1's, the poll's record of it made the new sale a duplicate.
	 *
	 * @param \WC_Order $order The order.
	 * @param int       $since When Stockline was deactivated (Unix seconds).
	 */
	public static function catch_up( $order, int $since = 0 ): void {
		$state  = OrderState::state( $order );
		$status = (string) $order->get_status();
		if ( 'confirmed' === $state ) {
			if ( 'pending' === $status ) {
				self::hold_for_edit( $order );
			} elseif ( in_array( $status, OrderHooks::ENDED, true ) || in_array( $status, array( 'refunded', 'completed' ), true ) ) {
				OrderHooks::transition( $order, $status );
			}
		} elseif ( 'held' === $state ) {
			if ( in_array( $status, OrderHooks::PAID, true ) || in_array( $status, OrderHooks::ENDED, true ) || 'refunded' === $status ) {
				OrderHooks::transition( $order, $status );
			}
		} elseif ( '' === $state && self::made_while_off( $order, $since ) ) {
			if ( in_array( $status, OrderHooks::PAID, true ) && method_exists( $order, 'get_order_stock_reduced' ) && $order->get_order_stock_reduced() ) {
				OrderHooks::transition( $order, $status );
			} elseif ( in_array( $status, OrderHooks::ENDED, true ) || 'refunded' === $status ) {
				// Made and ended while off: the poll may have recorded it under cycle 1's ids, so if
				// it is reopened, that is the next cycle (new ids), not a repeat of cycle 1. The ledger
				// holds nothing open for it either way.
				OrderState::set( $order, 'cancelled', 1 );
			}
		}
	}

	/**
	 * Whether the order was made while Stockline was off.
	 *
	 * @param \WC_Order $order The order.
	 * @param int       $since When Stockline was deactivated (Unix seconds).
	 */
	private static function made_while_off( $order, int $since ): bool {
		$created = method_exists( $order, 'get_date_created' ) ? $order->get_date_created() : null;
		return $since > 0 && $created && $created->getTimestamp() >= $since - 60;
	}

	/**
	 * A paid order set back to Pending payment, which is how WooCommerce lets an order's items be
	 * edited ("To edit this order change the status back to Pending payment"): WooCommerce puts its
	 * units back in stock, but the merchant means to keep selling them to this customer. The sale
	 * is cancelled and, in the same delivery, its units held for the order (a reservation of a day,
	 * EDIT_HOLD_SECONDS) that the order converts when it is paid again, with whatever lines it has
	 * then. Released plainly, the units went on sale on every channel; a trial's Shopify sold them
	 * and the order, set back to processing, was refused: 2 units sold twice.
	 *
	 * @param \WC_Order $order The order, now pending.
	 */
	public static function hold_for_edit( $order ): void {
		OrderHooks::end( $order, 'pending', true );
		if ( 'cancelled' !== OrderState::state( $order ) ) {
			return; // The cancel was not stored: WooCommerce's next hook for the order tries again.
		}
		$lines = OrderGiveBack::lines_with_gone( $order );
		if ( ! $lines ) {
			return;
		}
		$cycle = OrderState::cycle( $order ) + 1; // Paid again: the next cycle, converting this hold.
		if ( Outbox::add( Events::hold( (int) $order->get_id(), $cycle, $lines, self::EDIT_HOLD_SECONDS ) ) ) {
			// Paid again from the back office, it is a sale the store has taken (OrderHooks::confirm()).
			$order->update_meta_data( self::EDIT_HOLD_META, (string) $cycle );
			$order->save_meta_data();
			OrderState::set( $order, 'held', $cycle );
		}
	}
}
