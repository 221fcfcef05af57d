<?php
/**
 * GET /wp-json/stockline/v1 (WordPress' index of the namespace, which the companion asks to learn
 * whether the store runs the plugin) also says the plugin's site id, the prefix of every order id
 * it sends (`{site}:{order}`). The companion remembers it and, while the plugin is deactivated,
 * records the store's orders under the same ids, so the plugin, active again, sends the sale it
 * catches up and every later change of those orders under ids the ledger already knows
 * (OrderRecovery::catch_up()). The site id is no secret: it is in every event the plugin sends.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Rest;

use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * The namespace index.
 */
final class NamespaceIndex {

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_filter( 'rest_namespace_index', array( self::class, 'add_site_id' ), 10, 2 );
	}

	/**
	 * `rest_namespace_index`: adds `siteId` to Stockline's namespace index.
	 *
	 * @param \WP_REST_Response $response The index.
	 * @param \WP_REST_Request  $request  The request; its `namespace` says whose index it is.
	 * @return \WP_REST_Response
	 */
	public static function add_site_id( $response, $request ) {
		if ( is_object( $request ) && AdminRoutes::NS === $request['namespace'] && is_object( $response ) && method_exists( $response, 'get_data' ) ) {
			$data = $response->get_data();
			if ( is_array( $data ) ) {
				$data['siteId'] = Settings::site_id();
				$response->set_data( $data );
			}
		}
		return $response;
	}
}
