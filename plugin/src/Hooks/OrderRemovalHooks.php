<?php
/**
 * Orders deleted for good or moved to the trash. WooCommerce changes no status then (no hook of
 * OrderHooks fires), so a hold the order still had would sit in the ledger until it expires.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Logger;

defined( 'ABSPATH' ) || exit;

/**
 * Order removal hooks.
 */
final class OrderRemovalHooks {

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		// An unpaid order deleted or trashed: WooCommerce changes no status (no hook above fires), so
		// its hold would sit in the ledger until it expires. CRUD deletes (WooCommerce 8.0+, either
		// order storage: the REST API, the HPOS orders screen, the draft-order clean-up) and the
		// posts-storage orders screen (wp_delete_post() / wp_trash_post() straight; before
		// WooCommerce's own before_delete_post clean-up at 10).
		add_action( 'woocommerce_before_delete_order', array( self::class, 'on_order_deleted' ), 10, 2 );
		add_action( 'woocommerce_before_trash_order', array( self::class, 'on_order_trashed' ), 10, 2 );
		add_action( 'before_delete_post', array( self::class, 'on_post_deleted' ), 5, 1 );
		add_action( 'wp_trash_post', array( self::class, 'on_post_trashed' ), 10, 1 );
	}

	/**
	 * `woocommerce_before_delete_order`.
	 *
	 * @param int            $order_id Order id.
	 * @param \WC_Order|null $order    The order.
	 */
	public static function on_order_deleted( $order_id, $order = null ): void {
		self::removed( (int) $order_id, $order, 'order deleted' );
	}

	/**
	 * `woocommerce_before_trash_order`.
	 *
	 * @param int            $order_id Order id.
	 * @param \WC_Order|null $order    The order.
	 */
	public static function on_order_trashed( $order_id, $order = null ): void {
		self::removed( (int) $order_id, $order, 'order trashed' );
	}

	/**
	 * `before_delete_post`, for orders kept as posts.
	 *
	 * @param int $post_id Post id.
	 */
	public static function on_post_deleted( $post_id ): void {
		if ( 'shop_order' === get_post_type( (int) $post_id ) ) {
			self::removed( (int) $post_id, null, 'order deleted' );
		}
	}

	/**
	 * `wp_trash_post`, for orders kept as posts.
	 *
	 * @param int $post_id Post id.
	 */
	public static function on_post_trashed( $post_id ): void {
		if ( 'shop_order' === get_post_type( (int) $post_id ) ) {
			self::removed( (int) $post_id, null, 'order trashed' );
		}
	}

	/**
	 * An order deleted for good or moved to the trash: a hold it still has (never paid) is
	 * released, as for a failed or cancelled order (same event and id, `{site}:{order}:released`,
	 * so the several hooks one delete fires, or a later cancel, send it once). A paid order's
	 * units stay as they are: deleting the record of a sale does not undo it.
	 *
	 * @param int            $order_id Order id.
	 * @param \WC_Order|null $order    The order, when the hook passes it.
	 * @param string         $reason   Reason.
	 */
	private static function removed( int $order_id, $order, string $reason ): void {
		try {
			$order = is_object( $order ) ? $order : wc_get_order( $order_id );
			if ( $order && 'held' === OrderState::state( $order ) ) {
				OrderHooks::end( $order, $reason );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'order deleted', $e );
		}
	}
}
