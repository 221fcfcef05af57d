<?php
/**
 * A stock quantity typed by a person (product screen, WooCommerce REST API, CSV import, another
 * plugin's set) becomes stock.adjusted with an absolute `set` of what is free to sell
 * (`basis: available`: the ledger adds what it holds as committed and reserved). A relative change
 * (Bulk edit's "Increase/Decrease existing stock by", another plugin's wc_update_product_stock
 * increase/decrease) is sent as the `delta` it is, and a set to the number already there (Bulk
 * edit sets every selected product's stock, its own number again when the stock column says "No
 * change") sends nothing: sent as counts, a price-only bulk edit took a paused SKU's 15 units to
 * 0 (WooCommerce showed Stockline's 0), adopted a capped store's 4 as the count, and a marketplace
 * sale not yet pushed to the store was counted back (acceptance pass 27; StockWriteWatch reads
 * what a write does). Two kinds of stock writes are
 * not adjustments and are left out: WooCommerce's own order-driven reductions and restores
 * (the order events already carry them), and Stockline's own writes from the companion (echo
 * suppression, so a quantity pushed by the companion does not come back as a correction).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Events;
use Stockline\Logger;
use Stockline\Outbox;
use Stockline\Settings;
use Stockline\StockWriter;

defined( 'ABSPATH' ) || exit;

/**
 * Stock hooks.
 */
final class StockHooks {

	/**
	 * Product ids being written by Stockline right now.
	 *
	 * @var array<int, true>
	 */
	private static array $own = array();

	/**
	 * Product ids whose stock WooCommerce is changing for an order right now.
	 *
	 * @var array<int, true>
	 */
	private static array $order_flow = array();

