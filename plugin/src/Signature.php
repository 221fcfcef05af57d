<?php
/**
 * The signature both directions use (design.md "Signing and running"):
 * X-Stockline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Signs and verifies.
 */
final class Signature {

	public const HEADER    = 'X-Stockline-Signature';
	public const TOLERANCE = 300;

	/**
	 * Header value for a body.
	 *
	 * @param string   $secret The tenant's secret.
	 * @param string   $body   Raw body, exactly as sent.
	 * @param int|null $time   Unix seconds (now by default).
	 */
	public static function sign( string $secret, string $body, ?int $time = null ): string {
		$t = $time ?? time();
		return 't=' . $t . ',v1=' . hash_hmac( 'sha256', $t . '.' . $body, $secret );
	}

	/**
	 * Checks a header against a body. Returns the signature's v1 on success (the replay key),
	 * or null when it is missing, malformed, too old or wrong.
	 *
	 * @param string $secret The tenant's secret.
	 * @param string $header Header value.
	 * @param string $body   Raw body as received.
	 * @param int    $now    Unix seconds.
	 */
	public static function verify( string $secret, string $header, string $body, int $now ): ?string {
		if ( '' === $secret || ! preg_match( '/^t=(\d{1,12}),v1=([0-9a-f]{64})$/', trim( $header ), $m ) ) {
			return null;
		}
		$t = (int) $m[1];
		if ( abs( $now - $t ) > self::TOLERANCE ) {
			return null;
		}
		$expected = hash_hmac( 'sha256', $t . '.' . $body, $secret );
		return hash_equals( $expected, $m[2] ) ? $m[2] : null;
	}
}
