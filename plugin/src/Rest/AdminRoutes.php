<?php
/**
 * REST routes for the wp-admin page (namespace stockline/v1, DEVELOPERS.md "Plugin ↔ admin
 * page"). All need the REST nonce (WordPress cookie authentication) and the capability to
 * manage the shop; the companion's admin token is added here, server-side, so the browser
 * never holds a secret.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Rest;

use Stockline\Companion;
use Stockline\Dispatcher;
use Stockline\Importer;
use Stockline\Settings;
use Stockline\TenantWatch;

defined( 'ABSPATH' ) || exit;

/**
 * Admin routes.
 */
final class AdminRoutes {

	public const NS = 'stockline/v1';

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$auth = array( self::class, 'can_manage' );
		register_rest_route(
			self::NS,
			// WordPress matches routes with "@" as the regex delimiter, so the pattern avoids it.
			'/admin/proxy/(?P<path>v1(?:/[^?#]*)?)',
			array(
				'methods'             => array( 'GET', 'POST', 'PUT', 'DELETE' ),
				'callback'            => array( self::class, 'proxy' ),
				'permission_callback' => $auth,
			)
		);
		register_rest_route(
			self::NS,
			'/admin/settings',
			array(
				array(
					'methods'             => 'GET',
					'callback'            => array( self::class, 'get_settings' ),
					'permission_callback' => $auth,
				),
				array(
					'methods'             => 'POST',
					'callback'            => array( self::class, 'update_settings' ),
					'permission_callback' => $auth,
				),
			)
		);
		register_rest_route(
			self::NS,
			'/admin/test-connection',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'test_connection' ),
				'permission_callback' => $auth,
			)
		);
		register_rest_route(
			self::NS,
			'/admin/import',
			array(
				array(
					'methods'             => 'GET',
					'callback'            => array( self::class, 'import_progress' ),
					'permission_callback' => $auth,
				),
				array(
					'methods'             => 'POST',
					'callback'            => array( self::class, 'import_start' ),
					'permission_callback' => $auth,
				),
			)
		);
	}

	/**
	 * manage_woocommerce, or manage_options where WooCommerce is not active. WordPress
	 * answers 401 to a request without a valid nonce (no user) and 403 to a user without it.
	 */
	public static function can_manage(): bool {
		return current_user_can( self::capability() );
	}

	/**
	 * The capability the admin page and its routes need.
	 */
	public static function capability(): string {
		return class_exists( 'WooCommerce' ) ? 'manage_woocommerce' : 'manage_options';
	}

	/**
	 * Forwards to the companion and passes its status and JSON through.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public static function proxy( \WP_REST_Request $request ): \WP_REST_Response {
		$path = '/' . ltrim( (string) $request['path'], '/' );
		if ( false !== strpos( $path, '..' ) ) {
			return new \WP_REST_Response(
				array(
					'code'    => 'stockline_bad_path',
					'message' => __( 'That path is not allowed.', 'stockline' ),
				),
				400
			);
		}
		$query = $request->get_query_params();
		unset( $query['_wpnonce'], $query['rest_route'], $query['_locale'] );
		$method = $request->get_method();
		$body   = in_array( $method, array( 'POST', 'PUT' ), true ) ? ( '' === $request->get_body() ? '{}' : $request->get_body() ) : null;
		// For the store's tenant, whatever the browser asked for (Companion::admin() replaces a
		// `tenant` sent with the request): a shop manager reads and changes this store's stock,
		// audit, incidents, channels and dead letters through here, never another store's.
		$res = Companion::admin( $method, $path, $body, 10000, $query );
		if ( 0 === $res['status'] ) {
			return new \WP_REST_Response(
				array(
					'code'    => 'companion_unreachable',
					/* translators: %s: error. */
					'message' => sprintf( __( 'The Stockline companion could not be reached: %s', 'stockline' ), (string) $res['error'] ),
				),
				502
			);
		}
		if ( $res['status'] < 500 ) {
			// It answered: what waits in the outbox's back-off goes at this request's end (the
			// admin page polls every few seconds, so a merchant watching it sees the backlog drain).
			Dispatcher::companion_answered();
		}
		return new \WP_REST_Response( $res['body'], $res['status'] );
	}

	/**
	 * The settings, secrets as "is set" only.
	 *
	 * @return \WP_REST_Response
	 */
	public static function get_settings(): \WP_REST_Response {
		return new \WP_REST_Response( Settings::to_public(), 200 );
	}

	/**
	 * Saves settings (fields pinned by wp-config.php constants are ignored).
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function update_settings( \WP_REST_Request $request ) {
		$input = $request->get_json_params();
		if ( ! is_array( $input ) ) {
			$input = $request->get_body_params();
		}
		$allowed = array_intersect_key( (array) $input, array_flip( array( 'companionUrl', 'tenant', 'secret', 'adminToken', 'checkoutGuard', 'checkoutTimeoutMs' ) ) );
		// The admin token goes wherever the companion URL points: whoever may change the URL (or
		// the credentials) may take the token, so that is an administrator's call, not a shop
		// manager's (manage_woocommerce). The whole request is refused, so nothing half-applies.
		if ( Settings::connection_changes( $allowed ) && ! current_user_can( 'manage_options' ) ) {
			return new \WP_Error(
				'stockline_admin_only',
				__( 'Only an administrator can change the companion URL, the tenant, the signing secret or the admin token, because they decide where Stockline sends its credentials and whose stock it shows. Nothing was saved. Shop managers can still see the status and use the Stockline page; ask an administrator to change the connection.', 'stockline' ),
				array( 'status' => 403 )
			);
		}
		$result = Settings::update( $allowed );
		if ( is_wp_error( $result ) ) {
			return $result;
		}
		// A new tenant is counted as a move now: the import done for the old one no longer counts,
		// and the page asks for one (with the reason) from its next read of admin/import. The import
		// is not started from here: it sets the new tenant's counts to WooCommerce's, which is the
		// owner's call when that ledger is shared with another store or already right.
		TenantWatch::observe();
		return new \WP_REST_Response( Settings::to_public(), 200 );
	}

	/**
	 * Reaches the companion with both credentials: the admin token on a read, the signing
	 * secret on a signed batch with nothing to apply that the companion must reject as invalid
	 * (400), not as unauthenticated (401). The read is for the store's tenant, as the page's reads are, so a
	 * tenant the companion does not know fails here (404, with the companion's sentence) rather
	 * than on every tab of the page.
	 *
	 * @return \WP_REST_Response
	 */
	public static function test_connection(): \WP_REST_Response {
		$read = Companion::admin( 'GET', '/v1/stock', null, 3000, array( 'limit' => 1 ) );
		$ok   = $read['status'] >= 200 && $read['status'] < 300;
		if ( 0 === $read['status'] ) {
			/* translators: 1: companion URL, 2: error. */
			$message = sprintf( __( 'Could not reach %1$s: %2$s', 'stockline' ), Settings::companion_url(), (string) $read['error'] );
		} elseif ( 401 === $read['status'] || 403 === $read['status'] ) {
			$message = __( 'The companion refused the admin token. Check STOCKLINE_ADMIN_TOKEN on both sides.', 'stockline' );
		} elseif ( null !== Settings::problem() ) {
			// Before the companion's answer: a tenant that is not a tenant name is also why the read was refused (400).
			$ok      = false;
			$message = (string) Settings::problem();
		} elseif ( ! $ok && is_array( $read['body'] ) && is_string( $read['body']['message'] ?? null ) ) {
			/* translators: 1: HTTP status, 2: the companion's explanation. */
			$message = sprintf( __( 'The companion answered HTTP %1$d: %2$s', 'stockline' ), $read['status'], $read['body']['message'] );
		} elseif ( ! $ok ) {
			/* translators: %d: HTTP status. */
			$message = sprintf( __( 'The companion answered HTTP %d.', 'stockline' ), $read['status'] );
		} elseif ( '' === Settings::secret() ) {
			$ok      = false;
			$message = __( 'Connected, but no signing secret is set, so events cannot be sent.', 'stockline' );
		} else {
			// The companion checks a signature against the secret of the tenant named in the body
			// (the first event's), so the probe is one event that names only the store's tenant:
			// judged with that tenant's secret, then refused as invalid (400) without touching anything.
			$tenant = Settings::tenant();
			$signed = Companion::post_events( array( 'events' => array( array( 'tenant' => $tenant ) ) ), 3000 );
			if ( 401 === $signed['status'] || 403 === $signed['status'] ) {
				$ok      = false;
				$message = 'default' === $tenant
					? __( 'The companion refused the signing secret. Check STOCKLINE_SECRET on both sides.', 'stockline' )
					/* translators: %s: tenant id. */
					: sprintf( __( 'The companion refused the signing secret for tenant "%s". Check that the plugin\'s secret is the one STOCKLINE_TENANT_SECRETS gives that tenant on the companion.', 'stockline' ), $tenant );
			} else {
				$message = __( 'Connected: the companion accepted the admin token and the signing secret.', 'stockline' );
			}
		}
		return new \WP_REST_Response(
			array(
				'ok'        => $ok,
				'message'   => $message,
				'latencyMs' => (int) round( $read['ms'] ),
			),
			200
		);
	}

	/**
	 * Import progress.
	 *
	 * @return \WP_REST_Response
	 */
	public static function import_progress(): \WP_REST_Response {
		return new \WP_REST_Response( Importer::progress(), 200 );
	}

	/**
	 * Starts or resumes the import, running its first step in this request.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public static function import_start( \WP_REST_Request $request ): \WP_REST_Response {
		$restart = (bool) $request->get_param( 'restart' );
		return new \WP_REST_Response( Importer::start( $restart ), 200 );
	}
}
