<?php
/**
 * Test-only REST routes (namespace stockline-test/v1), guarded by the X-Stockline-Test header
 * matching the STOCKLINE_TEST_TOKEN constant the test run sets. These do what a shopper or a
 * shop manager would do through WooCommerce's screens; routes-plugin.php reads and drives the
 * plugin's own machinery (outbox, delivery, import, state).
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers one test route behind the test token.
 *
 * @param string   $path    Route.
 * @param string   $methods HTTP methods.
 * @param callable $cb      Handler.
 */
function stockline_test_route( string $path, string $methods, callable $cb ): void {
	register_rest_route(
		'stockline-test/v1',
		$path,
		array(
			'methods'             => $methods,
			'callback'            => $cb,
			'permission_callback' => static fn( WP_REST_Request $r ) => defined( 'STOCKLINE_TEST_TOKEN' ) && hash_equals( (string) STOCKLINE_TEST_TOKEN, (string) $r->get_header( 'x_stockline_test' ) ),
		)
	);
}

add_action(
	'rest_api_init',
	static function () {
		$route = 'stockline_test_route';

		$route(
			'/options',
			'POST',
			static function ( WP_REST_Request $r ) {
				foreach ( (array) $r['set'] as $name => $value ) {
					update_option( $name, $value );
				}
				foreach ( (array) $r['delete'] as $name ) {
					delete_option( $name );
				}
				return array( 'ok' => true );
			}
		);

		$route(
			'/users',
			'POST',
			static function ( WP_REST_Request $r ) {
				$existing = get_user_by( 'login', (string) $r['login'] );
				if ( $existing ) {
					return array( 'id' => $existing->ID );
				}
				$id = wp_insert_user( array( 'user_login' => (string) $r['login'], 'user_pass' => (string) $r['password'], 'user_email' => $r['login'] . '@example.test', 'role' => (string) $r['role'] ) );
				return is_wp_error( $id ) ? $id : array( 'id' => $id );
			}
		);

		$route(
			'/products',
			'POST',
			static function ( WP_REST_Request $r ) {
				$product = $r['parentId'] ? new WC_Product_Variation() : new WC_Product_Simple();
				$product->set_name( (string) $r['name'] );
				$product->set_sku( (string) $r['sku'] );
				$product->set_manage_stock( false !== $r['manageStock'] );
				$product->set_stock_quantity( $r['stock'] );
				$product->set_backorders( (string) ( $r['backorders'] ?? 'no' ) );
				if ( $r['parentId'] ) {
					$product->set_parent_id( (int) $r['parentId'] );
				}
				return array( 'id' => $product->save() );
			}
		);

		$route(
			'/products/(?P<id>\d+)',
			'GET',
			static function ( WP_REST_Request $r ) {
				wp_cache_delete( (int) $r['id'], 'post_meta' );
				$p = wc_get_product( (int) $r['id'] );
				return $p ? array( 'id' => $p->get_id(), 'sku' => $p->get_sku(), 'stock' => $p->get_stock_quantity() ) : new WP_Error( 'nope', 'no product', array( 'status' => 404 ) );
			}
		);

		// A shop manager saving the product screen (CRUD set + save): a new quantity {stock}, a new
		// SKU {sku}, 'Manage stock' {manageStock}; what is not given is left as it is.
		$route(
			'/products/(?P<id>\d+)/edit',
			'POST',
			static function ( WP_REST_Request $r ) {
				$p = wc_get_product( (int) $r['id'] );
				if ( $r->has_param( 'sku' ) ) {
					$p->set_sku( (string) $r['sku'] );
				}
				if ( $r->has_param( 'manageStock' ) ) {
					$p->set_manage_stock( (bool) $r['manageStock'] );
				}
				if ( $r->has_param( 'stock' ) ) {
					$p->set_stock_quantity( (int) $r['stock'] );
				}
				if ( $r->has_param( 'stockStatus' ) ) {
					$p->set_stock_status( (string) $r['stockStatus'] );
				}
				$p->save();
				return array( 'stock' => $p->get_stock_quantity(), 'sku' => $p->get_sku() );
			}
		);

		// WooCommerce's "Duplicate" (WC_Admin_Duplicate_Product::product_duplicate(), simple products):
		// a clone saved as a new draft under a unique SKU, with the stock of the original.
		$route(
			'/products/(?P<id>\d+)/duplicate',
			'POST',
			static function ( WP_REST_Request $r ) {
				$product   = wc_get_product( (int) $r['id'] );
				$duplicate = clone $product;
				$duplicate->set_id( 0 );
				$duplicate->set_name( $product->get_name() . ' (Copy)' );
				$duplicate->set_sku( $product->get_sku( 'edit' ) . '-1' );
				$duplicate->set_status( 'draft' );
				do_action( 'woocommerce_product_duplicate_before_save', $duplicate, $product );
				$duplicate->save();
				do_action( 'woocommerce_product_duplicate', $duplicate, $product );
				return array( 'id' => $duplicate->get_id(), 'sku' => $duplicate->get_sku() );
			}
		);

		// Publishing a draft (wp_publish_post(): the post status moves, transition_post_status fires).
		$route(
			'/products/(?P<id>\d+)/publish',
			'POST',
			static function ( WP_REST_Request $r ) {
				wp_publish_post( (int) $r['id'] );
				if ( $r->has_param( 'stock' ) ) {
					// The product screen's order: the post is published, then WooCommerce saves the stock typed with it.
					$p = wc_get_product( (int) $r['id'] );
					$p->set_stock_quantity( (int) $r['stock'] );
					$p->save();
				}
				return array( 'status' => get_post_status( (int) $r['id'] ) );
			}
		);

		// Deleting a product: {how: 'admin'} is "Delete permanently" in wp-admin (wp_delete_post()),
		// {how: 'crud'} the REST API's ?force=true ($product->delete( true )), {how: 'trash'} to the trash,
		// {how: 'untrash'} back from it (wp-admin's "Restore").
		$route(
			'/products/(?P<id>\d+)/delete',
			'POST',
			static function ( WP_REST_Request $r ) {
				$id = (int) $r['id'];
				switch ( (string) $r['how'] ) {
					case 'crud':
						wc_get_product( $id )->delete( true );
						break;
					case 'trash':
						wc_get_product( $id )->delete( false );
						break;
					case 'untrash':
						wp_untrash_post( $id );
						break;
					default:
						wp_delete_post( $id, true );
				}
				return array( 'exists' => (bool) get_post( $id ) );
			}
		);

		// Another plugin or WooCommerce itself calling wc_update_product_stock().
		$route(
			'/products/(?P<id>\d+)/update-stock',
			'POST',
			static function ( WP_REST_Request $r ) {
				return array( 'stock' => wc_update_product_stock( (int) $r['id'], (int) $r['qty'], (string) ( $r['op'] ?? 'set' ) ) );
			}
		);

		// Products → Bulk actions → Edit, its stock part (WC_Admin_Post_Types::bulk_edit_save(), read in
		// WooCommerce 9.2.5): for every selected product that manages stock, "Stock qty" 1 (change to),
		// 2 (increase by), 3 (decrease by), or "— No change —" ('' → the product's own number, set
		// again), then the product is saved. {ids, change: ''|1|2|3, qty}.
		$route(
			'/products/bulk-edit',
			'POST',
			static function ( WP_REST_Request $r ) {
				foreach ( (array) $r['ids'] as $id ) {
					$product = wc_get_product( (int) $id );
					if ( ! $product || ! $product->managing_stock() ) {
						continue;
					}
					$change = absint( $r['change'] );
					$amount = $change ? wc_stock_amount( $r['qty'] ) : $product->get_stock_quantity();
					wc_update_product_stock( $product, $amount, 2 === $change ? 'increase' : ( 3 === $change ? 'decrease' : 'set' ), true );
					$product->save();
				}
				return array( 'ok' => true );
			}
		);

		$route(
			'/checkout',
			'POST',
			static function ( WP_REST_Request $r ) {
				$started = hrtime( true );
				// {blocks: true}: the block checkout (Store API) instead of the classic one.
				$result  = $r['blocks'] ? stockline_test_block_checkout( (array) $r['lines'] ) : stockline_test_checkout( (array) $r['lines'] );
				$ms      = ( hrtime( true ) - $started ) / 1e6;
				$guard   = \Stockline\Hooks\Checkout::$last_guard;
				if ( is_wp_error( $result ) ) {
					return array( 'ok' => false, 'error' => $result->get_error_message(), 'code' => $result->get_error_code(), 'status' => $result->get_error_data()['status'] ?? null, 'orderId' => $result->get_error_data()['orderId'] ?? null, 'ms' => $ms, 'guard' => $guard );
				}
				return array( 'ok' => true, 'orderId' => $result->get_id(), 'ms' => $ms, 'guard' => $guard );
			}
		);

		// An order made in the back office (or by another plugin): no checkout, so no hold.
		$route(
			'/orders',
			'POST',
			static function ( WP_REST_Request $r ) {
				$order = wc_create_order();
				foreach ( (array) $r['lines'] as $line ) {
					$order->add_product( wc_get_product( (int) $line['productId'] ), (int) $line['qty'] );
				}
				return array( 'id' => $order->save() );
			}
		);

		// A refund from the order screen: {productId: qty} refunded, restocked or not, whole order or part.
		$route(
			'/orders/(?P<id>\d+)/refund',
			'POST',
			static function ( WP_REST_Request $r ) {
				$order = wc_get_order( (int) $r['id'] );
				$lines = array();
				foreach ( stockline_test_by_item( $order, (array) $r['qty'] ) as $item_id => $qty ) {
					if ( $qty > 0 ) {
						$lines[ $item_id ] = array( 'qty' => $qty );
					}
				}
				stockline_test_refund( array( 'order_id' => $order->get_id(), 'line_items' => $lines, 'restock_items' => (bool) $r['restock'], 'full' => (bool) $r['full'] ) );
				return array( 'status' => wc_get_order( (int) $r['id'] )->get_status() );
			}
		);

		// Editing an order's items in wp-admin: {qty: {productId: n}} for its items (0 removes one), {add: {productId: n}},
		// then {set: {productId: n}} stock counts in the same request.
		$route(
			'/orders/(?P<id>\d+)/items',
			'POST',
			static function ( WP_REST_Request $r ) {
				$order = wc_get_order( (int) $r['id'] );
				stockline_test_edit_items( $order->get_id(), stockline_test_by_item( $order, (array) $r['qty'] ), array_map( 'intval', (array) $r['add'] ) );
				// Then, in the same request, a stock count set the way the product screen sets it.
				foreach ( (array) $r['set'] as $product_id => $stock ) {
					wc_update_product_stock( wc_get_product( (int) $product_id ), (int) $stock, 'set' );
				}
				return array( 'status' => wc_get_order( (int) $r['id'] )->get_status() );
			}
		);

		$route(
			'/orders/(?P<id>\d+)/status',
			'POST',
			static function ( WP_REST_Request $r ) {
				$order = wc_get_order( (int) $r['id'] );
				if ( 'payment_complete' === $r['status'] ) {
					$order->payment_complete();
				} else {
					$order->update_status( (string) $r['status'] );
				}
				return array( 'status' => wc_get_order( (int) $r['id'] )->get_status() );
			}
		);

		// Deleting an order: {how: 'crud'} $order->delete( true ) (the REST API's force, the HPOS orders
		// screen's "Delete permanently", WooCommerce's draft-order clean-up), {how: 'crud-trash'}
		// $order->delete() (HPOS screen's "Trash"), {how: 'admin'} wp_delete_post() (the posts-storage
		// screen's "Delete permanently" and "Empty Trash"), {how: 'admin-trash'} wp_trash_post() (its "Trash").
		$route(
			'/orders/(?P<id>\d+)/delete',
			'POST',
			static function ( WP_REST_Request $r ) {
				$id = (int) $r['id'];
				switch ( (string) $r['how'] ) {
					case 'crud':
						wc_get_order( $id )->delete( true );
						break;
					case 'crud-trash':
						wc_get_order( $id )->delete( false );
						break;
					case 'admin-trash':
						wp_trash_post( $id );
						break;
					default:
						wp_delete_post( $id, true );
				}
				return array( 'exists' => (bool) get_post( $id ), 'status' => get_post_status( $id ) );
			}
		);

		$route(
			'/orders/(?P<id>\d+)',
			'GET',
			static function ( WP_REST_Request $r ) {
				$order = wc_get_order( (int) $r['id'] );
				// The item meta the order screen lists (html-order-item-meta.php: every key not in
				// woocommerce_hidden_order_itemmeta, WooCommerce 9.2.5's own list as the default).
				$hidden = apply_filters( 'woocommerce_hidden_order_itemmeta', array( '_qty', '_tax_class', '_product_id', '_variation_id', '_line_subtotal', '_line_subtotal_tax', '_line_total', '_line_tax', 'method_id', 'cost', '_reduced_stock', '_restock_refunded_items' ) );
				$shown  = array();
				foreach ( $order->get_items() as $item ) {
					foreach ( $item->get_meta_data() as $meta ) {
						if ( ! in_array( $meta->key, $hidden, true ) ) {
							$shown[] = $meta->key;
						}
					}
				}
				return array( 'status' => $order->get_status(), 'stocklineState' => $order->get_meta( '_stockline_state' ), 'shownItemMeta' => array_values( array_unique( $shown ) ) );
			}
		);
	}
);
