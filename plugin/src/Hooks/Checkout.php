<?php
/**
 * Checkout: the order's units are held for WooCommerce's "Hold stock (minutes)" as a
 * stock.reserved event. With the checkout guard on (default), the hold is asked of the
 * companion synchronously with a short timeout, so a unit already sold or held on another
 * channel is refused before the shopper pays; when the companion is slow or unreachable
 * checkout fails open (WooCommerce's own stock check still applies) and the hold goes
 * through the outbox like any other event.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Companion;
use Stockline\Dispatcher;
use Stockline\Events;
use Stockline\Logger;
use Stockline\Outbox;
use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Checkout hooks.
 */
final class Checkout {

	/**
	 * The last guard call in this request: how long checkout waited for the companion and what
	 * came of it (held, refused, backorder, not_held, failed_open). Kept for logs and tests.
	 *
	 * @var array{ms:float, outcome:string}|null
	 */
	public static ?array $last_guard = null;

	/**
	 * Hooks in: classic checkout and the Store API (block checkout). Both run before payment
	 * and turn an exception into a checkout error (the Store API's RouteException keeps its code
	 * and status: 409 stockline_insufficient_stock).
	 */
	public static function register(): void {
		add_action( 'woocommerce_checkout_order_created', array( self::class, 'on_classic_checkout' ), 5, 1 );
		add_action( 'woocommerce_store_api_checkout_order_processed', array( self::class, 'on_store_api_checkout' ), 5, 1 );
	}

	/**
	 * Classic checkout: an \Exception becomes the checkout error notice.
	 *
	 * @param \WC_Order $order The order just created.
	 * @throws \Exception When the companion refuses the hold for lack of stock.
	 */
	public static function on_classic_checkout( $order ): void {
		$refusal = self::hold( $order );
		if ( null !== $refusal ) {
			throw new \Exception( esc_html( $refusal ) );
		}
	}

	/**
	 * Block checkout: a RouteException is shown to the shopper.
	 *
	 * @param \WC_Order $order The order being placed.
	 * @throws \Exception When the companion refuses the hold for lack of stock.
	 */
	public static function on_store_api_checkout( $order ): void {
		$refusal = self::hold( $order );
		if ( null === $refusal ) {
			return;
		}
		$route_exception = '\Automattic\WooCommerce\StoreApi\Exceptions\RouteException';
		if ( class_exists( $route_exception ) ) {
			throw new $route_exception( 'stockline_insufficient_stock', esc_html( $refusal ), 409 );
		}
		throw new \Exception( esc_html( $refusal ) );
	}

	/**
	 * Holds the order's units. Returns the message for the shopper when the companion
	 * refused for lack of stock, null otherwise (held, queued, or nothing to hold).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function hold( $order ): ?string {
		try {
			if ( ! is_object( $order ) ) {
				return null;
			}
			$state = OrderState::state( $order );
			if ( in_array( $state, array( 'held', 'confirmed', 'shipped' ), true ) ) {
				return null;
			}
			$lines = Events::order_lines( $order );
			if ( ! $lines ) {
				return null;
			}
			$cycle = OrderState::cycle( $order ) + ( in_array( $state, array( 'cancelled', 'released' ), true ) ? 1 : 0 );
			$event = Events::hold( (int) $order->get_id(), $cycle, $lines, Events::hold_ttl_seconds() );

			if ( ! Settings::checkout_guard() || ! Settings::is_configured() ) {
				// Held only once stored: an order marked held whose hold is lost would later
				// convert a hold the companion never had.
				if ( Outbox::add( $event ) ) {
					self::held( $order, $cycle );
				}
				return null;
			}
			return self::guard( $order, $event, $cycle );
		} catch ( \Throwable $e ) {
			Logger::exception( 'checkout hold', $e );
			return null;
		}
	}

	/**
	 * Asks the companion for the hold right now.
	 *
	 * @param \WC_Order            $order The order.
	 * @param array<string, mixed> $event The stock.reserved event.
	 * @param int                  $cycle Order cycle.
	 */
	private static function guard( $order, array $event, int $cycle ): ?string {
		$res    = Companion::post_events( $event, Settings::checkout_timeout_ms() );
		$body   = is_array( $res['body'] ) ? $res['body'] : array();
		$status = (string) ( $body['status'] ?? '' );

		$short     = 'refused' === $status && 'insufficient_stock' === ( $body['code'] ?? '' );
		$backorder = $short && self::all_backordered( $order, $body );

		if ( $backorder ) {
			$outcome = 'backorder';
		} elseif ( $short ) {
			$outcome = 'refused';
		} elseif ( 'refused' === $status ) {
			$outcome = 'not_held';
		} else {
			$outcome = 200 === $res['status'] ? 'held' : 'failed_open';
		}
		self::$last_guard = array(
			'ms'      => $res['ms'],
			'outcome' => $outcome,
		);
		if ( 200 === $res['status'] ) {
			Dispatcher::companion_answered();
		} elseif ( 'failed_open' === $outcome && (int) $res['ms'] >= Settings::checkout_timeout_ms() - 50 ) {
			// It kept the guard waiting its whole timeout (a refused connection fails at once, and
			// delivering after it costs nothing and records the failure).
			Dispatcher::companion_unanswered();
		}
		if ( 200 === $res['status'] && in_array( $status, array( 'applied', 'duplicate' ), true ) ) {
			// The companion holds the units whether or not this record is stored: held either way.
			Outbox::add( $event, Outbox::DELIVERED, $status );
			self::held( $order, $cycle );
			return null;
		}
		if ( $short ) {
			Outbox::add( $event, Outbox::DELIVERED, 'refused:insufficient_stock' );
			if ( $backorder ) {
				// Every short line is a product the owner sells on backorder: WooCommerce takes the
				// order, unheld (a hold may not go below zero), and the sale is confirmed as a fact.
				Logger::log( 'info', sprintf( 'Checkout for order %d goes ahead on backorder: not enough stock across channels for products that allow backorders.', (int) $order->get_id() ) );
				return null;
			}
			Logger::log( 'info', sprintf( 'Checkout for order %d refused: not enough stock across channels.', (int) $order->get_id() ) );
			return self::refusal_message( $order, $body );
		}
		if ( 'refused' === $status ) {
			// Refused for another reason (e.g. an SKU the companion does not know): not the
			// shopper's problem; the sale goes ahead on WooCommerce's own count.
			Outbox::add( $event, Outbox::DELIVERED, 'refused:' . (string) ( $body['code'] ?? '' ) );
			return null;
		}
		// Unreachable, slow or failing: fail open and let the outbox deliver the hold.
		Logger::log( 'warning', sprintf( 'Checkout guard could not reach the companion for order %d (%s after %d ms); the hold is queued.', (int) $order->get_id(), null !== $res['error'] ? $res['error'] : 'HTTP ' . $res['status'], (int) $res['ms'] ) );
		if ( Outbox::add( $event ) ) {
			self::held( $order, $cycle );
		}
		return null;
	}

