<?php
/**
 * Activation and deactivation.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Installer.
 */
final class Installer {

	/**
	 * On activation: outbox table, site id, and when Stockline started listening (Baseline).
	 * Works without WooCommerce.
	 */
	public static function activate(): void {
		Outbox::maybe_install();
		Settings::site_id();
		Baseline::activated();
	}

	/**
	 * On deactivation: stop scheduled work (the outbox is kept; it is delivered after reactivation),
	 * and forget that the schedule was checked, so the first page load after a reactivation puts
	 * the recurring drain back instead of trusting a check made before it was cleared.
	 */
	public static function deactivate(): void {
		delete_option( Dispatcher::SCHEDULE_CHECK );
		wp_clear_scheduled_hook( Dispatcher::HOOK );
		wp_clear_scheduled_hook( Dispatcher::HOOK, array( 'retry' ) );
		wp_clear_scheduled_hook( Importer::HOOK );
		if ( function_exists( 'as_unschedule_all_actions' ) ) {
			as_unschedule_all_actions( Dispatcher::HOOK );
			as_unschedule_all_actions( Importer::HOOK );
		}
	}
}
