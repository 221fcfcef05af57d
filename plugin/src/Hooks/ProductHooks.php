<?php
/**
 * A product's SKU changing or the product being deleted, for products and variations that manage
 * their own stock (the ones StockHooks and the import count, under Events::sku_of()):
 *
 * - a save that gives the product a new SKU (renamed, or added where there was none) sends the
 *   new SKU's count exactly as a stock edit does (stock.adjusted `set` = WooCommerce's stock
 *   quantity, basis `available`, reason `SKU renamed from OLD` / `SKU added`), and retires the old
 *   SKU (`set` 0, basis `available`, reason `SKU renamed to NEW`) so no channel keeps selling a SKU
 *   that no product has any more;
 * - a permanent delete retires the product's SKU the same way (reason `product deleted`);
 * - moving it to the trash retires it too (reason `product trashed`: the store no longer sells
 *   it, so no channel should), and restoring it from the trash counts it again (reason
 *   `product restored`, WooCommerce's stock as a stock edit sends it).
 *
 * A variation whose stock its parent manages has no count of its own (its units are the parent's,
 * under the parent's SKU), so its SKU changing or its deletion sends nothing.
 *
 * - a variation that counted its stock under its own SKU and is saved with "Manage stock?"
 *   unticked, so that its parent's stock is used, retires its SKU as a rename retires the old
 *   one (reason `stock counted under parent SKU P`): the variation now sells from the parent's
 *   count, under the parent's SKU, and every channel kept selling its old count under its own.
 *   Ticked again, its stock is counted under its own SKU (a stock edit in the same save sends it;
 *   otherwise `own stock again`). A variation unticked while its parent does not manage stock
 *   either manages no stock at all, and sends nothing, as a product whose "Manage stock" is
 *   unticked does.
 *
 * Hooks (WooCommerce 8–9, WC_Data::save() and WC_Product_Data_Store_CPT):
 * - `woocommerce_before_product_object_save` fires at the start of every CRUD save of a product or
 *   a variation (a variation's object type is 'product' too), before the data store writes:
 *   get_data() is still the stored product (its SKU and 'Manage stock'), get_changes() holds the
 *   new SKU. That is the only point where the old SKU is still known.
 * - `woocommerce_after_product_object_save` fires at the end of the same save, for products and
 *   variations alike, after the data store wrote the meta, fired woocommerce_*_set_stock (a stock
 *   changed in the same save is sent by StockHooks first, and not sent twice) and applied the
 *   changes. (`woocommerce_update_product` / `woocommerce_update_product_variation` fire at almost
 *   the same point, but are two hooks for one thing.)
 * - `before_delete_post` (WordPress's wp_delete_post(), before the meta goes) is where every
 *   permanent delete passes: "Delete permanently" and emptying the trash in wp-admin, the REST
 *   API's force delete ($product->delete( true ) calls wp_delete_post()), and the variations
 *   WooCommerce deletes with their product (WC_Post_Data::delete_post() →
 *   delete_variations() → wp_delete_post() for each). The product is still readable there.
 *
 * - `transition_post_status` to and from 'trash' (wp_trash_post() and wp_untrash_post() update
 *   the status through wp_update_post()): one hook for both directions, and for the variations
 *   WooCommerce trashes and restores with their product (WC_Post_Data::trash_post →
 *   delete_variations( id, false ) → wp_trash_post(); untrash_variations() → wp_untrash_post(),
 *   read in WooCommerce 9.2.5).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Events;
use Stockline\Logger;
use Stockline\Outbox;
use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * SKU change and delete hooks.
 */
final class ProductHooks {

