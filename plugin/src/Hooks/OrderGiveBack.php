<?php
/**
 * Units WooCommerce gives back that the ledger holds in no open order: a shipped (completed)
 * order's, when it is cancelled, and a line that had no SKU when its order was confirmed and has
 * one by the time the order is cancelled. They are sent as what they are for the ledger, a stock
 * change (`stock.adjusted` delta +units, id {site}:{order}:cancel-restock[.cycle]:{item}); an
 * `order.cancelled` would be refused (nothing left open, or an order the ledger never had:
 * `unknown_order`), and the ledger kept the units gone while WooCommerce had them back, so the
 * next push overwrote WooCommerce's number (a trial lost 2 units each way).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Events;
use Stockline\Outbox;

defined( 'ABSPATH' ) || exit;

/**
 * Give-backs for OrderHooks::end().
 */
final class OrderGiveBack {

	/** Order meta: ids of the items confirmed without a SKU (not in the ledger's order), comma separated. */
	public const SKULESS = '_stockline_skuless';

	/**
	 * Ids of the order's items that hold stock but have no SKU (Events::order_lines() leaves them out).
	 *
	 * @param \WC_Order $order The order.
	 * @return array<int, int>
	 */
	public static function skuless_items( $order ): array {
		$ids = array();
		foreach ( $order->get_items() as $item ) {
			$product = is_object( $item ) && method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			if ( $product && $product->managing_stock() && '' === Events::sku_of( $product ) ) {
				$ids[] = (int) $item->get_id();
			}
		}
		return $ids;
	}

	/**
	 * Items confirmed without a SKU (SKULESS), not yet given back.
	 *
	 * @param \WC_Order $order The order.
	 * @return array<int, int>
	 */
	public static function confirmed_skuless( $order ): array {
		$raw = (string) $order->get_meta( self::SKULESS, true );
		return '' === $raw ? array() : array_map( 'intval', explode( ',', $raw ) );
	}

	/**
	 * Whether the order has a stock line under a SKU outside $skuless: its confirmation was sent.
	 *
	 * @param \WC_Order      $order   The order.
	 * @param array<int, int> $skuless Items confirmed without a SKU.
	 */
	public static function sent_lines( $order, array $skuless ): bool {
		foreach ( $order->get_items() as $item ) {
			$product = is_object( $item ) && method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			if ( $product && $product->managing_stock() && ! in_array( (int) $item->get_id(), $skuless, true ) && '' !== Events::sku_of( $product ) && (int) $item->get_quantity() > 0 ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The units WooCommerce just restored for the order's items (all, or only $items), as
	 * stock.adjusted deltas: the ledger holds them in no open order. Refund restocks already sent
	 * (RefundHooks) are not given back again. Items given back leave SKULESS.
	 *
	 * @param \WC_Order           $order  The order.
	 * @param int                 $cycle  The order's cycle.
	 * @param array<int, int>|null $items Item ids, or null for every item.
	 * @param string              $why    Reason, with %d for the order number.
	 * @return bool False when an event could not be stored (the next hook tries again).
	 */
	public static function give_back( $order, int $cycle, ?array $items, string $why ): bool {
		$id   = (int) $order->get_id();
		$left = array();
		foreach ( $order->get_items() as $item ) {
			$item_id = is_object( $item ) && method_exists( $item, 'get_id' ) ? (int) $item->get_id() : 0;
			if ( null !== $items && ! in_array( $item_id, $items, true ) ) {
				continue;
			}
			$product = method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			$sku     = $product && $product->managing_stock() ? Events::sku_of( $product ) : '';
			$qty     = (int) $item->get_quantity() - (int) $item->get_meta( '_restock_refunded_items', true );
			if ( '' === $sku ) {
				$left[] = $item_id; // Still no SKU: nothing Stockline can count.
				continue;
			}
			if ( $qty > 0 && ! Outbox::add( Events::order_delta( $id, 'cancel-restock', $cycle, ':' . $item_id, $sku, $qty, sprintf( $why, $id ) ) ) ) {
				return false;
			}
		}
		if ( null !== $items ) {
			$order->update_meta_data( self::SKULESS, implode( ',', $left ) );
			$order->save_meta_data();
		}
		return true;
	}
}
