<?php
/**
 * POST stockline/v1/admin/adjust: an owner's stock correction from the admin page. The plugin
 * signs it as a `stock.adjusted` event for the store's tenant (the browser never could) and
 * answers the companion's per-event result.
 *
 * A correction is applied at most once: the page sends a `requestId` it makes once per
 * intended change and sends again unchanged when the owner retries, so the event id is the same
 * and the companion answers `duplicate` instead of adding a delta twice after a lost answer.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Rest;

use Stockline\Companion;
use Stockline\Events;
use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * The adjust route.
 */
final class AdjustRoute {

	/** What a request id may look like (it becomes part of the event id). */
	public const REQUEST_ID = '^[A-Za-z0-9_-]{8,64}$';

	/**
	 * Registers the route.
	 */
	public static function register_routes(): void {
		register_rest_route(
			AdminRoutes::NS,
			'/admin/adjust',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'adjust' ),
				'permission_callback' => array( AdminRoutes::class, 'can_manage' ),
				'args'                => array(
					'sku'       => array(
						'type'     => 'string',
						'required' => true,
					),
					'mode'      => array(
						'type'     => 'string',
						'enum'     => array( 'set', 'add' ),
						'required' => true,
					),
					'quantity'  => array(
						'type'     => 'integer',
						'required' => true,
					),
					'reason'    => array(
						'type'      => 'string',
						'required'  => true,
						'minLength' => 1,
					),
					// Optional for pages built before it existed; without it every call is a new correction.
					'requestId' => array(
						'type'    => 'string',
						'pattern' => self::REQUEST_ID,
					),
				),
			)
		);
	}

	/**
	 * Signs and sends the correction.
	 *
	 * @param \WP_REST_Request $request The request.
	 * @return \WP_REST_Response
	 */
	public static function adjust( \WP_REST_Request $request ): \WP_REST_Response {
		$problem = Settings::problem();
		if ( null !== $problem ) {
			// The companion would refuse it (an invalid tenant): say why instead of its 400.
			return self::error( 'stockline_settings_problem', $problem, 409 );
		}
		$request_id = (string) $request->get_param( 'requestId' );
		// Events::base() adds the tenant and a timestamp with real milliseconds.
		$event           = Events::base( 'admin-adjust:' . ( '' !== $request_id ? $request_id : wp_generate_uuid4() ), 'stock.adjusted' );
		$event['source'] = 'manual';
		$event['sku']    = (string) $request->get_param( 'sku' );
		$event['reason'] = (string) $request->get_param( 'reason' );

		$event[ 'set' === $request->get_param( 'mode' ) ? 'set' : 'delta' ] = (int) $request->get_param( 'quantity' );

		$res = Companion::post_events( array( 'events' => array( $event ) ), (int) apply_filters( 'stockline_adjust_timeout_ms', 10000 ) );
		if ( 0 === $res['status'] && self::never_sent( (string) $res['error'] ) ) {
			return self::error( 'companion_unreachable', __( 'The Stockline companion cannot be reached; the stock was not changed.', 'stockline' ), 502, (string) $res['error'] );
		}
		if ( 0 === $res['status'] ) {
			// The request left: the companion may have applied it and only the answer was lost.
			return self::error(
				'companion_timeout',
				__( 'The Stockline companion did not answer in time, so the correction may have been applied or not. Save the same correction again to find out: it is applied at most once.', 'stockline' ),
				504,
				(string) $res['error']
			);
		}
		$body = is_array( $res['body'] ) ? $res['body'] : array();
		if ( isset( $body['results'][0] ) ) {
			return new \WP_REST_Response( $body['results'][0], 200 );
		}
		return new \WP_REST_Response( $body, $res['status'] );
	}

	/**
	 * Whether a transport error means the request never reached the companion (no connection
	 * was made), as opposed to a timeout or a dropped connection after it was sent. When in
	 * doubt, it was sent: "not changed" must never be said of a change that happened.
	 * ("Socket not connected" is how WordPress Playground's transport reports a refused connection.)
	 *
	 * @param string $error The transport's error message.
	 */
	private static function never_sent( string $error ): bool {
		return 1 === preg_match( '/cURL error (6|7):|could not resolve|couldn.t connect|failed to connect|connection refused|socket not connected|ECONNREFUSED/i', $error );
	}

	/**
	 * An error answer in the shape the page reads.
	 *
	 * @param string $code    Machine code.
	 * @param string $message Sentence for the owner.
	 * @param int    $status  HTTP status.
	 * @param string $detail  What the transport said, for whoever looks into it.
	 */
	private static function error( string $code, string $message, int $status, string $detail = '' ): \WP_REST_Response {
		$body = array(
			'code'    => $code,
			'message' => $message,
		);
		if ( '' !== $detail ) {
			$body['detail'] = $detail;
		}
		return new \WP_REST_Response( $body, $status );
	}
}
