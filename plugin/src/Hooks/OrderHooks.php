<?php
/**
 * Turns WooCommerce order transitions into ledger events. Each order carries its Stockline
 * state (OrderState), so whichever of the several hooks WooCommerce fires for one transition
 * (status change, payment complete, stock reduced/restored) records the event once.
 *
 *   held ──paid──▶ confirmed ──completed──▶ shipped
 *    │               │
 *    └─failed/cancel─┴──▶ released / cancelled ──reopened──▶ (next cycle)
 *   confirmed ──refunded──▶ shipped (what was not restocked is gone; restocks: RefundHooks)
 *   (items edited after payment: OrderEditHooks; a cancel gives back what edits added)
 *   counted (paid before Stockline counted the stock, see Baseline) ──units given back──▶ cancelled
 *   shipped ──units given back (a completed order cancelled)──▶ cancelled
 *   held ──deleted for good / moved to the trash──▶ released (OrderRemovalHooks; other states: nothing)
 *   (set back to Pending to edit, or changed while Stockline was off: OrderRecovery)
 *
 * Units WooCommerce gives back that the ledger holds in no open order (a shipped order's, or a line
 * that had no SKU when the order was confirmed and has one now) are sent as what they are for the
 * ledger: a stock change, `stock.adjusted` delta +units, id {site}:{order}:cancel-restock[.cycle]:{item}.
 * Without it the ledger kept the units gone while WooCommerce had them back, and the next push
 * overwrote WooCommerce's number (a trial: a completed order cancelled, 28→30 in WooCommerce, 27
 * pushed over it after the next sale).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Baseline;
use Stockline\Events;
use Stockline\Logger;
use Stockline\Outbox;

defined( 'ABSPATH' ) || exit;

/**
 * Order hooks.
 */
final class OrderHooks {

	/** @var array<int, true> Orders whose stock reduction this request saw: sales to count, however old the order. */
	private static array $reduced = array();

