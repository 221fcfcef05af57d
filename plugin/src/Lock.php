<?php
/**
 * A named lock in the options table that works without an object cache: one INSERT IGNORE
 * takes it, and an expired holder is replaced with a compare-and-set UPDATE, so two
 * requests never both believe they hold it. The stored value is the expiry time with
 * microseconds, which also serves as this holder's token: release() deletes the lock only
 * while it still holds that value, so a holder that overran its time cannot free a lock
 * another request has since taken over.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

// phpcs:disable WordPress.DB.DirectDatabaseQuery -- the atomic statements are the point.

/**
 * Lock helpers.
 */
final class Lock {

	/**
	 * The value this request stored for each lock it holds.
	 *
	 * @var array<string, string>
	 */
	private static array $held = array();

	/**
	 * Takes the lock for $ttl seconds. Returns false when someone else holds it.
	 *
	 * @param string $name Option name.
	 * @param int    $ttl  Seconds before an abandoned lock may be taken over.
	 */
	public static function acquire( string $name, int $ttl ): bool {
		global $wpdb;
		$until = sprintf( '%.6F', microtime( true ) + $ttl );
		$taken = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')", $name, $until ) );
		if ( 1 !== $taken ) {
			$held = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $name ) );
			$taken = null !== $held && (float) $held < microtime( true )
				? $wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->options} SET option_value = %s WHERE option_name = %s AND option_value = %s", $until, $name, $held ) )
				: 0;
		}
		if ( 1 !== $taken ) {
			return false;
		}
		self::$held[ $name ] = $until;
		return true;
	}

	/**
	 * Deletes expired locks whose names start with $prefix (e.g. used-signature markers).
	 *
	 * @param string $prefix Option name prefix.
	 */
	public static function prune( string $prefix ): void {
		global $wpdb;
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s AND option_value < %d", $wpdb->esc_like( $prefix ) . '%', time() ) );
	}

	/**
	 * Releases the lock if this request still holds it (see the class comment).
	 *
	 * @param string $name Option name.
	 */
	public static function release( string $name ): void {
		global $wpdb;
		if ( ! isset( self::$held[ $name ] ) ) {
			return;
		}
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s AND option_value = %s", $name, self::$held[ $name ] ) );
		unset( self::$held[ $name ] );
	}
}
