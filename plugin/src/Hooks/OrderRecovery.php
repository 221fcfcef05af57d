<?php
/**
 * Orders whose status moved outside the usual flow: a paid order set back to Pending payment to
 * edit it (its units stay held for it), and orders whose status changed while Stockline was
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

	/**
	 * What the hooks would have sent for an order the ledger holds as a sale (state `confirmed`)
	 * whose status changed while Stockline was deactivated: cancelled or failed (order.cancelled),
	 * refunded, completed (stock.shipped), set back to Pending (held for it). A re-test's order
	 * cancelled while the plugin was off stayed committed in the ledger for good; a later count of
	 * the shelf then took its units off every channel. Orders the ledger holds only as a checkout
	 * hold are left alone: paid while off, the companion's own order poll recorded them.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function catch_up( $order ): void {
		if ( 'confirmed' !== OrderState::state( $order ) ) {
			return;
		}
		$status = (string) $order->get_status();
		if ( 'pending' === $status ) {
			self::hold_for_edit( $order );
		} elseif ( in_array( $status, OrderHooks::ENDED, true ) || in_array( $status, array( 'refunded', 'completed' ), true ) ) {
			OrderHooks::transition( $order, $status );
		}
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
		$lines = OrderGiveBack::with_gone_lines( $order, Events::order_lines( $order ) );
		if ( ! $lines ) {
			return;
		}
		$cycle = OrderState::cycle( $order ) + 1; // Paid again: the next cycle, converting this hold.
		if ( Outbox::add( Events::hold( (int) $order->get_id(), $cycle, $lines, self::EDIT_HOLD_SECONDS ) ) ) {
			OrderState::set( $order, 'held', $cycle );
		}
	}
}
