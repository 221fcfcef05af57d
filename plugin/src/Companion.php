<?php
/**
 * HTTP client for the companion: signed event posts and bearer-authenticated admin calls.
 * Timeouts are set in milliseconds on the cURL handle, because WordPress rounds a fractional
 * `timeout` up to whole seconds on some builds and checkout cannot wait a second.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * One request = one method call; returns a plain result array, never throws for HTTP trouble.
 */
final class Companion {

	/**
	 * Registers the cURL tweak that applies millisecond timeouts to our own requests only.
	 */
	public static function register(): void {
		add_action( 'http_api_curl', array( self::class, 'curl_timeouts' ), 10, 3 );
	}

	/**
	 * Applies `stockline_timeout_ms` to the cURL handle.
	 *
	 * @param resource|\CurlHandle $handle cURL handle.
	 * @param array<string, mixed> $args   Request arguments.
	 * @param string               $url    Request URL.
	 */
	public static function curl_timeouts( $handle, array $args, string $url ): void {
		unset( $url );
		if ( empty( $args['stockline_timeout_ms'] ) || ! defined( 'CURLOPT_TIMEOUT_MS' ) ) {
			return;
		}
		$ms = (int) $args['stockline_timeout_ms'];
		// phpcs:disable WordPress.WP.AlternativeFunctions.curl_curl_setopt -- WordPress exposes the handle for exactly this.
		curl_setopt( $handle, CURLOPT_NOSIGNAL, 1 );
		curl_setopt( $handle, CURLOPT_TIMEOUT_MS, $ms );
		curl_setopt( $handle, CURLOPT_CONNECTTIMEOUT_MS, $ms );
		// phpcs:enable
	}

	/**
	 * Posts `{events:[…]}` (or one event) signed with the tenant's secret.
	 *
	 * @param array<string, mixed> $payload    Batch or single event.
	 * @param int                  $timeout_ms Give up after this long.
	 * @return array{status:int, body:mixed, error:?string, ms:float}
	 */
	public static function post_events( array $payload, int $timeout_ms ): array {
		$body = (string) wp_json_encode( $payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		return self::request(
			'POST',
			'/v1/events',
			array(
				'Content-Type'     => 'application/json',
				Signature::HEADER  => Signature::sign( Settings::secret(), $body ),
			),
			$body,
			$timeout_ms
		);
	}

	/**
	 * An admin call with the bearer token (the browser never sees it), for this store's tenant.
	 * Every admin route of the companion reads the tenant from `?tenant=` (reads and changes
	 * alike: pause, dead-letter retry and discard, rules, mapping) and takes `default` without it,
	 * so a store on another tenant that left it out would see and change the default tenant's
	 * data. The store's own tenant replaces any `tenant` in $query: whoever can use this store's
	 * admin page may see this store's data only, never another store's on the same companion.
	 * (Routes that have no tenant, such as /healthz, ignore it.)
	 *
	 * @param string               $method     HTTP method.
	 * @param string               $path       Path starting with '/', without a query string.
	 * @param string|null          $body       JSON body or null.
	 * @param int                  $timeout_ms Give up after this long.
	 * @param array<string, mixed> $query      Query parameters.
	 * @return array{status:int, body:mixed, error:?string, ms:float}
	 */
	public static function admin( string $method, string $path, ?string $body = null, int $timeout_ms = 10000, array $query = array() ): array {
		unset( $query['tenant'] );
		if ( 'default' !== Settings::tenant() ) {
			$query['tenant'] = Settings::tenant();
		}
		if ( $query ) {
			$path .= '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 );
		}
		$headers = array( 'Accept' => 'application/json' );
		if ( '' !== Settings::admin_token() ) {
			$headers['Authorization'] = 'Bearer ' . Settings::admin_token();
		}
		if ( null !== $body ) {
			$headers['Content-Type'] = 'application/json';
		}
		return self::request( $method, $path, $headers, $body, $timeout_ms );
	}

	/**
	 * Sends a request to the companion.
	 *
	 * @param string                $method     HTTP method.
	 * @param string                $path       Path from the companion's base URL.
	 * @param array<string, string> $headers    Headers.
	 * @param string|null           $body       Raw body.
	 * @param int                   $timeout_ms Give up after this long.
	 * @return array{status:int, body:mixed, error:?string, ms:float}
	 */
	private static function request( string $method, string $path, array $headers, ?string $body, int $timeout_ms ): array {
		$started  = hrtime( true );
		$args     = array(
			'method'               => $method,
			'headers'              => $headers,
			'timeout'              => max( 1, (int) ceil( $timeout_ms / 1000 ) ),
			'stockline_timeout_ms' => $timeout_ms,
			'redirection'          => 0,
			'user-agent'           => 'Stockline/' . STOCKLINE_VERSION . '; ' . home_url(),
		);
		if ( null !== $body ) {
			$args['body'] = $body;
		}
		$response = wp_remote_request( Settings::companion_url() . $path, $args );
		$ms       = ( hrtime( true ) - $started ) / 1e6;
		if ( is_wp_error( $response ) ) {
			return array(
				'status' => 0,
				'body'   => null,
				'error'  => $response->get_error_message(),
				'ms'     => $ms,
			);
		}
		$raw = (string) wp_remote_retrieve_body( $response );
		return array(
			'status' => (int) wp_remote_retrieve_response_code( $response ),
			'body'   => '' === $raw ? null : json_decode( $raw, true ),
			'error'  => null,
			'ms'     => $ms,
		);
	}
}
