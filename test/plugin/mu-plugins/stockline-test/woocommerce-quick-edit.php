<?php
/**
 * Stand-in for WooCommerce's Quick Edit on the Products list (WC_Admin_Post_Types, read in
 * WooCommerce 9.2.5), the part that touches stock:
 * - the save: WordPress's own admin-ajax.php `inline-save` (wp_ajax_inline_save() → edit_post()
 *   → wp_update_post()) fires `save_post`, where WooCommerce hooks at priority 10
 *   (bulk_and_quick_edit_hook → bulk_and_quick_edit_save_post → quick_edit_save): it checks the
 *   woocommerce_quick_edit_nonce, loads the product, and from $_REQUEST (request_data()) sets
 *   "Manage stock" and the stock quantity — `_stock` when it is numeric, else '' (empty stock) —
 *   then saves the product, which fires woocommerce_product_set_stock when the stock changed;
 * - the form: GET stockline-test/v1/quick-edit (with the admin's session, for its nonces) gives
 *   the nonces the Products list prints (`_inline_edit`, woocommerce_quick_edit_nonce) and what
 *   `woocommerce_product_quick_edit_end` adds to the form, plus the row's inline stock
 *   (`#woocommerce_inline_<id> .stock`, the number the form's _stock is filled with).
 */

defined( 'ABSPATH' ) || exit;

if ( is_admin() ) {
	add_action(
		'save_post',
		static function ( $post_id, $post ) {
			// phpcs:disable WordPress.Security
			if ( 'product' !== $post->post_type || ! current_user_can( 'edit_post', $post_id ) ) {
				return;
			}
			if ( ! isset( $_REQUEST['woocommerce_quick_edit_nonce'] ) || ! wp_verify_nonce( $_REQUEST['woocommerce_quick_edit_nonce'], 'woocommerce_quick_edit_nonce' ) || empty( $_REQUEST['woocommerce_quick_edit'] ) ) {
				return;
			}
			$product      = wc_get_product( (int) $post_id ); // WooCommerce passes $post; the stand-in takes the id.
			$manage_stock = ! empty( $_REQUEST['_manage_stock'] ) ? 'yes' : 'no';
			$product->set_manage_stock( 'yes' === $manage_stock );
			if ( 'yes' === get_option( 'woocommerce_manage_stock' ) ) {
				$stock_amount = 'yes' === $manage_stock && isset( $_REQUEST['_stock'] ) && is_numeric( wp_unslash( $_REQUEST['_stock'] ) ) ? wc_stock_amount( wp_unslash( $_REQUEST['_stock'] ) ) : '';
				$product->set_stock_quantity( $stock_amount );
			}
			$product->save();
			do_action( 'woocommerce_product_quick_edit_save', $product );
			// phpcs:enable WordPress.Security
		},
		10,
		2
	);
}

add_action(
	'rest_api_init',
	static function () {
		stockline_test_route(
			'/quick-edit/(?P<id>\d+)',
			'GET',
			static function ( WP_REST_Request $r ) {
				ob_start();
				do_action( 'woocommerce_product_quick_edit_end' );
				$form_end = ob_get_clean();
				wp_cache_delete( (int) $r['id'], 'post_meta' );
				$product = wc_get_product( (int) $r['id'] );
				return array(
					'inlineEditNonce' => wp_create_nonce( 'inlineeditnonce' ),
					'quickEditNonce'  => wp_create_nonce( 'woocommerce_quick_edit_nonce' ),
					'formEnd'         => $form_end,
					'inlineStock'     => (string) $product->get_stock_quantity(),
				);
			}
		);
	}
);
