<?php
/**
 * Quick Edit on the Products list must not save a stale stock number over a sale.
 *
 * WooCommerce's Quick Edit form always posts the `_stock` it was filled with, and its save
 * (WC_Admin_Post_Types::quick_edit_save(), on `save_post` at priority 10) writes that number
 * whatever happened meanwhile. The form is filled from the row's inline data
 * (`#woocommerce_inline_<id> .stock`), printed when the list was loaded. A sale that lands while
 * it is open (a marketplace order the companion pushed into WooCommerce as a lower stock) is then
 * undone by a save that only changed the price: WooCommerce writes the old number, StockHooks
 * sends it as a person's count, and every channel sells units that are gone.
 *
 * The product edit screen has a guard for this in WooCommerce itself (the hidden
 * `_original_stock` field: "The stock has not been updated because the value has changed since
 * editing"); Quick Edit has none. This gives it the same one:
 * - a hidden field in the Quick Edit form, filled by assets/quick-edit-guard.js with the stock
 *   the form was filled with when Quick Edit opens;
 * - on `save_post` at priority 9, right before WooCommerce's save, the product's stock read from
 *   the database is compared with that number. If they differ, the stock is left as it is now:
 *   `_stock` in the request is set to the current number (WooCommerce then sees no change, so it
 *   neither writes the stock nor fires the stock hook). Taking `_stock` out of the request would
 *   not do: quick_edit_save() sets the stock to empty when `_stock` is missing. The other fields
 *   of the form are saved as usual;
 * - the merchant is told on the next admin page, once.
 * When they match, the request is not touched: a deliberate stock edit goes through as before.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Logger;
use Stockline\StockWriter;

defined( 'ABSPATH' ) || exit;

/**
 * Quick Edit stock guard.
 */
final class QuickEditGuard {

	/**
	 * The hidden form field: the stock the Quick Edit form showed when it was opened.
	 */
	public const FIELD = '_stockline_original_stock';

