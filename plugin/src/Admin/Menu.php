<?php
/**
 * The admin page: under WooCommerce when it is active, a top-level "Stockline" menu otherwise.
 * The page is a React app built into build/ (index.js + index.asset.php); it gets the REST root
 * and a nonce inline as window.stocklineAdmin and never sees a secret.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Admin;

use Stockline\Rest\AdminRoutes;

defined( 'ABSPATH' ) || exit;

/**
 * Menu page and assets.
 */
final class Menu {

	public const SLUG   = 'stockline';
	public const HANDLE = 'stockline-admin';

	/**
	 * The page's hook suffix, once registered.
	 *
	 * @var string
	 */
	private static string $hook = '';

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_action( 'admin_menu', array( self::class, 'add_page' ), 60 );
		add_action( 'admin_enqueue_scripts', array( self::class, 'enqueue' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( STOCKLINE_PLUGIN_FILE ), array( self::class, 'action_links' ) );
	}

	/**
	 * Adds the menu entry.
	 */
	public static function add_page(): void {
		$title = __( 'Stockline', 'stockline' );
		$cap   = AdminRoutes::capability();
		if ( class_exists( 'WooCommerce' ) ) {
			$hook = add_submenu_page( 'woocommerce', $title, $title, $cap, self::SLUG, array( self::class, 'render' ) );
		} else {
			$hook = add_menu_page( $title, $title, $cap, self::SLUG, array( self::class, 'render' ), 'dashicons-update', 56 );
		}
		self::$hook = is_string( $hook ) ? $hook : '';
	}

	/**
	 * The React app's container.
	 */
	public static function render(): void {
		echo '<div class="wrap">';
		if ( ! file_exists( self::build_dir() . 'index.asset.php' ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'The Stockline admin page has not been built. Run "npm run build:ui" in the Stockline repository.', 'stockline' ) . '</p></div>';
		}
		echo '<div id="stockline-admin-root"></div></div>';
	}

	/**
	 * Enqueues the built app on our page only.
	 *
	 * @param string $hook_suffix Current admin page.
	 */
	public static function enqueue( $hook_suffix ): void {
		if ( '' === self::$hook || $hook_suffix !== self::$hook ) {
			return;
		}
		$asset_file = self::build_dir() . 'index.asset.php';
		if ( ! file_exists( $asset_file ) ) {
			return;
		}
		$asset = require $asset_file;
		$asset = is_array( $asset ) ? $asset : array();
		self::register_jsx_runtime_fallback();
		wp_enqueue_script(
			self::HANDLE,
			plugins_url( 'build/index.js', STOCKLINE_PLUGIN_FILE ),
			isset( $asset['dependencies'] ) && is_array( $asset['dependencies'] ) ? $asset['dependencies'] : array(),
			isset( $asset['version'] ) ? (string) $asset['version'] : STOCKLINE_VERSION,
			true
		);
		wp_add_inline_script( self::HANDLE, 'window.stocklineAdmin = ' . wp_json_encode( self::boot_data() ) . ';', 'before' );
		wp_set_script_translations( self::HANDLE, 'stockline' );
		wp_enqueue_style( 'wp-components' );
		if ( file_exists( self::build_dir() . 'index.css' ) ) {
			wp_enqueue_style( self::HANDLE, plugins_url( 'build/index.css', STOCKLINE_PLUGIN_FILE ), array( 'wp-components' ), isset( $asset['version'] ) ? (string) $asset['version'] : STOCKLINE_VERSION );
		}
	}

	/**
	 * The build imports `react/jsx-runtime`, which WordPress registers as `react-jsx-runtime`
	 * only from 6.6. On older cores, register a tiny stand-in over the core's React
	 * (createElement with the children the compiled jsx()/jsxs() calls pass as props).
	 */
	private static function register_jsx_runtime_fallback(): void {
		if ( wp_script_is( 'react-jsx-runtime', 'registered' ) ) {
			return;
		}
		wp_register_script( 'react-jsx-runtime', false, array( 'react' ), STOCKLINE_VERSION, true );
		wp_add_inline_script(
			'react-jsx-runtime',
			'window.ReactJSXRuntime=window.ReactJSXRuntime||(function(R){function mk(s){return function(t,p,k){var q={},c=p.children,n;for(n in p)if(n!=="children")q[n]=p[n];if(k!==undefined)q.key=k;return s&&Array.isArray(c)?R.createElement.apply(null,[t,q].concat(c)):c===undefined?R.createElement(t,q):R.createElement(t,q,c);};}return{jsx:mk(false),jsxs:mk(true),Fragment:R.Fragment};})(window.React);'
		);
	}

	/**
	 * What the page gets inline.
	 *
	 * @return array<string, mixed>
	 */
	public static function boot_data(): array {
		return array(
			'restRoot'    => esc_url_raw( rest_url( AdminRoutes::NS . '/' ) ),
			'nonce'       => wp_create_nonce( 'wp_rest' ),
			'woocommerce' => class_exists( 'WooCommerce' ),
			'version'     => STOCKLINE_VERSION,
		);
	}

	/**
	 * "Settings" link on the Plugins screen.
	 *
	 * @param string[] $links Links.
	 * @return string[]
	 */
	public static function action_links( $links ): array {
		$links   = is_array( $links ) ? $links : array();
		$links[] = '<a href="' . esc_url( admin_url( 'admin.php?page=' . self::SLUG ) ) . '">' . esc_html__( 'Settings', 'stockline' ) . '</a>';
		return $links;
	}

	/**
	 * plugin/build/ path.
	 */
	private static function build_dir(): string {
		return plugin_dir_path( STOCKLINE_PLUGIN_FILE ) . 'build/';
	}
}
