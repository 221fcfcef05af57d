<?php
/**
 * Admin notices: WooCommerce missing (the plugin still activates, but has no orders to sync),
 * a setting every event would be refused for (nothing is sent until it is fixed), and
 * Stockline not configured yet.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Admin;

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
}
