<?php
/**
 * Sends one batch of outbox rows to the companion and settles each row by the answer. The
 * Dispatcher decides when to send and backs off; this decides what an answer means for a row.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * One batch out, its rows settled.
 */
final class Sender {

	/**
	 * Sends one batch and settles its rows. Returns null when the companion answered for
	 * every event, or why it did not.
	 *
	 * @param array<int, array{id:int, event:array<string, mixed>}> $rows       Oldest first.
	 * @param int                                                    $timeout_ms Request timeout.
	 * @param array<string, mixed>                                   $summary    Counters, updated.
	 */
	public static function send( array $rows, int $timeout_ms, array &$summary ): ?string {
		$events = array_map( static fn( array $row ): array => self::for_tenant( $row['event'] ), $rows );
		$ids    = array_map( static fn( array $row ): int => $row['id'], $rows );
		$res    = Companion::post_events( array( 'events' => $events ), $timeout_ms );
		$summary['sent'] += count( $rows );
		if ( 200 === $res['status'] && isset( $res['body']['results'] ) && is_array( $res['body']['results'] ) ) {
			return self::settle( $rows, $res['body']['results'], $summary );
		}
		if ( 400 === $res['status'] ) {
			// A malformed event would block everything behind it: find it by sending one at a time.
			return count( $rows ) > 1 ? self::isolate( $rows, $timeout_ms, $summary ) : self::reject( $rows[0], $res, $summary );
		}
		$error = null !== $res['error'] ? $res['error'] : self::http_error( $res );
		Outbox::attempt_failed( $ids, $error );
		return $error;
	}

	/**
	 * The event as it goes out now: for the store's current tenant. The tenant is where the
	 * store's ledger is, not a fact of the event, and an event stored while the tenant setting
	 * was wrong (see Settings::problem()) must not carry the wrong one forever.
	 *
	 * @param array<string, mixed> $event Stored event.
	 * @return array<string, mixed>
	 */
	private static function for_tenant( array $event ): array {
		$tenant = Settings::tenant();
		unset( $event['tenant'] );
		if ( 'default' !== $tenant ) {
			$event['tenant'] = $tenant;
		}
		return $event;
	}

	/**
	 * Settles rows by their per-event results.
	 *
	 * @param array<int, array{id:int, event:array<string, mixed>}> $rows    Oldest first.
	 * @param array<int, mixed>                                      $results The answer's results.
	 * @param array<string, mixed>                                   $summary Counters, updated.
	 */
	private static function settle( array $rows, array $results, array &$summary ): ?string {
		$by_id = array();
		foreach ( $results as $result ) {
			if ( is_array( $result ) && isset( $result['id'], $result['status'] ) ) {
				$by_id[ (string) $result['id'] ] = $result;
			}
		}
		$missing = array();
		$settled = array();
		$ended   = array();
		foreach ( $rows as $row ) {
			$result = $by_id[ (string) $row['event']['id'] ] ?? null;
			if ( null === $result ) {
				$missing[] = $row['id'];
				continue;
			}
			// applied, duplicate and refused are all answers: the companion has the event.
			$label = (string) $result['status'] . ( isset( $result['code'] ) ? ':' . (string) $result['code'] : '' );
			++$summary['delivered'];
			if ( Refusals::needs_owner( $result ) ) {
				Outbox::settle( $row['id'], Outbox::REFUSED, $label, Refusals::sentence( $result ) );
				continue;
			}
			$settled[ $label ][] = $row['id'];
			$ended               = array_merge( $ended, Refusals::settled_by( (string) $row['event']['id'], (string) $result['status'] ) );
		}
		Outbox::settle_many( $settled );
		Outbox::resolve_refused( $ended );
		if ( $missing ) {
			Outbox::attempt_failed( $missing, 'no result for these events in the answer' );
			return 'incomplete answer';
		}
		return null;
	}

	/**
	 * Sends rows one by one after a batch was answered 400.
	 *
	 * @param array<int, array{id:int, event:array<string, mixed>}> $rows       Oldest first.
	 * @param int                                                    $timeout_ms Request timeout.
	 * @param array<string, mixed>                                   $summary    Counters, updated.
	 */
	private static function isolate( array $rows, int $timeout_ms, array &$summary ): ?string {
		foreach ( $rows as $row ) {
			$error = self::send( array( $row ), $timeout_ms, $summary );
			if ( null !== $error ) {
				return $error;
			}
		}
		return null;
	}

	/**
	 * Sets aside one event the companion cannot accept: kept with the companion's answer,
	 * counted and shown to the owner, and sent again (same id) only when the owner asks
	 * (POST admin/outbox/retry), e.g. after updating the companion.
	 *
	 * @param array{id:int, event:array<string, mixed>} $row     The row.
	 * @param array{status:int, body:mixed}             $res     The answer.
	 * @param array<string, mixed>                      $summary Counters, updated.
	 */
	private static function reject( array $row, array $res, array &$summary ): ?string {
		$body    = is_array( $res['body'] ) ? $res['body'] : array();
		$code    = isset( $body['code'] ) ? (string) $body['code'] : 'invalid_event';
		$pointer = isset( $body['pointer'] ) && '' !== $body['pointer'] ? ' at ' . (string) $body['pointer'] : '';
		$error   = sprintf( 'HTTP 400 %s%s: %s', $code, $pointer, isset( $body['message'] ) ? (string) $body['message'] : 'rejected' );
		Outbox::settle( $row['id'], Outbox::FAILED, 'rejected:' . $code, $error );
		Logger::log( 'error', sprintf( 'The companion rejected event %s: %s', (string) $row['event']['id'], $error ) );
		++$summary['failed'];
		return null;
	}

	/**
	 * "HTTP 401 from the companion: <its message>", so the owner sees why (a tenant without a
	 * signing secret there, a wrong secret) and not only a number.
	 *
	 * @param array{status:int, body:mixed} $res The answer.
	 */
	private static function http_error( array $res ): string {
		$message = is_array( $res['body'] ) && isset( $res['body']['message'] ) ? ': ' . (string) $res['body']['message'] : '';
		return sprintf( 'HTTP %d from the companion%s', $res['status'], $message );
	}
}
