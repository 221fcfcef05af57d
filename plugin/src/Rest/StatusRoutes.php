<?php
/**
 * The admin page's view of delivery (namespace stockline/v1): GET admin/status (connection,
 * settings problem, outbox counts and the events set aside with their reasons), POST
 * admin/outbox/retry (put failed and/or refused events back in line and deliver them now)
 * and POST admin/outbox/dismiss (the owner has dealt with the refused ones).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Rest;

use Stockline\Companion;
use Stockline\Dispatcher;
use Stockline\Events;
use Stockline\Outbox;
use Stockline\OutboxReport;
use Stockline\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Status and outbox routes.
 */
final class StatusRoutes {

	/** How many set-aside events the status lists (newest first); the counts cover them all. */
	public const LATEST = 5;

	/**
	 * Registers the routes.
	 */
	public static function register_routes(): void {
		$auth = array( AdminRoutes::class, 'can_manage' );
		register_rest_route(
			AdminRoutes::NS,
			'/admin/status',
			array(
				'methods'             => 'GET',
				'callback'            => array( self::class, 'status' ),
				'permission_callback' => $auth,
			)
		);
		register_rest_route(
			AdminRoutes::NS,
			'/admin/outbox/retry',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'retry' ),
				'permission_callback' => $auth,
				'args'                => array(
					'status' => array(
						'type' => 'string',
						'enum' => array( Outbox::FAILED, Outbox::REFUSED ),
					),
				),
			)
		);
		register_rest_route(
			AdminRoutes::NS,
			'/admin/outbox/dismiss',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'dismiss' ),
				'permission_callback' => $auth,
			)
		);
	}

	/**
	 * Connection, settings problem, outbox and WooCommerce presence.
	 *
	 * @return \WP_REST_Response
	 */
	public static function status(): \WP_REST_Response {
		$health  = Companion::admin( 'GET', '/healthz', null, 2000 );
		$counts  = OutboxReport::counts();
		$state   = Dispatcher::state();
		$problem = Settings::problem();
		return new \WP_REST_Response(
			array(
				'connected'    => $health['status'] >= 200 && $health['status'] < 300,
				'companionUrl' => Settings::companion_url(),
				'tenant'       => Settings::tenant(),
				'problem'      => $problem,
				'outbox'       => array(
					'pending'          => $counts['pending'],
					'failed'           => $counts['failed'],
					'refused'          => $counts['refused'],
					'oldestAgeSeconds' => $counts['oldestAgeSeconds'],
					'delivered'        => $counts['delivered'],
					'lastError'        => $problem ?? $state['lastError'] ?? $counts['lastError'],
					'nextAttemptAt'    => $state['nextAttemptAt'] > time() ? gmdate( 'c', $state['nextAttemptAt'] ) : null,
					// The page polls this every few seconds: no reads for lists the counts say are empty.
					'failedLatest'     => $counts['failed'] > 0 ? array_map( array( self::class, 'describe' ), OutboxReport::latest( Outbox::FAILED, self::LATEST ) ) : array(),
					'refusedLatest'    => $counts['refused'] > 0 ? array_map( array( self::class, 'describe' ), OutboxReport::latest( Outbox::REFUSED, self::LATEST ) ) : array(),
				),
				'woocommerce'  => class_exists( 'WooCommerce' ),
				'siteId'       => Settings::site_id(),
			),
			200
		);
	}

	/**
	 * Puts set-aside events back in line (same ids: the companion answers `duplicate` for one it
	 * had taken, and judges a refused one afresh) and delivers now, ignoring the back-off.
	 * `status` picks failed or refused ones; both without it.
	 *
	 * @param \WP_REST_Request $request The request.
	 * @return \WP_REST_Response
	 */
	public static function retry( \WP_REST_Request $request ): \WP_REST_Response {
		$problem = Settings::problem();
		if ( null !== $problem ) {
			return new \WP_REST_Response(
				array(
					'code'    => 'stockline_settings_problem',
					'message' => $problem,
				),
				409
			);
		}
		$which    = (string) $request->get_param( 'status' );
		$requeued = Outbox::requeue( '' !== $which ? array( $which ) : array( Outbox::FAILED, Outbox::REFUSED ) );
		$summary  = Dispatcher::drain( 10000, true );
		return new \WP_REST_Response(
			array(
				'requeued'  => $requeued,
				'delivered' => $summary['delivered'],
				'failed'    => $summary['failed'],
				'error'     => $summary['error'],
			),
			200
		);
	}

	/**
	 * The owner has dealt with the refused events (cancelled the orders, counted the stock):
	 * they stop being shown, and keep their refusal in the outbox.
	 *
	 * @return \WP_REST_Response
	 */
	public static function dismiss(): \WP_REST_Response {
		return new \WP_REST_Response( array( 'dismissed' => Outbox::resolve_refused( null ) ), 200 );
	}

	/**
	 * One set-aside event as the page shows it: what, for which order and SKUs, and why.
	 *
	 * @param array{event_id:string, event_type:string, event:array<string, mixed>, result:string, error:?string, at:int} $row OutboxReport::latest() row.
	 * @return array<string, mixed>
	 */
	public static function describe( array $row ): array {
		$event = $row['event'];
		$skus  = isset( $event['sku'] ) ? array( (string) $event['sku'] ) : array();
		foreach ( isset( $event['lines'] ) && is_array( $event['lines'] ) ? $event['lines'] : array() as $line ) {
			$skus[] = (string) ( $line['sku'] ?? '' );
		}
		return array(
			'eventId' => $row['event_id'],
			'type'    => $row['event_type'],
			'order'   => Events::order_of( $row['event_id'] ),
			'skus'    => array_values( array_filter( $skus, 'strlen' ) ),
			'result'  => $row['result'],
			'error'   => $row['error'],
			'at'      => $row['at'] > 0 ? gmdate( 'Y-m-d\TH:i:s\Z', intdiv( $row['at'], 1000 ) ) : null,
		);
	}
}
