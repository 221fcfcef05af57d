<?php
/**
 * Wires the plugin into WordPress and WooCommerce.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Entry point.
 */
final class Plugin {

	/**
	 * Registers everything. Runs on plugins_loaded, so WooCommerce (if any) is loaded by now.
	 */
	public static function register(): void {
		try {
			// Upgrades bring a newer schema; activation is not re-run on update.
			Outbox::maybe_install();
		} catch ( \Throwable $e ) {
			Logger::exception( 'outbox schema', $e );
		}
		add_action( 'init', array( self::class, 'load_textdomain' ) );
		add_action( 'rest_api_init', array( Rest\AdminRoutes::class, 'register_routes' ) );
		add_action( 'rest_api_init', array( Rest\AdjustRoute::class, 'register_routes' ) );
		add_action( 'rest_api_init', array( Rest\StatusRoutes::class, 'register_routes' ) );
		Rest\NamespaceIndex::register();
		Admin\Menu::register();
		Admin\Notices::register();
		Companion::register();
		Dispatcher::register();
		Importer::register();

		if ( ! class_exists( 'WooCommerce' ) ) {
			return;
		}
		add_action( 'rest_api_init', array( Rest\StockEndpoint::class, 'register_routes' ) );
		Hooks\OrderHooks::register();
		Hooks\OrderRemovalHooks::register();
		Hooks\Checkout::register();
		Hooks\StockHooks::register();
		Hooks\ProductHooks::register();
		Hooks\DuplicateHooks::register();
		Hooks\RefundHooks::register();
		Hooks\OrderEditHooks::register();
		Hooks\QuickEditGuard::register();
	}

	/**
	 * Translations.
	 */
	public static function load_textdomain(): void {
		load_plugin_textdomain( 'stockline', false, dirname( plugin_basename( STOCKLINE_PLUGIN_FILE ) ) . '/languages' );
	}
}
