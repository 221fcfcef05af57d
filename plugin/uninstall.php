<?php
/**
 * Removes everything Stockline stored: its options, transients, scheduled work and the outbox table.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

global $wpdb;

// phpcs:disable WordPress.DB.DirectDatabaseQuery -- removing our own table and options is the point.
$stockline_options = array(
	'stockline_settings',
	'stockline_secret',
	'stockline_admin_token',
	'stockline_db_version',
	'stockline_site_id',
	'stockline_delivery',
	'stockline_import',
	'stockline_schedule_checked',
	'stockline_counted_at',
	'stockline_tenant_seen',
	'stockline_deactivated_at',
	'stockline_inactive_gap',
);
foreach ( $stockline_options as $stockline_option ) {
	delete_option( $stockline_option );
}
$wpdb->query( "DELETE FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_stockline\\_%' OR option_name LIKE '\\_transient\\_timeout\\_stockline\\_%' OR option_name IN ('stockline_drain_lock', 'stockline_import_lock') OR option_name LIKE '\\_stockline\\_seen\\_%'" );
$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}stockline_outbox" );
$wpdb->query( "DELETE FROM {$wpdb->postmeta} WHERE meta_key IN ('_stockline_written', '_stockline_uncounted')" );
$wpdb->query( "DELETE FROM {$wpdb->usermeta} WHERE meta_key = '_stockline_quick_edit_notices'" ); // Quick Edit notices not shown yet (QuickEditGuard). // What the stock endpoint last wrote (StockWriter); copies not counted yet (DuplicateHooks).
// phpcs:enable

wp_clear_scheduled_hook( 'stockline_drain' );
wp_clear_scheduled_hook( 'stockline_import_step' );
if ( function_exists( 'as_unschedule_all_actions' ) ) {
	as_unschedule_all_actions( 'stockline_drain' );
	as_unschedule_all_actions( 'stockline_import_step' );
}
