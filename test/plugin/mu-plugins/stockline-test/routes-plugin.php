<?php
/**
 * Test-only REST routes (namespace stockline-test/v1, behind the test token: routes.php's
 * stockline_test_route) that read and drive the plugin's own machinery: the outbox, delivery,
 * scheduled runs, the import, locks, the plugin's life cycle and its state.
 */

defined( 'ABSPATH' ) || exit;

add_action(
	'rest_api_init',
	static function () {
		$route = 'stockline_test_route';

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
