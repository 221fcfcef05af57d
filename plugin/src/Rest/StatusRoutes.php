<?php
/**
 * The admin page's view of delivery (namespace stockline/v1): GET admin/status (connection,
 * settings problem, outbox counts and the events set aside with their reasons) and POST
 * admin/outbox/retry (put set-aside events back in line and deliver them now).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Rest;

use Stockline\Companion;
use Stockline\Dispatcher;
use Stockline\Events;
use Stockline\Outbox;
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
		$counts  = Outbox::counts();
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
					'oldestAgeSeconds' => $counts['oldestAgeSeconds'],
					'delivered'        => $counts['delivered'],
					'lastError'        => $problem ?? $state['lastError'] ?? $counts['lastError'],
					'nextAttemptAt'    => $state['nextAttemptAt'] > time() ? gmdate( 'c', $state['nextAttemptAt'] ) : null,
					'failedLatest'     => array_map( array( self::class, 'describe' ), Outbox::latest( Outbox::FAILED, self::LATEST ) ),
				),
				'woocommerce'  => class_exists( 'WooCommerce' ),
				'siteId'       => Settings::site_id(),
			),
			200
		);
	}

	/**
	 * Puts every set-aside event back in line (same ids: the companion answers `duplicate` for
	 * one it had taken) and delivers now, ignoring the back-off.
	 *
	 * @return \WP_REST_Response
	 */
	public static function retry(): \WP_REST_Response {
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
		$requeued = Outbox::requeue( array( Outbox::FAILED ) );
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
	 * One set-aside event as the page shows it: what, for which order and SKUs, and why.
	 *
	 * @param array{event_id:string, event_type:string, event:array<string, mixed>, result:string, error:?string, at:int} $row Outbox::latest() row.
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
