<?php
/**
 * Plugin Name:       Stockline
 * Plugin URI:        https://github.com/stockline/stockline
 * Description:       One true stock count for WooCommerce, Shopify, Amazon and Flipkart: forwards every order and stock change to the Stockline companion and takes stock updates back.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Stockline
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       stockline
 * WC requires at least: 8.0
 * WC tested up to:   9.9
 *
 * @package Stockline
 */

declare( strict_types = 1 );

defined( 'ABSPATH' ) || exit;

define( 'STOCKLINE_VERSION', '0.1.0' );
define( 'STOCKLINE_PLUGIN_FILE', __FILE__ );

/*
 * PSR-4 autoloader for the Stockline\ namespace (src/), so the plugin needs no Composer
 * install on the store.
 */
spl_autoload_register(
	static function ( string $class_name ): void {
		if ( 0 !== strpos( $class_name, 'Stockline\\' ) ) {
			return;
		}
		$relative = str_replace( '\\', '/', substr( $class_name, strlen( 'Stockline\\' ) ) );
		$file     = __DIR__ . '/src/' . $relative . '.php';
		if ( is_readable( $file ) ) {
			require $file;
		}
	}
);

// Stockline reads orders only through the CRUD API, so it works with HPOS as well as posts
// storage; it holds stock at the block checkout through the Store API's checkout hook as it does
// at the classic one (Hooks/Checkout.php), so WooCommerce need not list it as incompatible there.
add_action(
	'before_woocommerce_init',
	static function (): void {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', __FILE__, true );
		}
	}
);

register_activation_hook( __FILE__, array( \Stockline\Installer::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( \Stockline\Installer::class, 'deactivate' ) );

add_action( 'plugins_loaded', array( \Stockline\Plugin::class, 'register' ), 20 );
