<?php
/**
 * What the admin page and notices read from the outbox: counts by status, the reason for the
 * backlog, and the newest set-aside events.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table; names are not user input.

/**
 * Outbox reads for people.
 */
final class OutboxReport {

	/**
	 * Counts for the admin page.
	 *
	 * @return array{pending:int, failed:int, refused:int, oldestAgeSeconds:int, delivered:int, lastError:?string}
	 */
	public static function counts(): array {
		global $wpdb;
		$table  = Outbox::table();
		$rows   = $wpdb->get_results( "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM {$table} GROUP BY status", ARRAY_A );
		$counts = array(
			Outbox::PENDING   => 0,
			Outbox::FAILED    => 0,
			Outbox::REFUSED   => 0,
			Outbox::DELIVERED => 0,
		);
		$oldest = 0;
		foreach ( (array) $rows as $row ) {
			$counts[ (string) $row['status'] ] = (int) $row['n'];
			if ( Outbox::PENDING === $row['status'] ) {
				$oldest = (int) $row['oldest'];
			}
		}
		// Why the oldest waiting event waits; else why the newest set-aside one was rejected.
		$last_error = $wpdb->get_var( $wpdb->prepare( "SELECT last_error FROM {$table} WHERE status = %s AND last_error IS NOT NULL ORDER BY id ASC LIMIT 1", Outbox::PENDING ) );
		if ( null === $last_error && $counts[ Outbox::FAILED ] > 0 ) {
			$last_error = $wpdb->get_var( $wpdb->prepare( "SELECT last_error FROM {$table} WHERE status = %s AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1", Outbox::FAILED ) )
				// Rejected by a version that kept no reason.
				?? __( 'The companion rejected some events as malformed (HTTP 400).', 'stockline' );
		}
		return array(
			'pending'          => $counts[ Outbox::PENDING ],
			'failed'           => $counts[ Outbox::FAILED ],
			'refused'          => $counts[ Outbox::REFUSED ],
			'delivered'        => $counts[ Outbox::DELIVERED ],
			'oldestAgeSeconds' => $oldest ? (int) floor( max( 0, Outbox::now_ms() - $oldest ) / 1000 ) : 0,
			'lastError'        => null === $last_error ? null : (string) $last_error,
		);
	}

	/**
	 * The newest rows in a status, for the admin page.
	 *
	 * @param string      $status FAILED, REFUSED …
	 * @param int         $limit  How many.
	 * @param string|null $type   Only events of this type.
	 * @return array<int, array{event_id:string, event_type:string, event:array<string, mixed>, result:string, error:?string, at:int}>
	 */
	public static function latest( string $status, int $limit, ?string $type = null ): array {
		global $wpdb;
		$by_type = null === $type ? '' : ' AND event_type = %s';
		$args    = null === $type ? array( $status, $limit ) : array( $status, $type, $limit );
		$rows    = $wpdb->get_results(
			$wpdb->prepare( 'SELECT event_id, event_type, payload, result, last_error, delivered_at FROM ' . Outbox::table() . " WHERE status = %s{$by_type} ORDER BY id DESC LIMIT %d", ...$args ),
			ARRAY_A
		);
		$out = array();
		foreach ( (array) $rows as $row ) {
			$event = json_decode( (string) $row['payload'], true );
			$out[] = array(
				'event_id'   => (string) $row['event_id'],
				'event_type' => (string) $row['event_type'],
				'event'      => is_array( $event ) ? $event : array(),
				'result'     => (string) $row['result'],
				'error'      => null === $row['last_error'] ? null : (string) $row['last_error'],
				'at'         => (int) $row['delivered_at'],
			);
		}
		return $out;
	}
}