	/**
	 * Whether every SKU the refusal names as short is one the owner sells on backorder.
	 *
	 * @param \WC_Order            $order The order.
	 * @param array<string, mixed> $body  The refused EventResult.
	 */
	private static function all_backordered( $order, array $body ): bool {
		$shortages = isset( $body['details']['shortages'] ) && is_array( $body['details']['shortages'] ) ? $body['details']['shortages'] : array();
		$backorder = Events::backorder_skus( $order );
		if ( ! $shortages || ! $backorder ) {
			return false;
		}
		foreach ( $shortages as $shortage ) {
			if ( ! isset( $backorder[ (string) ( $shortage['sku'] ?? '' ) ] ) ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Marks the order held in the given cycle.
	 *
	 * @param \WC_Order $order The order.
	 * @param int       $cycle Cycle.
	 */
	private static function held( $order, int $cycle ): void {
		OrderState::set( $order, 'held', $cycle );
	}

	/**
	 * "Sorry, only 1 of “Blue mug” is left…" from the refusal's shortages.
	 *
	 * @param \WC_Order            $order The order.
	 * @param array<string, mixed> $body  The refused EventResult.
	 */
	private static function refusal_message( $order, array $body ): string {
		$names = array();
		foreach ( $order->get_items() as $item ) {
			$product = is_object( $item ) && method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			$sku     = $product ? Events::sku_of( $product ) : '';
			if ( '' !== $sku ) {
				$names[ $sku ] = (string) $product->get_name();
			}
		}
		$parts     = array();
		$shortages = isset( $body['details']['shortages'] ) && is_array( $body['details']['shortages'] ) ? $body['details']['shortages'] : array();
		foreach ( $shortages as $shortage ) {
			$sku       = (string) ( $shortage['sku'] ?? '' );
			$available = max( 0, (int) ( $shortage['available'] ?? 0 ) );
			$name      = $names[ $sku ] ?? $sku;
			$parts[]   = 0 === $available
				/* translators: %s: product name. */
				? sprintf( __( '“%s” is out of stock', 'stockline' ), $name )
				/* translators: 1: product name, 2: units left. */
				: sprintf( _n( 'only %2$d of “%1$s” is left', 'only %2$d of “%1$s” are left', $available, 'stockline' ), $name, $available );
		}
		if ( ! $parts ) {
			return __( 'Sorry, some items in your cart are no longer in stock. Please review your cart.', 'stockline' );
		}
		/* translators: %s: list of products and how many are left. */
		return sprintf( __( 'Sorry, %s. Please change your cart and try again.', 'stockline' ), implode( '; ', $parts ) );
	}
}
