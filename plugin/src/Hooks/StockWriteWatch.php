<?php
/**
 * What a stock write is about to do, read from WooCommerce's own stock query
 * (`woocommerce_update_product_stock_query`, WC_Product_Data_Store_CPT::update_product_stock(),
 * the write behind wc_update_product_stock()): a set to the number already stored, or the units
 * an increase or decrease moves. StockHooks::on_set_stock() takes it right after and sends
 * nothing for the first and a `delta` for the second: sent as counts of what WooCommerce showed,
 * a price-only Bulk edit took a paused SKU's 15 units to 0 and counted back a marketplace sale
 * not yet pushed to the store (acceptance pass 27).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Events;
use Stockline\Logger;
use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * The stock write watch.
 */
final class StockWriteWatch {

	/**
	 * The stock write under way (product id => 'same', or the units it adds or takes off).
	 *
	 * @var array<int, string|int>
	 */
	private static array $write = array();

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_filter( 'woocommerce_update_product_stock_query', array( self::class, 'on_stock_query' ), 10, 4 );
	}

	/**
	 * What the write of this product under way does ('same', the units it moves, or null when
	 * not known: a write WooCommerce's stock query did not see), read once.
	 *
	 * @param int $id Product id.
	 * @return string|int|null
	 */
	public static function take( int $id ) {
		$write = self::$write[ $id ] ?? null;
		unset( self::$write[ $id ] );
		return $write;
	}

	/**
	 * `woocommerce_update_product_stock_query` (WC_Product_Data_Store_CPT::update_product_stock(),
	 * the write behind wc_update_product_stock()): notes what the write is about to do, from the
	 * stock stored right now: a set to the same number, or the units an increase or decrease moves.
	 * Writes of orders and of Stockline itself are not looked at.
	 *
	 * @param string    $sql       The query (returned as it is).
	 * @param int       $id        Product id whose stock is written.
	 * @param int|float $new_stock The stock after the write.
	 * @param string    $operation set, increase or decrease.
	 * @return string
	 */
	public static function on_stock_query( $sql, $id = 0, $new_stock = null, $operation = 'set' ) {
		try {
			$id = (int) $id;
			if ( $id <= 0 || null === $new_stock || StockHooks::own_or_order_write( $id ) ) {
				return $sql;
			}
			global $wpdb;
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- the stored number right before WooCommerce's own query, as it reads it.
			$stored = $wpdb->get_var( $wpdb->prepare( "SELECT meta_value FROM {$wpdb->postmeta} WHERE post_id = %d AND meta_key = '_stock'", $id ) );
			if ( null === $stored || ! is_numeric( $stored ) ) {
				unset( self::$write[ $id ] );
				return $sql;
			}
			$moved = (int) round( (float) $new_stock - (float) $stored );
			if ( 'set' === $operation ) {
				if ( 0 === $moved ) {
					self::$write[ $id ] = 'same';
				} else {
					unset( self::$write[ $id ] );
				}
			} else {
				self::$write[ $id ] = $moved;
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_update_product_stock_query', $e );
		}
		return $sql;
	}

	/**
	 * stock.adjusted by `delta` units for a relative change of a product's stock, unique per write.
	 *
	 * @param int    $id    Product id.
	 * @param string $sku   SKU.
	 * @param int    $delta Units added (negative: taken off).
	 * @return array<string, mixed>
	 */
	public static function delta_event( int $id, string $sku, int $delta ): array {
		$event           = Events::base( Settings::site_id() . ':stock:' . $id . ':' . StockHooks::stamp() . ':' . ( $delta >= 0 ? 'up' : 'down' ) . abs( $delta ), 'stock.adjusted' );
		$event['sku']    = $sku;
		$event['delta']  = $delta;
		$event['reason'] = $delta >= 0 ? sprintf( 'woocommerce stock increased by %d', $delta ) : sprintf( 'woocommerce stock decreased by %d', -$delta );
		return $event;
	}
}
