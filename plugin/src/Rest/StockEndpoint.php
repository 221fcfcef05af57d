<?php
/**
 * POST /wp-json/stockline/v1/stock — the companion sets quantities here, signed with the
 * tenant secret like events (X-Stockline-Signature). A signature is accepted once: a replay
 * within the five-minute window is refused like a forgery.
 *
 * Body {items:[{sku, quantity, expected}]} → {results:[{sku, status:'ok'|'stale'|'not_found', quantity}]}.
 * A SKU is written only on the product that owns its stock: a variation whose stock the parent
 * manages is not_found, with a `message` naming the parent's SKU (StockWriter::product_by_sku()).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Rest;

use Stockline\Dispatcher;
use Stockline\Lock;
use Stockline\Logger;
use Stockline\Settings;
use Stockline\Signature;
use Stockline\StockWriter;

defined( 'ABSPATH' ) || exit;

/**
 * The stock endpoint.
 */
final class StockEndpoint {

	public const MAX_ITEMS   = 500;
	public const SEEN_PREFIX = '_stockline_seen_';

	/**
	 * Registers the route.
	 */
	public static function register_routes(): void {
		register_rest_route(
			'stockline/v1',
			'/stock',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'handle' ),
				'permission_callback' => array( self::class, 'verify' ),
			)
		);
		// The companion says it is up (it calls this when it starts): the outbox delivers what
		// waits in its back-off at this request's end, not at the next cron run up to a minute
		// later (a trial: 62 s after a restart with no admin page open, while marketplaces sold).
		register_rest_route(
			'stockline/v1',
			'/hello',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'hello' ),
				'permission_callback' => array( self::class, 'verify' ),
			)
		);
	}

	/**
	 * The companion is up: deliver what waits.
	 *
	 * @return \WP_REST_Response
	 */
	public static function hello(): \WP_REST_Response {
		Dispatcher::companion_answered();
		return new \WP_REST_Response( array( 'ok' => true ), 200 );
	}

	/**
	 * Signature check (and replay check) before anything is read.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return true|\WP_Error
	 */
	public static function verify( \WP_REST_Request $request ) {
		$v1 = Signature::verify( Settings::secret(), (string) $request->get_header( 'x_stockline_signature' ), $request->get_body(), time() );
		if ( null === $v1 ) {
			return new \WP_Error( 'stockline_bad_signature', __( 'Missing, expired or invalid signature.', 'stockline' ), array( 'status' => 401 ) );
		}
		if ( ! Lock::acquire( self::SEEN_PREFIX . substr( $v1, 0, 40 ), 2 * Signature::TOLERANCE ) ) {
			return new \WP_Error( 'stockline_replayed', __( 'This signed request was already used.', 'stockline' ), array( 'status' => 401 ) );
		}
		return true;
	}

	/**
	 * Applies each item.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function handle( \WP_REST_Request $request ) {
		// The companion is calling us (signed): it is up. Sales stored while it was away, waiting
		// out a back-off, go to it at this request's end, not at the next cron run up to a minute
		// later, while the other channels keep selling those units (trial: 30-50 s after a restart).
		Dispatcher::companion_answered();
		$body  = json_decode( $request->get_body(), true );
		$items = is_array( $body ) && isset( $body['items'] ) && is_array( $body['items'] ) ? $body['items'] : null;
		if ( null === $items || count( $items ) < 1 || count( $items ) > self::MAX_ITEMS ) {
			return new \WP_Error( 'stockline_bad_request', __( 'Send {"items":[{"sku","quantity","expected"}]} with 1 to 500 items.', 'stockline' ), array( 'status' => 400 ) );
		}
		foreach ( $items as $i => $item ) {
			$ok = is_array( $item ) && isset( $item['sku'] ) && is_string( $item['sku'] ) && '' !== trim( $item['sku'] )
				&& isset( $item['quantity'] ) && is_int( $item['quantity'] ) && $item['quantity'] >= 0
				// expected may be below 0: a product sold on backorder counts what it owes that way.
				&& ( ! isset( $item['expected'] ) || is_int( $item['expected'] ) );
			if ( ! $ok ) {
				return new \WP_Error(
					'stockline_bad_request',
					/* translators: %d: item index. */
					sprintf( __( 'items[%d] needs a sku (text), a quantity (whole number ≥ 0) and an optional expected (whole number; below 0 for a product sold on backorder).', 'stockline' ), (int) $i ),
					array(
						'status'  => 400,
						'pointer' => '/items/' . (int) $i,
					)
				);
			}
		}
		$results = array();
		foreach ( $items as $item ) {
			try {
				$results[] = StockWriter::compare_and_set( trim( $item['sku'] ), $item['quantity'], isset( $item['expected'] ) ? (int) $item['expected'] : null );
			} catch ( \Throwable $e ) {
				Logger::exception( 'stock endpoint', $e );
				$results[] = array(
					'sku'      => (string) $item['sku'],
					'status'   => 'stale',
					'quantity' => null,
				);
			}
		}
		return new \WP_REST_Response( array( 'results' => $results ), 200 );
	}
}
