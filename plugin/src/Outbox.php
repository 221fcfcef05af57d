<?php
/**
 * The transactional outbox: every event is written to a table in the request that caused it,
 * and delivered later (Dispatcher). Event ids are unique here too, so a hook that fires twice
 * stores the event once.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- our own table; names are not user input.

/**
 * Outbox table access.
 */
final class Outbox {

	public const SCHEMA_VERSION = 1;
	public const VERSION_OPTION = 'stockline_db_version';

	/** Waiting to be delivered (including retries). */
	public const PENDING = 'pending';
	/** Acknowledged by the companion: applied, duplicate or refused. */
	public const DELIVERED = 'delivered';
	/** Rejected as malformed (HTTP 400); kept with the answer, sent again only when the owner asks. */
	public const FAILED = 'failed';
	/** Answered but refused in a way the owner must see (Refusals); kept until resolved. */
	public const REFUSED = 'refused';
	/** Delivered rows deleted per prune_delivered() call. */
	public const PRUNE_BATCH = 1000;

	/**
	 * Events added in this request (the shutdown delivery only runs when there are some).
	 *
	 * @var int
	 */
	public static int $added = 0;

	/**
	 * Full table name.
	 */
	public static function table(): string {
		global $wpdb;
		return $wpdb->prefix . 'stockline_outbox';
	}

