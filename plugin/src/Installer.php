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

	/** When Stockline was deactivated (Unix seconds), until it is activated again. */
	public const DEACTIVATED_AT = 'stockline_deactivated_at';
	/** The last gap while it was off, until an import recounts the store (inactive_gap()). */
	public const INACTIVE_OPTION = 'stockline_inactive_gap';

	/**
	 * On activation: outbox table, site id, and when Stockline started listening (Baseline).
	 * Works without WooCommerce.
	 */
	public static function activate(): void {
		Outbox::maybe_install();
		Settings::site_id();
		Baseline::activated();
		$off = (int) get_option( self::DEACTIVATED_AT, 0 );
		if ( $off > 0 ) {
			// Active again after a gap: what changed in the store meanwhile never reached the ledger
			// (a trial's stock edit and a cancel made while off were lost, and "Check channels" then
			// wrote the ledger's old number over WooCommerce's). The owner is told to import again.
			update_option(
				self::INACTIVE_OPTION,
				array(
					'from' => $off,
					'to'   => time(),
				),
				false
			);
			delete_option( self::DEACTIVATED_AT );
			self::catch_up_orders( $off );
		}
	}

	/**
	 * Orders changed or made while Stockline was off get the events the hooks would have sent
	 * (OrderRecovery::catch_up()), before the import the owner is asked for: the import's counts
	 * already have their units back in (or taken off) WooCommerce's stock.
	 *
	 * @param int $since When Stockline was deactivated (Unix seconds).
	 */
	private static function catch_up_orders( int $since ): void {
		if ( ! function_exists( 'wc_get_orders' ) ) {
			return;
		}
		try {
			$ids = wc_get_orders(
				array(
					'limit'         => 2000,
					'return'        => 'ids',
					'date_modified' => '>=' . ( $since - 60 ),
					'meta_query'    => array( // phpcs:ignore WordPress.DB.SlowDBQuery.slow_query_meta_query -- once, on activation.
						'relation' => 'OR',
						array(
							'key'     => Hooks\OrderState::META,
							'value'   => 'confirmed:',
							'compare' => 'LIKE',
						),
						array(
							'key'     => Hooks\OrderState::META,
							'value'   => 'held:',
							'compare' => 'LIKE',
						),
						array(
							'key'     => Hooks\OrderState::META,
							'compare' => 'NOT EXISTS',
						),
					),
				)
			);
			foreach ( (array) $ids as $id ) {
				$order = wc_get_order( $id );
				if ( $order ) {
					Hooks\OrderRecovery::catch_up( $order, $since );
				}
			}
			// The plugin hooks its delivery on plugins_loaded, which an activation request has passed:
			// without this, what was caught up waited for the scheduled drain (~1 min; re-test).
			if ( Outbox::$added > 0 && false === has_action( 'shutdown', array( Dispatcher::class, 'on_shutdown' ) ) ) {
				add_action( 'shutdown', array( Dispatcher::class, 'on_shutdown' ), 100 );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'order catch-up after reactivation', $e );
		}
	}

	/**
	 * When Stockline was last off, from deactivation to reactivation ({from, to}, Unix seconds), while
	 * no import has run since; null otherwise (an import after reactivation recounted the store).
	 *
	 * @return array{from:int, to:int}|null
	 */
	public static function inactive_gap(): ?array {
		$gap = get_option( self::INACTIVE_OPTION, null );
		if ( ! is_array( $gap ) || empty( $gap['to'] ) ) {
			return null;
		}
		$progress = Importer::progress();
		$finished = isset( $progress['finishedAt'] ) && is_string( $progress['finishedAt'] ) ? (int) strtotime( $progress['finishedAt'] ) : 0;
		if ( $finished >= (int) $gap['to'] ) {
			delete_option( self::INACTIVE_OPTION );
			return null;
		}
		return array(
			'from' => (int) $gap['from'],
			'to'   => (int) $gap['to'],
		);
	}

	/**
	 * On deactivation: stop scheduled work (the outbox is kept; it is delivered after reactivation),
	 * and forget that the schedule was checked, so the first page load after a reactivation puts
	 * the recurring drain back instead of trusting a check made before it was cleared.
	 */
	public static function deactivate(): void {
		update_option( self::DEACTIVATED_AT, time(), false );
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
