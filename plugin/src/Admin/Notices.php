<?php
/**
 * Admin notices: WooCommerce missing (the plugin still activates, but has no orders to sync),
 * paid orders the companion refused to count (Refusals), a setting every event would be
 * refused for (nothing is sent until it is fixed), and Stockline not configured yet.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Admin;

use Stockline\Events;
use Stockline\Installer;
use Stockline\Outbox;
use Stockline\OutboxReport;
use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Notices.
 */
final class Notices {

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_action( 'admin_notices', array( self::class, 'render' ) );
	}

	/**
	 * Prints the notices that apply, to people who can act on them.
	 */
	public static function render(): void {
		if ( ! current_user_can( 'activate_plugins' ) && ! current_user_can( 'manage_woocommerce' ) ) {
			return;
		}
		if ( ! class_exists( 'WooCommerce' ) ) {
			printf(
				'<div class="notice notice-warning" id="stockline-needs-woocommerce"><p>%s</p></div>',
				esc_html__( 'Stockline needs WooCommerce for order and stock sync. Install and activate WooCommerce; until then Stockline only shows its settings.', 'stockline' )
			);
			return;
		}
		// The Stockline page shows its own banner for these (with the buttons to act on them).
		$on_page = isset( $_GET['page'] ) && Menu::SLUG === sanitize_key( wp_unslash( $_GET['page'] ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- which screen, nothing changes.
		if ( ! $on_page ) {
			self::refused_sales();
		}
		self::was_off();
		$problem = Settings::problem();
		if ( null !== $problem ) {
			printf(
				'<div class="notice notice-error" id="stockline-settings-problem"><p><strong>%s</strong> %s <a href="%s">%s</a></p></div>',
				esc_html__( 'Stockline is not sending stock changes.', 'stockline' ),
				esc_html( $problem ),
				esc_url( admin_url( 'admin.php?page=' . Menu::SLUG . '#tab=settings' ) ),
				esc_html__( 'Open the Stockline settings', 'stockline' )
			);
			return;
		}
		if ( ! Settings::is_configured() ) {
			printf(
				'<div class="notice notice-info" id="stockline-not-configured"><p>%s <a href="%s">%s</a></p></div>',
				esc_html__( 'Stockline is active but not connected to its companion yet.', 'stockline' ),
				esc_url( admin_url( 'admin.php?page=' . Menu::SLUG ) ),
				esc_html__( 'Connect now', 'stockline' )
			);
		}
	}

	/**
	 * Stockline was deactivated for a while and no import has recounted the store since: stock
	 * edits, cancellations and refunds made meanwhile never reached the other channels.
	 */
	private static function was_off(): void {
		$gap = Installer::inactive_gap();
		if ( null === $gap ) {
			return;
		}
		$format = get_option( 'date_format' ) . ' ' . get_option( 'time_format' );
		printf(
			'<div class="notice notice-warning" id="stockline-was-off"><p><strong>%s</strong> %s <a href="%s">%s</a></p></div>',
			esc_html(
				sprintf(
					/* translators: 1: when Stockline was deactivated, 2: when it was activated again. */
					__( 'Stockline was off from %1$s to %2$s.', 'stockline' ),
					wp_date( $format, $gap['from'] ),
					wp_date( $format, $gap['to'] )
				)
			),
			esc_html__( 'Stock edits, cancellations and refunds made in WooCommerce meanwhile were not passed on, so the other channels may show old numbers. Import again: products whose stock changed are recounted, the others are left as the ledger has them.', 'stockline' ),
			esc_url( admin_url( 'admin.php?page=' . Menu::SLUG . '#tab=getting-started' ) ),
			esc_html__( 'Open Getting started', 'stockline' )
		);
	}

	/**
	 * The newest paid orders the companion refused, each with its order number and the short
	 * SKUs, so the owner can restock and send them again, or cancel them.
	 */
	private static function refused_sales(): void {
		$sales = OutboxReport::latest( Outbox::REFUSED, 5, 'order.confirmed' );
		if ( ! $sales ) {
			return;
		}
		$items = '';
		foreach ( $sales as $sale ) {
			$order = Events::order_of( $sale['event_id'] );
			$items .= sprintf(
				'<li><strong>%s</strong>: %s</li>',
				/* translators: %d: WooCommerce order number. */
				esc_html( null !== $order ? sprintf( __( 'Order #%d', 'stockline' ), $order ) : $sale['event_id'] ),
				esc_html( $sale['error'] ?? $sale['result'] )
			);
		}
		printf(
			'<div class="notice notice-error" id="stockline-refused-sales"><p><strong>%s</strong> %s</p><ul>%s</ul><p><a href="%s">%s</a></p></div>',
			esc_html__( 'Paid orders are missing from the shared stock count.', 'stockline' ),
			esc_html__( 'The Stockline companion refused these WooCommerce sales: when they reached it, no units were left for them (other channels had sold them meanwhile, for instance while the companion could not be reached), so the units may be sold twice. Record new stock on the Stockline page (Stock → Adjust → Units to add), not in the WooCommerce product, whose count already has these orders taken off; then send them again from there. Or cancel the orders.', 'stockline' ),
			$items, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
			esc_url( admin_url( 'admin.php?page=' . Menu::SLUG ) ),
			esc_html__( 'Open Stockline', 'stockline' )
		);
	}
}
