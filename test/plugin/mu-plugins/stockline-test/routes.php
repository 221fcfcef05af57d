<?php
/**
 * Test-only REST routes (namespace stockline-test/v1), guarded by the X-Stockline-Test header
 * matching the STOCKLINE_TEST_TOKEN constant the test run sets. They do what a shopper or a
 * shop manager would do through WooCommerce's screens, and let tests read the outbox.
 */

defined( 'ABSPATH' ) || exit;

add_action(
	'rest_api_init',
	static function () {
		$ns    = 'stockline-test/v1';
		$allow = static function ( WP_REST_Request $r ) {
			return defined( 'STOCKLINE_TEST_TOKEN' ) && hash_equals( (string) STOCKLINE_TEST_TOKEN, (string) $r->get_header( 'x_stockline_test' ) );
		};
		$route = static function ( string $path, string $methods, callable $cb ) use ( $ns, $allow ) {
			register_rest_route( $ns, $path, array( 'methods' => $methods, 'callback' => $cb, 'permission_callback' => $allow ) );
		};

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
				$p->save();
				return array( 'stock' => $p->get_stock_quantity(), 'sku' => $p->get_sku() );
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

		$route(
			'/orders/(?P<id>\d+)',
			'GET',
			static function ( WP_REST_Request $r ) {
				$order = wc_get_order( (int) $r['id'] );
				return array( 'status' => $order->get_status(), 'stocklineState' => $order->get_meta( '_stockline_state' ) );
			}
		);

		$route(
			'/outbox',
			'GET',
			static function () {
				global $wpdb;
				$rows = $wpdb->get_results( 'SELECT * FROM ' . \Stockline\Outbox::table() . ' ORDER BY id ASC', ARRAY_A );
				return array_map(
					static function ( $row ) {
						$row['id']      = (int) $row['id'];
						$row['attempts'] = (int) $row['attempts'];
						$row['payload'] = json_decode( $row['payload'], true );
						return $row;
					},
					(array) $rows
				);
			}
		);

		// Makes rows look older: created and (when settled) delivered $days days ago; optionally a status.
		$route(
			'/outbox/backdate',
			'POST',
			static function ( WP_REST_Request $r ) {
				global $wpdb;
				$then = \Stockline\Outbox::now_ms() - (int) round( (float) $r['days'] * 86400000 );
				$n    = 0;
				foreach ( (array) $r['ids'] as $id ) {
					$data = array( 'created_at' => $then, 'delivered_at' => $then );
					if ( $r['status'] ) {
						$data['status'] = (string) $r['status'];
					}
					$n += (int) $wpdb->update( \Stockline\Outbox::table(), $data, array( 'id' => (int) $id ) );
				}
				return array( 'updated' => $n );
			}
		);

		$route(
			'/run-scheduled',
			'POST',
			static function () {
				\Stockline\Dispatcher::run_scheduled();
				return array( 'ok' => true );
			}
		);

		$route(
			'/run-import-step',
			'POST',
			static function () {
				\Stockline\Importer::run_scheduled();
				return array( 'ok' => true );
			}
		);

		// A lock holder that overran: it takes the lock, its time runs out and another request takes
		// the lock over (what that request's acquire() writes is simulated), then the first releases.
		$route(
			'/lock-overrun',
			'POST',
			static function ( WP_REST_Request $r ) {
				global $wpdb;
				$name     = (string) $r['name'];
				$acquired = \Stockline\Lock::acquire( $name, 60 );
				$other    = sprintf( '%.6F', microtime( true ) + 60 );
				$wpdb->update( $wpdb->options, array( 'option_value' => $other ), array( 'option_name' => $name ) );
				\Stockline\Lock::release( $name );
				$left = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $name ) );
				$wpdb->delete( $wpdb->options, array( 'option_name' => $name ) );
				$again = \Stockline\Lock::acquire( $name, 60 );
				\Stockline\Lock::release( $name );
				$after = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $name ) );
				return array( 'acquired' => $acquired, 'other' => $other, 'left' => $left, 'reacquired' => $again, 'afterOwnRelease' => $after );
			}
		);

		$route(
			'/reset',
			'POST',
			static function () {
				global $wpdb;
				$wpdb->query( 'DELETE FROM ' . \Stockline\Outbox::table() );
				delete_option( \Stockline\Dispatcher::STATE );
				delete_option( 'stockline_test_log' );
				delete_option( 'stockline_import' );
				delete_option( 'stockline_tenant_seen' );
				delete_transient( \Stockline\Dispatcher::PRUNED );
				$wpdb->delete( $wpdb->options, array( 'option_name' => \Stockline\Dispatcher::LOCK ) );
				return array( 'ok' => true );
			}
		);

		$route(
			'/drain',
			'POST',
			static function ( WP_REST_Request $r ) {
				$t      = hrtime( true );
				$result = \Stockline\Dispatcher::drain( 60000, (bool) $r['force'] );
				return array_merge( $result, array( 'ms' => ( hrtime( true ) - $t ) / 1e6 ) );
			}
		);

		// An admin clicking "Deactivate": the plugin's deactivation hook runs, later requests run without it.
		$route(
			'/deactivate',
			'POST',
			static function () {
				require_once ABSPATH . 'wp-admin/includes/plugin.php';
				deactivate_plugins( 'stockline/stockline.php' );
				return array( 'ok' => true );
			}
		);

		// What WordPress's uninstall_plugin() does, minus deleting the files (they are the worktree).
		$route(
			'/uninstall',
			'POST',
			static function () {
				require_once ABSPATH . 'wp-admin/includes/plugin.php';
				deactivate_plugins( 'stockline/stockline.php' );
				define( 'WP_UNINSTALL_PLUGIN', 'stockline/stockline.php' );
				include WP_PLUGIN_DIR . '/stockline/uninstall.php';
				return array( 'ok' => true );
			}
		);

		$route(
			'/state',
			'GET',
			static function () {
				global $wpdb;
				$active = class_exists( '\Stockline\Outbox' );
				return array(
					'active'         => $active,
					'options'        => array_values( array_filter( $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE 'stockline\_%'" ), static fn( $o ) => 0 !== strpos( $o, 'stockline_test' ) ) ),
					'delivery'       => $active ? \Stockline\Dispatcher::state() : null,
					'counts'         => $active ? \Stockline\OutboxReport::counts() : null,
					'tableExists'    => (bool) $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->prefix . 'stockline_outbox' ) ),
					'dbVersion'      => (int) get_option( 'stockline_db_version', 0 ),
					'cron'           => array( 'drain' => wp_next_scheduled( 'stockline_drain' ) ),
					'actionScheduler' => function_exists( 'stockline_test_as_actions' ) ? stockline_test_as_actions() : null,
					'hpos'           => class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ? \Automattic\WooCommerce\Utilities\FeaturesUtil::$declared : null,
					'log'            => get_option( 'stockline_test_log', array() ),
				);
			}
		);

		$route(
			'/run-action-scheduler',
			'POST',
			static function () {
				return array( 'ran' => function_exists( 'stockline_test_as_run' ) ? stockline_test_as_run( true ) : null );
			}
		);

		// The bench: hrtime around order status changes, with Stockline's hooks and without.
		$route(
			'/bench/status-changes',
			'POST',
			static function ( WP_REST_Request $r ) {
				$n       = max( 1, min( 2000, (int) $r['n'] ) );
				$product = (int) $r['productId'];
				$with    = array();
				$without = array();
				$queries = array( 'with' => array(), 'without' => array() );
				$hooks   = array(
					array( 'woocommerce_order_status_changed', array( \Stockline\Hooks\OrderHooks::class, 'on_status_changed' ), 10 ),
					array( 'woocommerce_payment_complete', array( \Stockline\Hooks\OrderHooks::class, 'on_payment_complete' ), 10 ),
					array( 'woocommerce_reduce_order_stock', array( \Stockline\Hooks\OrderHooks::class, 'on_reduce_stock' ), 10 ),
					array( 'woocommerce_product_set_stock', array( \Stockline\Hooks\StockHooks::class, 'on_set_stock' ), 10 ),
					array( 'woocommerce_can_reduce_order_stock', array( \Stockline\Hooks\StockHooks::class, 'enter_order_flow' ), PHP_INT_MAX ),
					array( 'woocommerce_reduce_order_stock', array( \Stockline\Hooks\StockHooks::class, 'leave_order_flow' ), 0 ),
				);
				for ( $i = 0; $i < 2 * $n; $i++ ) {
					$plugin = 0 === $i % 2;
					foreach ( $hooks as $h ) {
						$plugin ? add_action( $h[0], $h[1], $h[2], 4 ) : remove_action( $h[0], $h[1], $h[2] );
					}
					$order = wc_create_order();
					$order->add_product( wc_get_product( $product ), 1 );
					$order->save();
					$order = wc_get_order( $order->get_id() );
					global $wpdb;
					$q0    = $wpdb->num_queries;
					$t     = hrtime( true );
					$order->update_status( 'processing' );
					$ms = ( hrtime( true ) - $t ) / 1e6;
					$queries[ $plugin ? 'with' : 'without' ][] = $wpdb->num_queries - $q0;
					if ( $r['explain'] && defined( 'SAVEQUERIES' ) && SAVEQUERIES && $i < 2 ) {
						$queries[ $plugin ? 'sqlWith' : 'sqlWithout' ] = array_map( static fn( $q ) => $q[0], array_slice( $wpdb->queries, $q0 ) );
					}
					if ( $plugin ) {
						$with[] = $ms;
					} else {
						$without[] = $ms;
					}
				}
				// Delivery is not part of what is measured.
				\Stockline\Outbox::$added = 0;
				return array( 'with' => $with, 'without' => $without, 'queries' => $queries );
			}
		);
	}
);