	/**
	 * Saves in progress that change a product's SKU, or a variation's own "Manage stock": product
	 * id => the SKU as stored, whether the stored product counted its stock under it, and whether
	 * the SKU changes.
	 *
	 * @var array<int, array{old:string, counted:bool, renamed:bool}>
	 */
	private static array $pending = array();

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_action( 'woocommerce_before_product_object_save', array( self::class, 'before_save' ), 10, 1 );
		add_action( 'woocommerce_after_product_object_save', array( self::class, 'after_save' ), 10, 1 );
		add_action( 'before_delete_post', array( self::class, 'before_delete' ), 10, 1 );
		add_action( 'transition_post_status', array( self::class, 'trash_moved' ), 10, 3 );
	}

	/**
	 * `transition_post_status`: a product or variation moved to the trash retires its SKU; one
	 * restored from it is counted again.
	 *
	 * @param string   $new_status New status.
	 * @param string   $old_status Old status.
	 * @param \WP_Post $post       The post.
	 */
	public static function trash_moved( $new_status, $old_status, $post ): void {
		try {
			$trashed = 'trash' === $new_status && 'trash' !== $old_status;
			$restored = 'trash' === $old_status && 'trash' !== $new_status;
			if ( ( ! $trashed && ! $restored ) || ! is_object( $post ) ) {
				return;
			}
			$id      = (int) $post->ID;
			$counted = self::counted_post( $id );
			if ( null === $counted ) {
				return;
			}
			[ $product, $sku ] = $counted;
			$stamp = StockHooks::stamp(); // A product can go to the trash and back many times.
			if ( $trashed ) {
				self::retire( $id, $sku, Settings::site_id() . ':trashed:' . $id . ':' . $stamp, 'product trashed' );
				return;
			}
			if ( self::taken( $id, $sku ) ) {
				return; // Restored while another product took its SKU: the live one's count stands.
			}
			$quantity = $product->get_stock_quantity();
			if ( null !== $quantity ) {
				StockHooks::send_count( $id, $sku, (int) $quantity, Settings::site_id() . ':restored:' . $id . ':' . $stamp, 'product restored' );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'transition_post_status', $e );
		}
	}

	/**
	 * `woocommerce_before_product_object_save`: remembers the stored SKU when the save changes it,
	 * or changes whether a variation manages its own stock.
	 *
	 * @param \WC_Product $product Product or variation about to be saved.
	 */
	public static function before_save( $product ): void {
		try {
			if ( ! is_object( $product ) || ! method_exists( $product, 'get_changes' ) || ! method_exists( $product, 'get_data' ) ) {
				return;
			}
			$id = (int) $product->get_id();
			unset( self::$pending[ $id ] ); // A save that failed half-way leaves nothing behind for the next.
			if ( $id < 1 ) {
				return; // A new product: its first count is its stock being set (StockHooks).
			}
			$changes = $product->get_changes();
			if ( ! is_array( $changes ) ) {
				return;
			}
			$data    = $product->get_data();
			$old     = trim( (string) ( $data['sku'] ?? '' ) );
			$renamed = array_key_exists( 'sku', $changes ) && trim( (string) $changes['sku'] ) !== $old;
			// A variation's own flag (get_data() and get_changes() hold the stored and new values
			// of 'manage_stock', never 'parent'): ticked or unticked in this save.
			$switched = array_key_exists( 'manage_stock', $changes ) && $product->is_type( 'variation' )
				&& (bool) $changes['manage_stock'] !== ! empty( $data['manage_stock'] );
			if ( ! $renamed && ! $switched ) {
				return;
			}
			// The stored product counted its stock under its own SKU only when it managed its own
			// stock (a variation's stored 'manage_stock' is its own flag, false when the parent's
			// stock is used).
			self::$pending[ $id ] = array(
				'old'     => $old,
				'counted' => '' !== $old && ! empty( $data['manage_stock'] ) && 'no' !== get_option( 'woocommerce_manage_stock', 'yes' ),
				'renamed' => $renamed,
			);
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_before_product_object_save', $e );
		}
	}

	/**
	 * `woocommerce_after_product_object_save`: sends the new SKU's count and retires the old SKU;
	 * for a variation whose "Manage stock" changed, retires its SKU when the parent's stock is
	 * used now, and counts it when it holds its own stock again.
	 *
	 * @param \WC_Product $product Product or variation just saved.
	 */
	public static function after_save( $product ): void {
		try {
			if ( ! is_object( $product ) ) {
				return;
			}
			$id = (int) $product->get_id();
			if ( ! isset( self::$pending[ $id ] ) ) {
				return;
			}
			$was = self::$pending[ $id ];
			unset( self::$pending[ $id ] );
			if ( '' !== get_post_meta( $id, DuplicateHooks::UNCOUNTED, true ) ) {
				return; // A draft copy not counted yet (its old SKU never was): counted under its SKU when published.
			}

			$sku    = self::own_stock( $product ) ? Events::sku_of( $product ) : '';
			$parent = self::parent_sku( $product ); // Null unless its parent's stock is used now.
			if ( ! $was['renamed'] && '' === $sku && null === $parent ) {
				return; // Unticked while the parent manages no stock either: no stock at all, as an unmanaged product.
			}
			$stamp = StockHooks::stamp(); // Unique per save, so a second rename is new events.
			$base  = Settings::site_id() . ':sku:' . $id . ':' . $stamp;
			if ( '' !== $sku && ( $sku !== $was['old'] || ! $was['counted'] ) ) {
				$quantity = $product->get_stock_quantity();
				if ( null !== $quantity && ! StockHooks::counted( $id, $sku, (int) $quantity ) ) {
					if ( $sku === $was['old'] ) {
						$reason = 'own stock again'; // "Manage stock?" ticked on a variation (a new stock in the same save was sent as the edit it is).
					} else {
						$reason = '' === $was['old'] ? 'SKU added' : 'SKU renamed from ' . $was['old'];
					}
					StockHooks::send_count( $id, $sku, (int) $quantity, $base . ':' . max( 0, (int) $quantity ), $reason );
				}
			}
			if ( $was['counted'] && $sku !== $was['old'] ) {
				if ( null !== $parent ) {
					$reason = '' !== $parent ? 'stock counted under parent SKU ' . $parent : 'stock counted under the parent product';
				} else {
					$reason = '' === $sku ? 'SKU removed' : 'SKU renamed to ' . $sku;
				}
				self::retire( $id, $was['old'], $base . ':retire', $reason );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_after_product_object_save', $e );
		}
	}

	/**
	 * `before_delete_post`: a product or variation deleted for good retires its SKU.
	 *
	 * @param int $post_id Post being deleted.
	 */
	public static function before_delete( $post_id ): void {
		try {
			$post_id = (int) $post_id;
			$counted = self::counted_post( $post_id );
			if ( null === $counted ) {
				return;
			}
			$sku = $counted[1];
			// A post id is deleted once: the id is fixed, so a hook that fires again stores nothing new.
			self::retire( $post_id, $sku, Settings::site_id() . ':deleted:' . $post_id, 'product deleted' );
		} catch ( \Throwable $e ) {
			Logger::exception( 'before_delete_post', $e );
		}
	}

	/**
	 * The product or variation behind a post and the SKU its own stock is counted under, or null
	 * when the post is not one, or it holds no stock of its own, or has no SKU.
	 *
	 * @param int $post_id Post id.
	 * @return array{0:\WC_Product, 1:string}|null
	 */
	private static function counted_post( int $post_id ): ?array {
		if ( $post_id < 1 || ! in_array( get_post_type( $post_id ), array( 'product', 'product_variation' ), true ) || ! function_exists( 'wc_get_product' ) ) {
			return null;
		}
		$product = wc_get_product( $post_id );
		if ( ! $product || ! self::own_stock( $product ) ) {
			return null;
		}
		$sku = Events::sku_of( $product );
		return '' === $sku ? null : array( $product, $sku );
	}

	/**
	 * Sets a SKU no product counts under any more to 0 available, unless another product has it
	 * now (taken()): deleting a trashed product must not zero the count of the new one that took
	 * its SKU.
	 *
	 * @param int    $id       The product that had the SKU.
	 * @param string $sku      SKU.
	 * @param string $event_id Event id.
	 * @param string $reason   Reason.
	 */
	private static function retire( int $id, string $sku, string $event_id, string $reason ): void {
		if ( ! self::taken( $id, $sku ) ) {
			Outbox::add( Events::count( $event_id, $sku, 0, $reason ) );
		}
	}

	/**
	 * Whether another product or variation, not in the trash, has this SKU now (logged when it
	 * has): WooCommerce lets a new product take the SKU of one in the trash, and that one's count
	 * is the live one. WooCommerce's own check, the one its SKU uniqueness rests on (the product
	 * data store's is_existing_sku(), on its indexed product lookup table).
	 *
	 * @param int    $id  The product asking.
	 * @param string $sku SKU.
	 */
	private static function taken( int $id, string $sku ): bool {
		if ( ! \WC_Data_Store::load( 'product' )->is_existing_sku( $id, $sku ) ) {
			return false;
		}
		Logger::log( 'info', sprintf( 'Another product has SKU %s now, so product %d sends nothing for it and Stockline leaves its count as it is.', $sku, $id ) );
		return true;
	}

	/**
	 * For a variation whose stock its parent manages ("Manage stock" at the parent level), the
	 * parent's SKU ('' when it has none); null for any other product.
	 *
	 * @param \WC_Product $product Product or variation.
	 */
	private static function parent_sku( $product ): ?string {
		if ( ! $product->is_type( 'variation' ) || ! $product->managing_stock() || self::own_stock( $product ) ) {
			return null;
		}
		return Events::sku_of( $product ); // The parent's SKU, where its stock is counted.
	}

	/**
	 * Whether the product holds stock of its own: it manages stock, and not through its parent.
	 *
	 * @param \WC_Product $product Product or variation.
	 */
	private static function own_stock( $product ): bool {
		if ( ! $product->managing_stock() ) {
			return false;
		}
		return ! method_exists( $product, 'get_stock_managed_by_id' ) || (int) $product->get_stock_managed_by_id() === (int) $product->get_id();
	}
}
