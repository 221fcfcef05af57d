<?php
/**
 * WooCommerce's "Duplicate" makes a draft copy of a product with the original's stock under a new
 * SKU ("-1"). That stock is the original's shelf again, not a count of its own: sent as one, the
 * ledger had 15 more units of a draft copy, shown as sellable and as missing a listing on every
 * channel (acceptance pass 24). So a copy's stock is not sent when it is made; the copy is marked
 * uncounted, and counted when it is published (its variations with it) or when a person sets its
 * stock, whichever comes first.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Logger;
use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Duplicated products.
 */
final class DuplicateHooks {

	/** Post meta on a copy whose stock Stockline has not counted yet. */
	public const UNCOUNTED = '_stockline_uncounted';

	/**
	 * Copies being made in this request (spl_object_id of the product object => true).
	 *
	 * @var array<int, true>
	 */
	private static array $copies = array();

	/**
	 * Products published in this request, counted at its end (count_published()).
	 *
	 * @var array<int, true>
	 */
	private static array $published = array();

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_action( 'woocommerce_product_duplicate_before_save', array( self::class, 'before_save' ), 10, 1 );
		add_action( 'woocommerce_product_duplicate', array( self::class, 'done' ), 10, 0 );
		add_action( 'transition_post_status', array( self::class, 'published' ), 10, 3 );
		// Before the outbox's own delivery at shutdown (priority 100).
		add_action( 'shutdown', array( self::class, 'count_published' ), 10, 0 );
	}

	/**
	 * `woocommerce_product_duplicate_before_save` (the copy and each of its variations).
	 *
	 * @param \WC_Product $copy The copy about to be created.
	 */
	public static function before_save( $copy ): void {
		if ( is_object( $copy ) ) {
			self::$copies[ spl_object_id( $copy ) ] = true;
		}
	}

	/**
	 * `woocommerce_product_duplicate`: the copy and its variations are saved.
	 */
	public static function done(): void {
		self::$copies = array();
	}

	/**
	 * For StockHooks: whether this stock write is a copy being created. If so it is marked
	 * uncounted (once) and nothing is sent.
	 *
	 * @param \WC_Product $product Product whose stock was set.
	 */
	public static function claim_copy( $product ): bool {
		$key = spl_object_id( $product );
		if ( ! isset( self::$copies[ $key ] ) ) {
			return false;
		}
		unset( self::$copies[ $key ] );
		update_post_meta( (int) $product->get_id(), self::UNCOUNTED, '1' );
		return true;
	}

	/**
	 * A person's stock on the copy was sent: it is counted now.
	 *
	 * @param int $id Product id.
	 */
	public static function counted( int $id ): void {
		if ( '' !== get_post_meta( $id, self::UNCOUNTED, true ) ) {
			delete_post_meta( $id, self::UNCOUNTED );
		}
	}

	/**
	 * `transition_post_status`: a copy published is counted, with its uncounted variations, at the
	 * end of the request. The product screen publishes the post before WooCommerce saves the stock
	 * typed in the same save: counted at once, the copy's old 15 went out, then the typed 4 as −11.
	 *
	 * @param string   $new_status New status.
	 * @param string   $old_status Old status.
	 * @param \WP_Post $post       The post.
	 */
	public static function published( $new_status, $old_status, $post ): void {
		if ( 'publish' === $new_status && 'publish' !== $old_status && is_object( $post ) && 'product' === $post->post_type ) {
			self::$published[ (int) $post->ID ] = true;
		}
	}

	/**
	 * `shutdown`: counts the copies published in this request that are still uncounted (a stock a
	 * person set in the same save was sent as their count and cleared the mark).
	 */
	public static function count_published(): void {
		$published       = array_keys( self::$published );
		self::$published = array();
		foreach ( $published as $product_id ) {
			self::count_copy( $product_id );
		}
	}

	/**
	 * Counts an uncounted copy and its uncounted variations.
	 *
	 * @param int $product_id The published product.
	 */
	private static function count_copy( int $product_id ): void {
		try {
			$ids = array( $product_id );
			foreach ( get_posts(
				array(
					'post_parent' => $product_id,
					'post_type'   => 'product_variation',
					'post_status' => 'any',
					'fields'      => 'ids',
					'numberposts' => -1,
					'meta_key'    => self::UNCOUNTED, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_key -- a product's own variations only.
				)
			) as $child ) {
				$ids[] = (int) $child;
			}
			foreach ( $ids as $id ) {
				if ( '' === get_post_meta( $id, self::UNCOUNTED, true ) ) {
					continue;
				}
				$product  = wc_get_product( $id );
				$sku      = $product && $product->managing_stock() ? trim( (string) $product->get_sku( 'edit' ) ) : '';
				$quantity = $product ? $product->get_stock_quantity() : null;
				if ( '' !== $sku && null !== $quantity
					&& ! StockHooks::send_count( $id, $sku, (int) $quantity, Settings::site_id() . ':published:' . $id . ':' . StockHooks::stamp(), 'product published' ) ) {
					continue; // Not stored: stays uncounted, so the next publish or edit sends it.
				}
				delete_post_meta( $id, self::UNCOUNTED );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'duplicate published', $e );
		}
	}
}
