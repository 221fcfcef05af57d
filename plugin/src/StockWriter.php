<?php
/**
 * Compare-and-set of a product's stock, for quantities pushed by the companion. The check and
 * the write are one SQL UPDATE (… WHERE stock = expected), so a sale that lands between the
 * companion's read and this write is never overwritten: the write matches no row and the
 * current value goes back to the companion instead.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

use Stockline\Hooks\StockHooks;

defined( 'ABSPATH' ) || exit;

// phpcs:disable WordPress.DB.DirectDatabaseQuery -- an atomic conditional UPDATE is the point of this class.

/**
 * Stock compare-and-set.
 */
final class StockWriter {

	/**
	 * Post meta: the stock quantity Stockline last wrote on the product (a compare-and-set answered
	 * ok). While the product's stock still equals it, that number is the companion's push (the
	 * ledger's available, less a buffer, 0 while paused or oversold), not the merchant's count, so
	 * a re-import leaves the product to the ledger (Importer). A person's stock edit removes it
	 * (StockHooks).
	 */
	public const WRITTEN_META = '_stockline_written';

	/**
	 * Sets one SKU's stock to $quantity if it is $expected now.
	 *
	 * @param string   $sku      SKU.
	 * @param int      $quantity New stock.
	 * @param int|null $expected Stock the companion believes is there (null: set unconditionally).
	 * @return array{sku:string, status:string, quantity:int|null}
	 */
	public static function compare_and_set( string $sku, int $quantity, ?int $expected ): array {
		global $wpdb;
		$product = self::product_by_sku( $sku );
		if ( ! is_object( $product ) ) {
			$result = array(
				'sku'      => $sku,
				'status'   => 'not_found',
				'quantity' => null,
			);
			if ( is_string( $product ) ) {
				$result['message'] = $product;
			}
			return $result;
		}
		// The product owns the stock it is written to (product_by_sku()): never its parent's.
		$id = (int) $product->get_id();

		$sql = "UPDATE {$wpdb->postmeta} SET meta_value = %d WHERE post_id = %d AND meta_key = '_stock'";
		if ( null === $expected ) {
			$updated = $wpdb->query( $wpdb->prepare( $sql, $quantity, $id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		} else {
			// "+ 0" compares numerically: WooCommerce stores stock as "7" or as "7.000000".
			$updated = $wpdb->query( $wpdb->prepare( $sql . ' AND (meta_value + 0) = %d', $quantity, $id, $expected ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		}
		// With $quantity === $expected MySQL reports 0 changed rows although the row matched.
		$current = self::read( $id );
		if ( ( 1 !== $updated && $current !== $quantity ) || null === $current ) {
			return array(
				'sku'      => $sku,
				'status'   => 'stale',
				'quantity' => $current,
			);
		}
		if ( 1 === $updated ) {
			self::after_write( $id );
		}
		// Also when the stock already was that number: it is the ledger's now too. (One meta write,
		// none when the meta already holds it.)
		update_post_meta( $id, self::WRITTEN_META, (string) $quantity );
		return array(
			'sku'      => $sku,
			'status'   => 'ok',
			'quantity' => $quantity,
		);
	}

	/**
	 * Whether the product's stock is the number Stockline last wrote there (WRITTEN_META) and
	 * nobody changed it since: an order's stock change moves it off that number, a person's edit
	 * removes the meta.
	 *
	 * @param int      $id       Product id.
	 * @param int|null $quantity The product's stock quantity now.
	 */
	public static function is_own_number( int $id, ?int $quantity ): bool {
		$written = get_post_meta( $id, self::WRITTEN_META, true );
		return null !== $quantity && is_numeric( $written ) && (int) $written === $quantity;
	}

	/**
	 * Forgets what Stockline last wrote on a product: its stock is a person's number now.
	 *
	 * @param int $id Product id.
	 */
	public static function forget_written( int $id ): void {
		if ( '' !== get_post_meta( $id, self::WRITTEN_META, true ) ) { // Read from the meta cache the product load filled.
			delete_post_meta( $id, self::WRITTEN_META );
		}
	}

	/**
	 * Stock of a product straight from the database, or null when it has none.
	 *
	 * @param int $id Product id.
	 */
	public static function read( int $id ): ?int {
		global $wpdb;
		$value = $wpdb->get_var( $wpdb->prepare( "SELECT meta_value FROM {$wpdb->postmeta} WHERE post_id = %d AND meta_key = '_stock' LIMIT 1", $id ) );
		return null === $value || '' === $value ? null : (int) round( (float) $value );
	}

	/**
	 * What WooCommerce does after its own stock writes (wc_update_product_stock): clear caches,
	 * recompute the stock status, tell other plugins — marked as Stockline's write so our own
	 * stock hook does not send it back.
	 *
	 * @param int $id Product id that holds the stock.
	 */
	private static function after_write( int $id ): void {
		wp_cache_delete( $id, 'post_meta' );
		delete_transient( 'wc_low_stock_count' );
		delete_transient( 'wc_outofstock_count' );
		StockHooks::as_own_write(
			array( $id ),
			static function () use ( $id ): void {
				$product = wc_get_product( $id );
				if ( ! $product ) {
					return;
				}
				if ( method_exists( $product, 'validate_props' ) ) {
					$product->validate_props();
				}
				$product->save();
				do_action( $product->is_type( 'variation' ) ? 'woocommerce_variation_set_stock' : 'woocommerce_product_set_stock', $product );
			}
		);
	}

	/**
	 * The product or variation with this SKU that holds stock of its own, or null when none has
	 * the SKU, or, for one that does not manage stock or a variation whose stock its parent
	 * manages ("Manage stock" at the parent level), the sentence that says so.
	 *
	 * Such a variation's managing_stock() is true (WooCommerce answers for the parent), but its
	 * stock is the parent's and Stockline counts it under the parent's SKU (Events::sku_of()).
	 * A quantity the companion has for the variation's own SKU (a marketplace sale of it, an
	 * adjustment by it) is not the parent's count: written through get_stock_managed_by_id() it
	 * set the parent's stock to that number (a sale of size M made the whole product 0 in the
	 * store while the ledger said 8). So it is not found here, and the companion's dead letter
	 * says where the stock is counted.
	 *
	 * @param string $sku SKU.
	 * @return \WC_Product|string|null
	 */
	private static function product_by_sku( string $sku ) {
		if ( '' === $sku || ! function_exists( 'wc_get_product_id_by_sku' ) ) {
			return null;
		}
		$id      = (int) wc_get_product_id_by_sku( $sku );
		$product = $id ? wc_get_product( $id ) : null;
		if ( ! $product ) {
			return null;
		}
		if ( ! $product->managing_stock() ) {
			// In the store, just not counted there: say so, not "not in the store" (a trial's owner
			// was told a product was missing that was only set to "Out of stock" by hand).
			/* translators: 1: product name, 2: SKU. */
			return sprintf( __( '"%1$s" (SKU %2$s) does not manage its stock in WooCommerce ("Manage stock?" is unticked), so the store takes no quantity for it; tick it and enter the count to keep it in step.', 'stockline' ), $product->get_name(), $sku );
		}
		$holder = method_exists( $product, 'get_stock_managed_by_id' ) ? (int) $product->get_stock_managed_by_id() : (int) $product->get_id();
		if ( $holder === (int) $product->get_id() ) {
			return $product;
		}
		$parent     = wc_get_product( $holder );
		$parent_sku = $parent ? trim( (string) $parent->get_sku() ) : '';
		return '' !== $parent_sku
			/* translators: 1: the variation's SKU, 2: its parent's SKU. */
			? sprintf( __( 'The stock of SKU %1$s is counted under its parent\'s SKU %2$s (the variation uses the parent\'s stock: "Manage stock" at the parent level), so the store takes no quantity for %1$s; the parent\'s stock was left as it is.', 'stockline' ), $sku, $parent_sku )
			/* translators: 1: the variation's SKU, 2: its parent product's id. */
			: sprintf( __( 'The stock of SKU %1$s is counted under its parent product #%2$d, which has no SKU (the variation uses the parent\'s stock: "Manage stock" at the parent level), so the store takes no quantity for %1$s; the parent\'s stock was left as it is.', 'stockline' ), $sku, $holder );
	}
}
