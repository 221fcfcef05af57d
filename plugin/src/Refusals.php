<?php
/**
 * What a refusal from the companion means for the owner. The ledger refuses a store sale it
 * has no stock for (only marketplace sales are recorded as facts), so a paid WooCommerce order
 * that arrives after another channel sold the last unit is not counted: that needs the owner,
 * and its event is kept apart (Outbox::REFUSED) until stock is back and it is sent again (the
 * companion does not remember refusals, so the same id is judged afresh), the order is
 * cancelled, or the owner dismisses it. Other refusals only say the ledger is already past
 * the event, and are plain acknowledgements as before.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Refusal rules.
 */
final class Refusals {

	/**
	 * Codes that need nobody: the order is not in the ledger (its sale was refused or never
	 * sent, so there is nothing to give back or ship), the hold is gone (expired), or a newer
	 * absolute count already won.
	 */
	private const MOOT = array( 'unknown_order', 'unknown_reservation', 'stale_event' );

	/**
	 * Whether a per-event result is a refusal the owner must see.
	 *
	 * @param array<string, mixed> $result The companion's EventResult.
	 */
	public static function needs_owner( array $result ): bool {
		return 'refused' === ( $result['status'] ?? '' ) && ! in_array( (string) ( $result['code'] ?? '' ), self::MOOT, true );
	}

	/**
	 * The refusal in a sentence naming each short SKU: "not enough stock to confirm every line
	 * (MUG-1: 1 ordered, 0 available)".
	 *
	 * @param array<string, mixed> $result The companion's EventResult.
	 */
	public static function sentence( array $result ): string {
		if ( 'unknown_sku' === ( $result['code'] ?? '' ) ) {
			// The companion's sentence speaks to API senders; the owner's remedy is the import.
			$skus = isset( $result['details']['skus'] ) && is_array( $result['details']['skus'] ) ? array_map( 'strval', $result['details']['skus'] ) : array();
			return sprintf( 'Stockline does not know SKU %s yet: import your stock (Stockline → Getting started) or save the product, then retry', implode( ', ', $skus ) );
		}
		$message   = (string) ( $result['message'] ?? $result['code'] ?? 'refused' );
		$shortages = isset( $result['details']['shortages'] ) && is_array( $result['details']['shortages'] ) ? $result['details']['shortages'] : array();
		$parts     = array();
		foreach ( $shortages as $shortage ) {
			if ( is_array( $shortage ) ) {
				$parts[] = sprintf( '%s: %d ordered, %d available', (string) ( $shortage['sku'] ?? '' ), (int) ( $shortage['requested'] ?? 0 ), max( 0, (int) ( $shortage['available'] ?? 0 ) ) );
			}
		}
		return $parts ? $message . ' (' . implode( '; ', $parts ) . ')' : $message;
	}

	/**
	 * Ids of refused events of the same order and cycle that an answered event makes moot: a
	 * cancelled or released order needs neither its hold nor its sale counted any more, and a
	 * sale the ledger counted no longer needs its refused hold.
	 *
	 * @param string $event_id The answered event's id ({site}:{order}:{transition}[.cycle]).
	 * @param string $status   Its answer: applied, duplicate or refused.
	 * @return string[]
	 */
	public static function settled_by( string $event_id, string $status ): array {
		if ( ! preg_match( '/^(.+:\d+):(confirmed|cancelled|released)((?:\.\d+)?)$/D', $event_id, $m ) ) {
			return array();
		}
		if ( 'confirmed' === $m[2] ) {
			return 'refused' === $status ? array() : array( $m[1] . ':reserved' . $m[3] );
		}
		return array( $m[1] . ':reserved' . $m[3], $m[1] . ':confirmed' . $m[3] );
	}
}
