<?php
/**
 * Where an order stands for Stockline: "<state>:<cycle>" in one order meta key (HPOS and posts
 * storage alike), so a transition costs one meta write and whichever of WooCommerce's several
 * hooks for one transition comes first records the event, the rest see it done.
 *
 * States: held, confirmed, shipped, released, cancelled, counted (see OrderHooks). The cycle
 * counts reopenings: a cancelled order paid again is a new sale with new event ids.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

defined( 'ABSPATH' ) || exit;

/**
 * An order's Stockline state.
 */
final class OrderState {

	/**
	 * The meta key. The companion's WooCommerce channel knows it too (PLUGIN_STATE_META in
	 * companion/src/channels/woocommerce/order-events.ts): an order carrying it was reported by
	 * this plugin, so the channel's REST poll leaves it alone.
	 */
	public const META = '_stockline_state';

	/**
	 * "<state>:<cycle>" written in this request, by order id: WooCommerce fires several hooks for
	 * one payment (status change, payment complete, stock reduced), and the later ones should
	 * cost nothing, not even a no-op INSERT. State and cycle are both read from here, because
	 * those hooks may pass different copies of the order: one loaded before another copy moved
	 * the order on still has the old meta.
	 *
	 * @var array<int, string>
	 */
	private static array $seen = array();

	/**
	 * The order's Stockline state ('' when nothing was recorded yet).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function state( $order ): string {
		return explode( ':', self::recorded( $order ) )[0];
	}

	/**
	 * The order's current cycle (1 unless it was reopened after ending).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function cycle( $order ): int {
		$parts = explode( ':', self::recorded( $order ) );
		return max( 1, (int) ( $parts[1] ?? 1 ) );
	}

	/**
	 * Saves state and cycle in order meta.
	 *
	 * @param \WC_Order $order The order.
	 * @param string    $state New state.
	 * @param int       $cycle Cycle.
	 */
	public static function set( $order, string $state, int $cycle ): void {
		$id = (int) $order->get_id();
		if ( isset( self::$seen[ $id ] ) && (string) $order->get_meta( self::META, true ) !== self::$seen[ $id ] ) {
			// A stale copy: saving through it could add a second meta row (it never loaded the
			// one another copy wrote) that later requests might read instead. Write through a fresh one.
			$fresh = wc_get_order( $id );
			$order = $fresh ? $fresh : $order;
		}
		$order->update_meta_data( self::META, $state . ':' . $cycle );
		$order->save_meta_data();
		self::$seen[ $id ] = $state . ':' . $cycle;
	}

	/**
	 * "<state>:<cycle>": what this request wrote for the order, else the order's meta.
	 *
	 * @param \WC_Order $order The order.
	 */
	private static function recorded( $order ): string {
		return self::$seen[ (int) $order->get_id() ] ?? (string) $order->get_meta( self::META, true );
	}
}