	/**
	 * User meta: notices waiting for the user's next admin page (Quick Edit saves through
	 * admin-ajax.php, which shows no notices).
	 */
	private const NOTICES_META = '_stockline_quick_edit_notices';

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_action( 'woocommerce_product_quick_edit_end', array( self::class, 'field' ) );
		add_action( 'admin_enqueue_scripts', array( self::class, 'enqueue' ) );
		// WooCommerce saves Quick Edit on save_post at priority 10 (WC_Admin_Post_Types::bulk_and_quick_edit_hook).
		add_action( 'save_post', array( self::class, 'before_save' ), 9, 2 );
		add_action( 'admin_notices', array( self::class, 'notices' ) );
	}

	/**
	 * Prints the hidden field into WooCommerce's Quick Edit form (empty here: the form is one
	 * template for every row, filled when a row's Quick Edit opens).
	 */
	public static function field(): void {
		echo '<input type="hidden" name="' . esc_attr( self::FIELD ) . '" value="" />';
	}

	/**
	 * Loads the script that fills the field, on the Products list only.
	 *
	 * @param string $hook_suffix The admin page.
	 */
	public static function enqueue( $hook_suffix ): void {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( 'edit.php' !== $hook_suffix || ! $screen || 'product' !== $screen->post_type ) {
			return;
		}
		wp_enqueue_script( 'stockline-quick-edit-guard', plugins_url( 'assets/quick-edit-guard.js', STOCKLINE_PLUGIN_FILE ), array( 'jquery', 'inline-edit-post' ), STOCKLINE_VERSION, true );
	}

	/**
	 * `save_post`, before WooCommerce's Quick Edit save: keeps a stock that changed while the
	 * form was open.
	 *
	 * @param int      $post_id Post id.
	 * @param \WP_Post $post    Post.
	 */
	public static function before_save( $post_id, $post ): void {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- verified below, as WooCommerce does, before anything is changed.
		try {
			// Only WooCommerce's Quick Edit form (bulk edit changes stock by its own fields), and
			// only when the form carried the number it showed (our script ran).
			if ( empty( $_REQUEST['woocommerce_quick_edit'] ) || ! isset( $_REQUEST[ self::FIELD ], $_REQUEST['_stock'] ) ) {
				return;
			}
			if ( ! is_object( $post ) || 'product' !== $post->post_type || wp_is_post_revision( (int) $post_id ) || ( defined( 'DOING_AUTOSAVE' ) && DOING_AUTOSAVE ) ) {
				return;
			}
			// The same checks WooCommerce makes before it saves: without them it saves nothing, and
			// a notice would speak of a save that did not happen.
			$nonce = isset( $_REQUEST['woocommerce_quick_edit_nonce'] ) ? sanitize_key( wp_unslash( $_REQUEST['woocommerce_quick_edit_nonce'] ) ) : '';
			if ( ! wp_verify_nonce( $nonce, 'woocommerce_quick_edit_nonce' ) || ! current_user_can( 'edit_post', (int) $post_id ) ) {
				return;
			}
			// "Manage stock" unticked in the form: WooCommerce clears the stock whatever it was.
			if ( empty( $_REQUEST['_manage_stock'] ) ) {
				return;
			}
			$original = sanitize_text_field( wp_unslash( $_REQUEST[ self::FIELD ] ) );
			$typed    = sanitize_text_field( wp_unslash( $_REQUEST['_stock'] ) );
			if ( ! is_numeric( $original ) ) {
				return; // The form showed no stock (the product managed none when the list was loaded).
			}
			$current = StockWriter::read( (int) $post_id );
			if ( null === $current || (int) round( (float) $original ) === $current ) {
				return; // Unchanged since the form was filled: the form's number is the merchant's.
			}
			// WooCommerce reads $_REQUEST (WC_Admin_Post_Types::request_data()); WordPress's inline
			// save works on $_POST. Both get the number the product has now, so nothing changes it.
			$_REQUEST['_stock'] = (string) $current;
			$_POST['_stock']    = (string) $current;
			// WooCommerce compares with the product it loads: from the database, not a meta cache
			// filled earlier in this request, or it would write (and send) the same number again.
			wp_cache_delete( (int) $post_id, 'post_meta' );
			self::queue(
				sprintf(
					/* translators: 1: product name, 2: stock the Quick Edit form showed, 3: stock now, 4: stock in the form when it was saved. */
					__( 'The stock of “%1$s” was not updated: it changed from %2$s to %3$s while Quick Edit was open (a sale, most likely), so the form\'s %4$s was not saved over it. The stock stays %3$s; your other changes were saved. Edit the stock again if it needs changing.', 'stockline' ),
					get_the_title( $post ),
					(string) (int) round( (float) $original ),
					(string) $current,
					is_numeric( $typed ) ? (string) (int) round( (float) $typed ) : $typed
				)
			);
		} catch ( \Throwable $e ) {
			Logger::exception( 'quick edit stock guard', $e );
		}
		// phpcs:enable WordPress.Security.NonceVerification.Recommended
	}

	/**
	 * Prints the current user's waiting notices, once.
	 */
	public static function notices(): void {
		$user = get_current_user_id();
		if ( ! $user ) {
			return;
		}
		$messages = get_user_meta( $user, self::NOTICES_META, true );
		if ( ! is_array( $messages ) || ! $messages ) {
			return;
		}
		delete_user_meta( $user, self::NOTICES_META );
		foreach ( $messages as $message ) {
			printf( '<div class="notice notice-warning is-dismissible stockline-quick-edit-stock"><p>%s</p></div>', esc_html( (string) $message ) );
		}
	}

	/**
	 * Keeps a notice for the current user's next admin page.
	 *
	 * @param string $message Notice.
	 */
	private static function queue( string $message ): void {
		$user = get_current_user_id();
		if ( ! $user ) {
			return;
		}
		$messages   = get_user_meta( $user, self::NOTICES_META, true );
		$messages   = is_array( $messages ) ? $messages : array();
		$messages[] = $message;
		update_user_meta( $user, self::NOTICES_META, array_slice( $messages, -10 ) ); // Several Quick Edits before the next page: the latest ten.
	}
}
