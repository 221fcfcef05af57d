<?php
/**
 * Orders WooCommerce counted before Stockline did. The import sends WooCommerce's stock as the
 * ledger's onHand, and that number already has the units of every paid order taken off. An order
 * whose units WooCommerce took off while Stockline was not listening (before activation, or
 * while the plugin was off) and that was made before that count was taken is therefore already
 * in the ledger: its sale and its shipping must not be sent (they would take the units off a
 * second time), and when WooCommerce gives its units back (cancelled, or back to pending) the
 * ledger must be told, as the stock change it is.
 *
 * The count is taken when an import starts, or, before any import, when Stockline was first
 * activated (the stock edits it sends from then on carry WooCommerce's numbers, with the same
 * units taken off).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * When the ledger's count was taken, and which orders it already holds.
 */
final class Baseline {

	/** Unix time the ledger's count was taken from WooCommerce. */
	public const OPTION = 'stockline_counted_at';

	/**
	 * On activation: Stockline listens from now. A reactivation keeps the first time (the count
	 * the ledger holds is still the one taken then, or by the last import).
	 */
	public static function activated(): void {
		add_option( self::OPTION, time(), '', false );
	}

	/**
	 * An import starts: from now the ledger's count is WooCommerce's.
	 */
	public static function imported(): void {
		update_option( self::OPTION, time(), false );
	}

	/**
	 * When the count was taken; 0 when never (the plugin was activated before this was kept and
	 * never imported), and then no order is taken for counted.
	 */
	public static function time(): int {
		$import = get_option( Importer::OPTION, array() );
		// Imports before this option existed still say when they started (their run id is that time).
		$run = is_array( $import ) ? (int) ( $import['run'] ?? 0 ) : 0;
		return max( (int) get_option( self::OPTION, 0 ), $run );
	}

	/**
	 * Whether the ledger's count already has this order's units taken off: WooCommerce took them
	 * off (its stock-reduced flag) without Stockline seeing it, and the order was made no later
	 * than the count was taken. The caller knows Stockline has no state for the order and did not
	 * see the reduction in this request.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function counted( $order ): bool {
		$since   = self::time();
		$created = method_exists( $order, 'get_date_created' ) ? $order->get_date_created() : null;
		if ( $since <= 0 || ! $created || ! method_exists( $order, 'get_order_stock_reduced' ) ) {
			return false;
		}
		return $created->getTimestamp() <= $since && (bool) $order->get_order_stock_reduced();
	}

	/**
	 * WooCommerce gave a counted order's units back: one stock.adjusted delta per SKU, with ids
	 * fixed by order and line, so however many hooks record it, the ledger applies it once. Units
	 * a refund already restocked are not given back again (RefundHooks sent them when restocked).
	 *
	 * @param \WC_Order $order The order.
	 * @param int       $cycle The order's cycle.
	 * @return array<int, array<string, mixed>>
	 */
	public static function restock_events( $order, int $cycle ): array {
		$id     = (int) $order->get_id();
		$events = array();
		$reason = sprintf( 'woocommerce order %d gave back units it sold before Stockline counted the stock', $id );
		foreach ( Events::order_lines( $order, true ) as $n => $line ) {
			$events[] = Events::order_delta( $id, 'restocked', $cycle, ':' . ( $n + 1 ), $line['sku'], $line['qty'], $reason );
		}
		return $events;
	}
}
