<?php
/**
 * Plugin Name: Stockline test support (test-only, never shipped)
 * Description: Minimal WooCommerce stand-ins and test routes for Stockline's tests in a real WordPress.
 *
 * Loaded as a must-use plugin by test/support/global-wordpress.ts. Switches, stored as options
 * by the tests, decide per request what this WordPress looks like:
 * - stockline_test_no_wc: no WooCommerce (for "activates without WooCommerce").
 * - stockline_test_action_scheduler: provide Action Scheduler's functions.
 * - stockline_test_constants: wp-config.php constants to define (name => value).
 * - stockline_test_filters: filters to pin (filter name => value), e.g. the retry back-off base.
 * - stockline_test_fail_outbox: every INSERT into the outbox fails (the database refuses it),
 *   the way a full disk, a lost connection or a missing table makes $wpdb return false.
 */

defined( 'ABSPATH' ) || exit;

foreach ( (array) get_option( 'stockline_test_constants', array() ) as $stockline_test_name => $stockline_test_value ) {
	if ( ! defined( $stockline_test_name ) ) {
		define( $stockline_test_name, $stockline_test_value );
	}
}

foreach ( (array) get_option( 'stockline_test_filters', array() ) as $stockline_test_filter => $stockline_test_value ) {
	add_filter( $stockline_test_filter, static fn() => $stockline_test_value, 99 );
}

if ( get_option( 'stockline_test_fail_outbox' ) ) {
	add_filter(
		'query',
		static function ( $query ) {
			global $wpdb;
			$table = $wpdb->prefix . 'stockline_outbox';
			return is_string( $query ) && false !== strpos( $query, 'INSERT IGNORE INTO ' . $table . ' ' ) ? str_replace( $table, $table . '_unavailable', $query ) : $query;
		}
	);
}

if ( ! get_option( 'stockline_test_no_wc' ) ) {
	require __DIR__ . '/stockline-test/woocommerce-products.php';
	require __DIR__ . '/stockline-test/woocommerce-orders.php';
	require __DIR__ . '/stockline-test/woocommerce-order-actions.php';
	require __DIR__ . '/stockline-test/store-api.php';
	require __DIR__ . '/stockline-test/woocommerce.php';
	require __DIR__ . '/stockline-test/woocommerce-quick-edit.php';
	if ( get_option( 'stockline_test_action_scheduler' ) ) {
		require __DIR__ . '/stockline-test/action-scheduler.php';
	}
}
require __DIR__ . '/stockline-test/routes.php';
require __DIR__ . '/stockline-test/routes-plugin.php';