	/**
	 * Creates or upgrades the table when the stored schema version is older than this code's.
	 */
	public static function maybe_install(): void {
		if ( (int) get_option( self::VERSION_OPTION, 0 ) >= self::SCHEMA_VERSION ) {
			return;
		}
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = self::table();
		$charset = $wpdb->get_charset_collate();
		// dbDelta's format: two spaces after PRIMARY KEY, one field per line.
		dbDelta(
			"CREATE TABLE {$table} (
id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
event_id varchar(128) NOT NULL,
event_type varchar(32) NOT NULL,
payload longtext NOT NULL,
status varchar(16) NOT NULL DEFAULT 'pending',
attempts int(10) unsigned NOT NULL DEFAULT 0,
result varchar(64) NULL,
last_error text NULL,
created_at bigint(20) unsigned NOT NULL,
delivered_at bigint(20) unsigned NULL,
PRIMARY KEY  (id),
UNIQUE KEY event_id (event_id),
KEY status_id (status,id)
) {$charset};"
		);
		update_option( self::VERSION_OPTION, self::SCHEMA_VERSION, true );
	}

	/**
	 * Stores an event. Returns whether it is stored: true when this call wrote it or an earlier
	 * one had (same id), false when the database refused the write. $wpdb answers an error
	 * with false instead of throwing, so a caller that records "event stored" (order meta)
	 * must only do so on true, or the event is lost; on false the caller keeps its state and
	 * the next hook for that order or product tries again.
	 *
	 * @param array<string, mixed> $event  A complete event (id, type, source, occurredAt, …).
	 * @param string               $status PENDING, or DELIVERED when it was already acknowledged synchronously.
	 * @param string|null          $result The acknowledgement (applied/duplicate/refused:code) when DELIVERED.
	 */
	public static function add( array $event, string $status = self::PENDING, ?string $result = null ): bool {
		global $wpdb;
		$now = self::now_ms();
		// INSERT IGNORE: the unique event_id makes a repeated hook a no-op, atomically.
		$inserted = $wpdb->query(
			$wpdb->prepare(
				'INSERT IGNORE INTO ' . self::table() . ' (event_id, event_type, payload, status, result, created_at, delivered_at) VALUES (%s, %s, %s, %s, %s, %d, %d)',
				(string) $event['id'],
				(string) $event['type'],
				(string) wp_json_encode( $event ),
				$status,
				(string) $result,
				$now,
				self::DELIVERED === $status ? $now : 0
			)
		);
		if ( false === $inserted ) {
			Logger::log( 'error', sprintf( 'Could not store event %s in the outbox: %s. It is not recorded yet; the next change of the same order or product tries again.', (string) $event['id'], '' !== (string) $wpdb->last_error ? (string) $wpdb->last_error : 'database error' ) );
			return false;
		}
		if ( 1 === $inserted && self::PENDING === $status ) {
			++self::$added;
		}
		return true;
	}

	/**
	 * Oldest pending events first.
	 *
	 * @param int $limit How many.
	 * @return array<int, array{id:int, event:array<string, mixed>}>
	 */
	public static function pending( int $limit ): array {
		global $wpdb;
		$rows = $wpdb->get_results(
			$wpdb->prepare( 'SELECT id, payload FROM ' . self::table() . ' WHERE status = %s ORDER BY id ASC LIMIT %d', self::PENDING, $limit ),
			ARRAY_A
		);
		$out = array();
		foreach ( (array) $rows as $row ) {
			$event = json_decode( (string) $row['payload'], true );
			if ( is_array( $event ) ) {
				$out[] = array(
					'id'    => (int) $row['id'],
					'event' => $event,
				);
			}
		}
		return $out;
	}

	/**
	 * Marks a row acknowledged or rejected, with the companion's answer.
	 *
	 * @param int         $id     Row id.
	 * @param string      $status DELIVERED, REFUSED or FAILED.
	 * @param string      $result applied, duplicate, refused:<code>, or rejected:<code>.
	 * @param string|null $error  The companion's sentence, for the owner (kept as last_error).
	 */
	public static function settle( int $id, string $status, string $result, ?string $error = null ): void {
		global $wpdb;
		$data = array(
			'status'       => $status,
			'result'       => substr( $result, 0, 64 ),
			'delivered_at' => self::now_ms(),
		);
		if ( null !== $error ) {
			$data['last_error'] = substr( $error, 0, 1000 );
		}
		$wpdb->query(
			$wpdb->prepare(
				'UPDATE ' . self::table() . ' SET ' . implode( ', ', array_map( static fn( string $k ): string => "{$k} = %s", array_keys( $data ) ) ) . ', attempts = attempts + 1 WHERE id = %d AND status = %s',
				...array_merge( array_values( $data ), array( $id, self::PENDING ) )
			)
		);
	}

	/**
	 * Puts set-aside rows back in line, with their ids (the companion is idempotent, so an
	 * event it did take is answered `duplicate`). Returns how many.
	 *
	 * @param string[] $statuses Which rows (FAILED …).
	 */
	public static function requeue( array $statuses ): int {
		global $wpdb;
		$in = implode( ',', array_fill( 0, count( $statuses ), '%s' ) );
		return (int) $wpdb->query(
			$wpdb->prepare( 'UPDATE ' . self::table() . " SET status = %s, result = NULL, delivered_at = 0 WHERE status IN ({$in})", self::PENDING, ...$statuses )
		);
	}

	/**
	 * Marks many rows acknowledged at once: one UPDATE per distinct answer (usually one).
	 *
	 * @param array<string, int[]> $ids_by_result Answer (applied, duplicate, refused:<code>) => row ids.
	 */
	public static function settle_many( array $ids_by_result ): void {
		global $wpdb;
		$now = self::now_ms();
		foreach ( $ids_by_result as $result => $ids ) {
			if ( ! $ids ) {
				continue;
			}
			$in = implode( ',', array_map( 'intval', $ids ) );
			$wpdb->query(
				$wpdb->prepare(
					'UPDATE ' . self::table() . " SET status = %s, result = %s, attempts = attempts + 1, delivered_at = %d WHERE id IN ({$in}) AND status = %s",
					self::DELIVERED,
					substr( (string) $result, 0, 64 ),
					$now,
					self::PENDING
				)
			);
		}
	}

	/**
	 * Records a failed attempt on rows that stay pending.
	 *
	 * @param int[]  $ids   Row ids.
	 * @param string $error Why (no secrets).
	 */
	public static function attempt_failed( array $ids, string $error ): void {
		global $wpdb;
		if ( ! $ids ) {
			return;
		}
		$in = implode( ',', array_map( 'intval', $ids ) );
		$wpdb->query( $wpdb->prepare( 'UPDATE ' . self::table() . " SET attempts = attempts + 1, last_error = %s WHERE id IN ({$in})", substr( $error, 0, 500 ) ) );
	}

	/**
	 * Marks refused rows as settled (delivered, their refusal kept in result and last_error):
	 * made moot by a later event of their order, or dismissed by the owner. Returns how many.
	 *
	 * @param string[]|null $event_ids Which events; null for every refused one.
	 */
	public static function resolve_refused( ?array $event_ids ): int {
		global $wpdb;
		if ( null === $event_ids ) {
			return (int) $wpdb->query( $wpdb->prepare( 'UPDATE ' . self::table() . ' SET status = %s WHERE status = %s', self::DELIVERED, self::REFUSED ) );
		}
		if ( ! $event_ids ) {
			return 0;
		}
		$in = implode( ',', array_fill( 0, count( $event_ids ), '%s' ) );
		return (int) $wpdb->query(
			$wpdb->prepare( 'UPDATE ' . self::table() . " SET status = %s WHERE status = %s AND event_id IN ({$in})", self::DELIVERED, self::REFUSED, ...array_values( $event_ids ) )
		);
	}

	/**
	 * Deletes delivered rows acknowledged more than $days days ago, oldest first, at most $limit
	 * per call, and returns how many. Nothing else is ever deleted: pending, failed and refused
	 * rows wait for delivery or for the owner. Deleting an old id is safe: what an event did is
	 * recorded in its order's meta (OrderHooks) and in the companion's audit, and no hook sends
	 * an old order's event id again.
	 *
	 * @param int $days  Keep this many days of delivered rows; 0 or less keeps them all.
	 * @param int $limit Rows per call (the scheduled run calls it at most hourly, see Dispatcher::prune_history).
	 */
	public static function prune_delivered( int $days, int $limit = self::PRUNE_BATCH ): int {
		global $wpdb;
		if ( $days <= 0 ) {
			return 0;
		}
		$cutoff = self::now_ms() - $days * 86400000;
		// Ids first, then delete by id: DELETE … ORDER BY … LIMIT is not portable (SQLite).
		$ids = $wpdb->get_col(
			$wpdb->prepare( 'SELECT id FROM ' . self::table() . ' WHERE status = %s AND delivered_at > 0 AND delivered_at < %d ORDER BY id ASC LIMIT %d', self::DELIVERED, $cutoff, $limit )
		);
		if ( ! $ids ) {
			return 0;
		}
		$in = implode( ',', array_map( 'intval', $ids ) );
		return (int) $wpdb->query( $wpdb->prepare( 'DELETE FROM ' . self::table() . " WHERE id IN ({$in}) AND status = %s", self::DELIVERED ) );
	}

	/**
	 * Milliseconds since the epoch.
	 */
	public static function now_ms(): int {
		return (int) floor( microtime( true ) * 1000 );
	}
}
