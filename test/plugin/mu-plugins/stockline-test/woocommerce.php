<?php
/**
 * Stand-in for the rest of WooCommerce that Stockline touches: the WooCommerce class (how
 * plugins detect it), wc_get_logger(), FeaturesUtil::declare_compatibility (recorded, so the
 * tests can see the HPOS declaration), the shop manager capability and role, the "WooCommerce" admin
 * menu, the stock options, and the before_woocommerce_init / woocommerce_init actions.
 */

namespace Automattic\WooCommerce\Utilities {
	class FeaturesUtil {
		public static array $declared = array();
		public static function declare_compatibility( $feature_id, $plugin_file, $positive_compatibility = true ) {
			self::$declared[ $feature_id ][ plugin_basename( $plugin_file ) ] = (bool) $positive_compatibility;
			return true;
		}
	}
}

namespace {
	defined( 'ABSPATH' ) || exit;

	final class WooCommerce {
		public string $version = '9.9.0-stand-in';
		private static ?WooCommerce $instance = null;
		public static function instance(): WooCommerce {
			return self::$instance ??= new self();
		}
	}

	function WC() { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName
		return WooCommerce::instance();
	}

	/** Keeps log lines in an option so tests can read what was logged. */
	class WC_Logger {
		public function log( $level, $message, $context = array() ) {
			$lines   = (array) get_option( 'stockline_test_log', array() );
			$lines[] = array( 'level' => $level, 'message' => $message, 'source' => $context['source'] ?? '' );
			update_option( 'stockline_test_log', array_slice( $lines, -200 ), false );
		}
		public function error( $m, $c = array() ) { $this->log( 'error', $m, $c ); }
		public function warning( $m, $c = array() ) { $this->log( 'warning', $m, $c ); }
		public function info( $m, $c = array() ) { $this->log( 'info', $m, $c ); }
		public function debug( $m, $c = array() ) { $this->log( 'debug', $m, $c ); }
	}

	function wc_get_logger() {
		static $logger = null;
		return $logger ??= new WC_Logger();
	}

	add_action(
		'init',
		static function () {
			do_action( 'before_woocommerce_init' );
			register_post_type( 'product', array( 'public' => false, 'label' => 'Products' ) );
			register_post_type( 'product_variation', array( 'public' => false, 'label' => 'Variations' ) );
			register_post_type( 'shop_order', array( 'public' => false, 'label' => 'Orders' ) );
			foreach ( array( 'pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'checkout-draft' ) as $status ) {
				register_post_status( 'wc-' . $status, array( 'internal' => true ) );
			}
			add_option( 'woocommerce_manage_stock', 'yes' );
			add_option( 'woocommerce_hold_stock_minutes', '60' );
			$admin = get_role( 'administrator' );
			if ( $admin && ! $admin->has_cap( 'manage_woocommerce' ) ) {
				$admin->add_cap( 'manage_woocommerce' );
			}
			// WC_Install::create_roles(): the "Shop manager" runs the shop (manage_woocommerce, products,
			// orders, editing content, listing users) but is not an administrator: no manage_options.
			if ( ! get_role( 'shop_manager' ) ) {
				$caps = array_fill_keys( array( 'read', 'read_private_pages', 'read_private_posts', 'edit_posts', 'edit_pages', 'edit_published_posts', 'edit_published_pages', 'edit_private_pages', 'edit_private_posts', 'edit_others_posts', 'edit_others_pages', 'publish_posts', 'publish_pages', 'delete_posts', 'delete_pages', 'manage_categories', 'moderate_comments', 'upload_files', 'export', 'import', 'list_users', 'edit_theme_options', 'manage_woocommerce', 'view_woocommerce_reports', 'edit_products', 'edit_shop_orders' ), true );
				add_role( 'shop_manager', 'Shop manager', $caps );
			}
			do_action( 'woocommerce_init' );
		},
		0
	);

	add_action(
		'admin_menu',
		static function () {
			add_menu_page( 'WooCommerce', 'WooCommerce', 'manage_woocommerce', 'woocommerce', '__return_null', 'dashicons-cart', 55 );
		},
		9
	);
}
