<?php
/**
 * Turns WooCommerce order transitions into ledger events. Each order carries its Stockline
 * state in order meta (works with HPOS and posts storage alike), so whichever of the several
 * hooks WooCommerce fires for one transition (status change, payment complete, stock
 * reduced/restored) records the event once.
 *
 *   held ──paid──▶ confirmed ──completed──▶ shipped
 *    │               │
 *    └─failed/cancel─┴──▶ released / cancelled ──reopened──▶ (next cycle)
 *   confirmed ──refunded──▶ shipped (what was not restocked is gone; restocks: RefundHooks)
 *   (items edited after payment: OrderEditHooks; a cancel gives back what edits added)
 *   counted (paid before Stockline counted the stock, see Baseline) ──units given back──▶ cancelled
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

	/** "<state>:<cycle>" in one meta key, so a transition costs one meta write. */
	public const META = '_stockline_state';

	/**
	 * "<state>:<cycle>" written in this request, by order id: WooCommerce fires several hooks for
	 * one payment (status change, payment complete, stock reduced), and the later ones should
	 * cost nothing, not even a no-op INSERT. State and cycle are both read from here, because
	 * those hooks may pass different copies of the order: one loaded before another copy moved
	 * the order on still has the old meta.
	 *
	 * @var array<int, string>
	 */
	private static array $seen = array();

	/** @var array<int, true> Orders whose stock reduction this request saw: sales to count, however old the order. */
	private static array $reduced = array();

	/** Statuses in which WooCommerce counts the units as sold (it reduces stock in these). */
	private const PAID = array( 'processing', 'on-hold', 'completed' );
	/** Statuses that give the units back. */
	private const ENDED = array( 'cancelled', 'failed' );

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
			if ( is_object( $order ) ) {
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
		if ( 'held' === self::state( $order ) ) {
			self::end( $order, 'refunded' );
		} else {
			self::ship( $order );
		}
	}

	/**
	 * Records that checkout holds the order's units (stock.reserved was stored or sent).
	 *
	 * @param \WC_Order $order The order.
	 * @param int       $cycle The cycle the hold belongs to.
	 */
	public static function mark_held( $order, int $cycle ): void {
		self::set_state( $order, 'held', $cycle );
	}

	/**
	 * The order's current cycle (1 unless it was reopened after ending).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function cycle( $order ): int {
		$parts = explode( ':', self::recorded( $order ) );
		return max( 1, (int) ( $parts[1] ?? 1 ) );
	}

	/**
	 * The order's Stockline state ('' when nothing was recorded yet).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function state( $order ): string {
		return explode( ':', self::recorded( $order ) )[0];
	}

	/**
	 * "<state>:<cycle>": what this request wrote for the order, else the order's meta.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function recorded( $order ): string {
		return self::$seen[ (int) $order->get_id() ] ?? (string) $order->get_meta( self::META, true );
	}

	/**
	 * order.confirmed, converting the checkout hold when there is one.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function confirm( $order ): void {
		$state = self::state( $order );
		if ( in_array( $state, array( 'confirmed', 'shipped', 'counted' ), true ) ) {
			return;
		}
		if ( '' === $state && ! isset( self::$reduced[ (int) $order->get_id() ] ) && Baseline::counted( $order ) ) {
			self::set_state( $order, 'counted', 1 ); // Already in the ledger's count: nothing to send, now or when shipped.
			return;
		}
		$cycle = self::cycle( $order );
		if ( in_array( $state, array( 'cancelled', 'released' ), true ) ) {
			// A reopened order is a new sale: new ids, so the companion does not take it for a repeat.
			++$cycle;
		}
		$lines = Events::order_lines( $order );
		if ( $lines ) {
			$event = Events::base( Events::order_event_id( (int) $order->get_id(), 'confirmed', $cycle ), 'order.confirmed' );
			$event['orderId'] = Events::order_ref( (int) $order->get_id(), $cycle );
			$event['lines']   = $lines;
			if ( 'held' === $state ) {
				$event['reservationId'] = Events::reservation_id( (int) $order->get_id(), $cycle );
			}
			if ( ! Outbox::add( $event ) ) {
				return; // Not stored: the state stays, so the next hook for this order records it.
			}
		}
		self::set_state( $order, 'confirmed', $cycle );
	}

	/**
	 * stock.shipped for a completed order.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function ship( $order ): void {
		if ( 'confirmed' !== self::state( $order ) ) {
			return;
		}
		$cycle = self::cycle( $order );
		if ( Events::order_lines( $order ) ) {
			$event            = Events::base( Events::order_event_id( (int) $order->get_id(), 'shipped', $cycle ), 'stock.shipped' );
			$event['orderId'] = Events::order_ref( (int) $order->get_id(), $cycle );
			if ( ! Outbox::add( $event ) ) {
				return;
			}
		}
		self::set_state( $order, 'shipped', $cycle );
	}

	/**
	 * order.cancelled for a sale, stock.released for a hold, and for an order already in the
	 * ledger's count whose units WooCommerce restored, those units as a stock change.
	 *
	 * @param \WC_Order $order    The order.
	 * @param string    $reason   cancelled, refunded or failed.
	 * @param bool      $restored WooCommerce has just put the order's units back in stock.
	 */
	private static function end( $order, string $reason, bool $restored = false ): void {
		$state = self::state( $order );
		$cycle = self::cycle( $order );
		$id    = (int) $order->get_id();
		if ( $restored && ( 'counted' === $state || ( '' === $state && Baseline::counted( $order ) ) ) ) {
			foreach ( Baseline::restock_events( $order, $cycle ) as $event ) {
				if ( ! Outbox::add( $event ) ) {
					return;
				}
			}
			self::set_state( $order, 'cancelled', $cycle ); // Paid again later: a new cycle, a sale like any other.
		} elseif ( 'confirmed' === $state ) {
			if ( Events::order_lines( $order ) ) {
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
			self::set_state( $order, 'cancelled', $cycle );
		} elseif ( 'held' === $state ) {
			$event                  = Events::base( Events::order_event_id( $id, 'released', $cycle ), 'stock.released' );
			$event['reservationId'] = Events::reservation_id( $id, $cycle );
			$event['reason']        = $reason;
			if ( Outbox::add( $event ) ) {
				self::set_state( $order, 'released', $cycle );
			}
		}
	}

	/**
	 * Saves state and cycle in order meta.
	 *
	 * @param \WC_Order $order The order.
	 * @param string    $state New state.
	 * @param int       $cycle Cycle.
	 */
	private static function set_state( $order, string $state, int $cycle ): void {
		$id = (int) $order->get_id();
		if ( isset( self::$seen[ $id ] ) && (string) $order->get_meta( self::META, true ) !== self::$seen[ $id ] ) {
			// A stale copy: saving through it could add a second meta row (it never loaded the
			// one another copy wrote) that later requests might read instead. Write through a fresh one.
			$fresh = wc_get_order( $id );
			$order = $fresh ? $fresh : $order;
		}
		$order->update_meta_data( self::META, $state . ':' . $cycle );
		$order->save_meta_data();
		self::$seen[ $id ] = $state . ':' . $cycle;
	}
}