	/**
	 * Counts already recorded in this request (product id => [SKU, quantity]), so a save that fires
	 * the hook twice sends one event, and a save that changes both the SKU and the stock sends the
	 * new SKU's count once (here, then not again by ProductHooks).
	 *
	 * @var array<int, array{0:string, 1:int}>
	 */
	private static array $recorded = array();

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_action( 'woocommerce_product_set_stock', array( self::class, 'on_set_stock' ), 10, 1 );
		add_action( 'woocommerce_variation_set_stock', array( self::class, 'on_set_stock' ), 10, 1 );
		StockWriteWatch::register();
		add_action( 'woocommerce_product_set_stock_status', array( self::class, 'on_stock_status' ), 10, 3 );
		add_action( 'woocommerce_variation_set_stock_status', array( self::class, 'on_stock_status' ), 10, 3 );
		// WooCommerce asks these filters right before it changes stock for an order…
		add_filter( 'woocommerce_can_reduce_order_stock', array( self::class, 'enter_order_flow' ), PHP_INT_MAX, 2 );
		add_filter( 'woocommerce_can_restore_order_stock', array( self::class, 'enter_order_flow' ), PHP_INT_MAX, 2 );
		// (An admin's edit of an order's items: OrderEditHooks::claim(), asked in on_set_stock.)
		// …and fires these when it is done.
		add_action( 'woocommerce_reduce_order_stock', array( self::class, 'leave_order_flow' ), 0, 1 );
		add_action( 'woocommerce_restore_order_stock', array( self::class, 'leave_order_flow' ), 0, 1 );
	}

	/**
	 * Runs $write with the products marked as Stockline's own writes.
	 *
	 * @param int[]    $product_ids Products the write touches.
	 * @param callable $write       The write.
	 * @return mixed What $write returns.
	 */
	public static function as_own_write( array $product_ids, callable $write ) {
		$before = self::$own;
		foreach ( $product_ids as $id ) {
			self::$own[ (int) $id ] = true;
		}
		try {
			return $write();
		} finally {
			self::$own = $before;
		}
	}

	/**
	 * Whether a stock write of this product is Stockline's own or an order's (not a person's).
	 *
	 * @param int $id Product id.
	 */
	public static function own_or_order_write( int $id ): bool {
		return isset( self::$own[ $id ] ) || isset( self::$order_flow[ $id ] );
	}

	/**
	 * `woocommerce_product_set_stock` / `woocommerce_variation_set_stock`.
	 *
	 * @param \WC_Product $product Product whose stock changed.
	 */
	public static function on_set_stock( $product ): void {
		try {
			if ( ! is_object( $product ) ) {
				return;
			}
			$id    = (int) $product->get_id();
			$write = StockWriteWatch::take( $id ); // What this write did, as WooCommerce's query showed it.
			if ( isset( self::$own[ $id ] ) || isset( self::$order_flow[ $id ] ) || self::from_companion() || ! $product->managing_stock() ) {
				return;
			}
			if ( OrderEditHooks::claim( $product ) ) {
				return; // An admin's edit of an order's items: sent as the change it is.
			}
			if ( DuplicateHooks::claim_copy( $product ) ) {
				return; // "Duplicate": the original's stock again, counted when the copy is published.
			}
			$sku = Events::sku_of( $product );
			if ( '' === $sku ) {
				Logger::log( 'warning', sprintf( 'Stock of product %d (%s) changed but it has no SKU of its own, so Stockline cannot count it.', $id, $product->get_name() ) );
				return;
			}
			$quantity = $product->get_stock_quantity();
			if ( null === $quantity ) {
				return;
			}
			if ( 'same' === $write ) {
				return; // Set to the number it had: nobody typed a count.
			}
			if ( is_int( $write ) ) {
				if ( 0 !== $write && Outbox::add( StockWriteWatch::delta_event( $id, $sku, $write ) ) ) {
					StockWriter::forget_written( $id ); // A person's change now: not the number Stockline wrote.
				}
				return;
			}
			if ( self::counted( $id, $sku, (int) $quantity ) ) {
				return;
			}
			// Unique per write: the id carries the time in microseconds and the new value.
			if ( self::send_count( $id, $sku, (int) $quantity, Settings::site_id() . ':stock:' . $id . ':' . self::stamp() . ':' . max( 0, (int) $quantity ), 'woocommerce stock edit' ) ) {
				StockWriter::forget_written( $id ); // A person's number now, even if it equals Stockline's last push.
				DuplicateHooks::counted( $id );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_product_set_stock', $e );
		}
	}

	/**
	 * `woocommerce_product_set_stock_status` / `woocommerce_variation_set_stock_status`: a product
	 * that does not manage its stock, set to "Out of stock" by hand, has none to sell anywhere: its
	 * SKU is counted 0 (a trial's marketplaces kept selling 6 of a product the store said was out
	 * of stock). Back in stock says no number, so nothing is sent then: the count is the owner's
	 * to give (tick "Manage stock" and enter it, or Stock → Adjust on the Stockline page). A
	 * product that manages stock gets its status from its quantity, which is sent as it changes.
	 *
	 * @param int         $product_id Product id.
	 * @param string      $status     New stock status.
	 * @param \WC_Product $product    The product.
	 */
	public static function on_stock_status( $product_id, $status, $product = null ): void {
		try {
			$product = is_object( $product ) ? $product : wc_get_product( (int) $product_id );
			if ( ! $product || 'outofstock' !== $status || $product->managing_stock() || self::from_companion() ) {
				return;
			}
			$id  = (int) $product->get_id();
			$sku = trim( (string) $product->get_sku( 'edit' ) );
			if ( '' === $sku || isset( self::$own[ $id ] ) ) {
				return;
			}
			Outbox::add( Events::count( Settings::site_id() . ':stockstatus:' . $id . ':' . self::stamp(), $sku, 0, 'marked out of stock in WooCommerce' ) );
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_product_set_stock_status', $e );
		}
	}

	/**
	 * Whether this request already recorded $quantity under $sku for product $id.
	 *
	 * @param int    $id       Product id.
	 * @param string $sku      SKU.
	 * @param int    $quantity WooCommerce's stock quantity.
	 */
	public static function counted( int $id, string $sku, int $quantity ): bool {
		return ( self::$recorded[ $id ] ?? null ) === array( $sku, $quantity );
	}

	/**
	 * Records WooCommerce's stock quantity of a product as the count of $sku (Events::count()) and
	 * remembers it for this request.
	 *
	 * @param int    $id       Product id.
	 * @param string $sku      SKU.
	 * @param int    $quantity WooCommerce's stock quantity (below 0 is sent as 0).
	 * @param string $event_id Event id.
	 * @param string $reason   Reason.
	 * @return bool Whether the outbox stored it.
	 */
	public static function send_count( int $id, string $sku, int $quantity, string $event_id, string $reason ): bool {
		if ( ! Outbox::add( Events::count( $event_id, $sku, $quantity, $reason ) ) ) {
			return false;
		}
		self::$recorded[ $id ] = array( $sku, $quantity ); // Only once stored, so a failed write is tried again.
		return true;
	}

	/**
	 * The current time in microseconds, for event ids unique per write.
	 */
	public static function stamp(): string {
		return (string) (int) floor( microtime( true ) * 1000000 );
	}

	/**
	 * A WooCommerce REST API write made by the companion itself (it sends
	 * `X-Stockline-Origin: companion` with its API key) is Stockline's own write too: sending
	 * it back as an adjustment would echo the companion's number to itself.
	 */
	private static function from_companion(): bool {
		$origin = isset( $_SERVER['HTTP_X_STOCKLINE_ORIGIN'] ) ? sanitize_key( wp_unslash( $_SERVER['HTTP_X_STOCKLINE_ORIGIN'] ) ) : '';
		return 'companion' === $origin && defined( 'REST_REQUEST' ) && REST_REQUEST && is_user_logged_in();
	}

	/**
	 * Filter pass-through that remembers which products an order's stock change will touch.
	 *
	 * @param mixed     $allowed Whether WooCommerce may change stock.
	 * @param \WC_Order $order   The order.
	 * @return mixed
	 */
	public static function enter_order_flow( $allowed, $order = null ) {
		try {
			if ( $allowed && is_object( $order ) ) {
				foreach ( $order->get_items() as $item ) {
					$product = is_object( $item ) && method_exists( $item, 'get_product' ) ? $item->get_product() : null;
					if ( $product ) {
						self::$order_flow[ (int) $product->get_id() ] = true;
						if ( method_exists( $product, 'get_stock_managed_by_id' ) ) {
							self::$order_flow[ (int) $product->get_stock_managed_by_id() ] = true;
						}
					}
				}
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'order stock flow', $e );
		}
		return $allowed;
	}

	/**
	 * WooCommerce finished an order's stock change.
	 */
	public static function leave_order_flow(): void {
		self::$order_flow = array();
	}
}
