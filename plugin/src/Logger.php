<?php
/**
 * Logging through WooCommerce's logger (WooCommerce → Status → Logs, source "stockline"),
 * falling back to error_log() when WooCommerce is not there.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Static so every hook can log without wiring; it holds no state.
 */
final class Logger {

	/**
	 * Logs a message at a level (debug, info, warning, error).
	 *
	 * @param string               $level   PSR-3 level name.
	 * @param string               $message What happened, without secrets.
	 * @param array<string, mixed> $context Extra data.
	 */
	public static function log( string $level, string $message, array $context = array() ): void {
		try {
			if ( function_exists( 'wc_get_logger' ) ) {
				wc_get_logger()->log( $level, $message, array_merge( array( 'source' => 'stockline' ), $context ) );
				return;
			}
		} catch ( \Throwable $e ) { // phpcs:ignore Generic.CodeAnalysis.EmptyStatement.DetectedCatch -- fall through to error_log.
		}
		// phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log -- the fallback this class exists for.
		error_log( sprintf( '[stockline] %s: %s %s', $level, $message, $context ? (string) wp_json_encode( $context ) : '' ) );
	}

	/**
	 * Logs an exception caught at a hook boundary, so the store request carries on.
	 *
	 * @param string     $where Which hook or action failed.
	 * @param \Throwable $e     What was thrown.
	 */
	public static function exception( string $where, \Throwable $e ): void {
		self::log(
			'error',
			sprintf( '%s failed: %s', $where, $e->getMessage() ),
			array(
				'exception' => get_class( $e ),
				'file'      => $e->getFile() . ':' . $e->getLine(),
			)
		);
	}
}