	/** Statuses in which WooCommerce counts the units as sold (it reduces stock in these). */
	public const PAID = array( 'processing', 'on-hold', 'completed' );
	/** Statuses that give the units back. */
	public const ENDED = array( 'cancelled', 'failed' );

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_action( 'woocommerce_order_status_changed', array( self::class, 'on_status_changed' ), 10, 4 );
		add_action( 'woocommerce_payment_complete', array( self::class, 'on_payment_complete' ), 10, 1 );
		add_action( 'woocommerce_reduce_order_stock', array( self::class, 'on_reduce_stock' ), 10, 1 );
		add_action( 'woocommerce_restore_order_stock', array( self::class, 'on_restore_stock' ), 10, 1 );
	}

	/**
	 * `woocommerce_order_status_changed`.
	 *
	 * @param int            $order_id Order id.
	 * @param string         $from     Old status.
	 * @param string         $to       New status.
	 * @param \WC_Order|null $order    The order.
	 */
	public static function on_status_changed( $order_id, $from, $to, $order = null ): void {
		try {
			$order = $order ? $order : wc_get_order( $order_id );
			if ( $order ) {
				self::transition( $order, (string) $to );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_order_status_changed', $e );
		}
	}

	/**
	 * `woocommerce_payment_complete`.
	 *
	 * @param int $order_id Order id.
	 */
	public static function on_payment_complete( $order_id ): void {
		try {
			$order = wc_get_order( $order_id );
			if ( $order ) {
				self::confirm( $order );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_payment_complete', $e );
		}
	}

	/**
	 * `woocommerce_reduce_order_stock`: WooCommerce counted the sale.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function on_reduce_stock( $order ): void {
		try {
			if ( is_object( $order ) ) {
				self::$reduced[ (int) $order->get_id() ] = true;
				self::confirm( $order );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_reduce_order_stock', $e );
		}
	}

	/**
	 * `woocommerce_restore_order_stock`: WooCommerce gave the units back.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function on_restore_stock( $order ): void {
		try {
			if ( ! is_object( $order ) ) {
				return;
			}
			if ( 'pending' === $order->get_status() && 'confirmed' === OrderState::state( $order ) ) {
				OrderRecovery::hold_for_edit( $order );
			} else {
				self::end( $order, 'cancelled', true );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_restore_order_stock', $e );
		}
	}

	/**
	 * Applies a status change.
	 *
	 * @param \WC_Order $order The order.
	 * @param string    $to    New status (without wc-).
	 */
	public static function transition( $order, string $to ): void {
		if ( in_array( $to, self::PAID, true ) ) {
			self::confirm( $order );
			if ( 'completed' === $to ) {
				self::ship( $order );
			}
		} elseif ( in_array( $to, self::ENDED, true ) ) {
			self::end( $order, $to );
		} elseif ( 'refunded' === $to ) {
			self::refunded( $order );
		}
	}

	/**
	 * A fully refunded order. WooCommerce does not put its units back (a refund restocks only the
	 * items it was asked to, see RefundHooks, which has already taken those off the order), so
	 * what the order still has open is gone: shipped, for the ledger. A hold is released.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function refunded( $order ): void {
		if ( 'held' === OrderState::state( $order ) ) {
			self::end( $order, 'refunded' );
		} else {
			self::ship( $order );
		}
	}

	/**
	 * order.confirmed, converting the checkout hold when there is one.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function confirm( $order ): void {
		$state = OrderState::state( $order );
		if ( in_array( $state, array( 'confirmed', 'shipped', 'counted' ), true ) ) {
			return;
		}
		if ( '' === $state && ! isset( self::$reduced[ (int) $order->get_id() ] ) && Baseline::counted( $order ) ) {
			OrderState::set( $order, 'counted', 1 ); // Already in the ledger's count: nothing to send, now or when shipped.
			return;
		}
		$cycle = OrderState::cycle( $order );
		if ( in_array( $state, array( 'cancelled', 'released' ), true ) ) {
			// A reopened order is a new sale: new ids, so the companion does not take it for a repeat.
			++$cycle;
		}
		$lines = OrderGiveBack::lines_with_gone( $order );
		OrderGiveBack::remember_skus( $order ); // What a cancel must know if a SKU changes meanwhile.
		if ( $lines ) {
			$event = Events::base( Events::order_event_id( (int) $order->get_id(), 'confirmed', $cycle ), 'order.confirmed' );
			$event['orderId'] = Events::order_ref( (int) $order->get_id(), $cycle );
			$event['lines']   = $lines;
			if ( 'held' === $state ) {
				$event['reservationId'] = Events::reservation_id( (int) $order->get_id(), $cycle );
			}
			if ( Events::backorder_skus( $order ) || Events::made_outside_checkout( $order ) || ( 'held' === $state && OrderRecovery::edit_hold( $order ) ) ) {
				// WooCommerce took it beyond stock on purpose (backorders), or it was made or paid
				// again where the checkout guard never saw it (wp-admin, the REST API, another plugin,
				// a Pending edit paid again): the store has sold it, so the ledger records it as the
				// fact it is, an oversell incident for a short line. Refused, a paid order with one
				// short line went uncounted whole, and its other lines stayed on sale on every channel
				// (acceptance pass 27); a Pending edit's other lines stayed held for a day, then went
				// on sale.
				$event['backorder'] = true;
			}
			if ( ! Outbox::add( $event ) ) {
				return; // Not stored: the state stays, so the next hook for this order records it.
			}
		}
		OrderState::set( $order, 'confirmed', $cycle );
	}

	/**
	 * stock.shipped for a completed order.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function ship( $order ): void {
		if ( 'confirmed' !== OrderState::state( $order ) ) {
			return;
		}
		$cycle = OrderState::cycle( $order );
		// Only an order the ledger has (its confirmation carried a line under a SKU).
		if ( OrderGiveBack::sent_lines( $order ) ) {
			$event            = Events::base( Events::order_event_id( (int) $order->get_id(), 'shipped', $cycle ), 'stock.shipped' );
			$event['orderId'] = Events::order_ref( (int) $order->get_id(), $cycle );
			if ( ! Outbox::add( $event ) ) {
				return;
			}
		}
		OrderState::set( $order, 'shipped', $cycle );
	}

	/**
	 * order.cancelled for a sale, stock.released for a hold, and for an order already in the
	 * ledger's count whose units WooCommerce restored, those units as a stock change.
	 *
	 * @param \WC_Order $order    The order.
	 * @param string    $reason   cancelled, refunded or failed (or order deleted / trashed, for a hold).
	 * @param bool      $restored WooCommerce has just put the order's units back in stock.
	 */
	public static function end( $order, string $reason, bool $restored = false ): void {
		$state = OrderState::state( $order );
		$cycle = OrderState::cycle( $order );
		$id    = (int) $order->get_id();
		if ( $restored && ( 'counted' === $state || ( '' === $state && Baseline::counted( $order ) ) ) ) {
			foreach ( Baseline::restock_events( $order, $cycle ) as $event ) {
				if ( ! Outbox::add( $event ) ) {
					return;
				}
			}
			OrderState::set( $order, 'cancelled', $cycle ); // Paid again later: a new cycle, a sale like any other.
		} elseif ( $restored && 'shipped' === $state ) {
			// Shipped left the units off onHand; WooCommerce has them back now.
			if ( ! OrderGiveBack::give_back_shipped( $order, $cycle ) ) {
				return;
			}
			OrderState::set( $order, 'cancelled', $cycle );
		} elseif ( 'confirmed' === $state ) {
			// order.cancelled only for an order the ledger has: one confirmed with a line under a SKU.
			if ( OrderGiveBack::sent_lines( $order ) ) {
				$event            = Events::base( Events::order_event_id( $id, 'cancelled', $cycle ), 'order.cancelled' );
				$event['orderId'] = Events::order_ref( $id, $cycle );
				$event['reason']  = $reason;
				if ( ! Outbox::add( $event ) ) {
					return;
				}
			}
			if ( ! OrderEditHooks::give_back_extra( $order, $cycle ) ) {
				return;
			}
			// After the cancel, which frees the units under the SKUs the order was confirmed under.
			if ( $restored && ! OrderGiveBack::move_changed( $order, $cycle, 'pending' === $reason ) ) {
				return;
			}
			OrderState::set( $order, 'cancelled', $cycle );
		} elseif ( $restored && 'cancelled' === $state ) {
			// The cancel was recorded before WooCommerce restored the stock (another path's hook order).
			OrderGiveBack::move_changed( $order, $cycle );
		} elseif ( 'held' === $state ) {
			$event                  = Events::base( Events::order_event_id( $id, 'released', $cycle ), 'stock.released' );
			$event['reservationId'] = Events::reservation_id( $id, $cycle );
			$event['reason']        = $reason;
			if ( Outbox::add( $event ) ) {
				OrderState::set( $order, 'released', $cycle );
			}
		}
	}

}
