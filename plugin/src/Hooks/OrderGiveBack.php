<?php
/**
 * Units WooCommerce gives back that the ledger holds in no open order: a shipped (completed)
 * order's, when it is cancelled; a line that had no SKU when its order was confirmed and has
 * one by the time the order is cancelled; and a line whose product's SKU was renamed meanwhile
 * (the ledger's cancel frees the units under the old SKU, which is retired: they are taken off
 * it, `cancel-moved`, and counted under the product's SKU now; a trial's retired SKU went back
 * on sale on two marketplaces and sold). They are sent as what they are for the ledger, a stock
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

	/** Order meta: item id => the SKU its line was confirmed under ('' for none), JSON. */
	public const SKUS = '_stockline_skus';
	/** Order meta of the twenty-first session's first version: ids of items confirmed without a SKU. */
	private const SKULESS = '_stockline_skuless';

	/**
	 * Remembers under which SKU each stock line was confirmed (one meta write per order).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function remember_skus( $order ): void {
		$before = self::recorded( $order );
		$skus   = array();
		foreach ( $order->get_items() as $item ) {
			$product = is_object( $item ) && method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			if ( $product && $product->managing_stock() ) {
				$skus[ (string) $item->get_id() ] = Events::sku_of( $product );
			} elseif ( ! $product && '' !== ( $before[ (string) $item->get_id() ] ?? '' ) ) {
				$skus[ (string) $item->get_id() ] = $before[ (string) $item->get_id() ]; // Deleted since: still counted under it.
			}
		}
		if ( $skus || '' !== (string) $order->get_meta( self::SKUS, true ) ) {
			// Only written here: a stale copy of the order adds no second row of it.
			$order->update_meta_data( self::SKUS, (string) wp_json_encode( $skus ) );
			$order->save_meta_data();
		}
	}

	/**
	 * Item id => the SKU its line was confirmed under ('' for none); empty for an order confirmed
	 * before this was recorded.
	 *
	 * @param \WC_Order $order The order.
	 * @return array<string, string>
	 */
	public static function recorded( $order ): array {
		$raw = (string) $order->get_meta( self::SKUS, true );
		if ( '' !== $raw ) {
			$skus = json_decode( $raw, true );
			return is_array( $skus ) ? array_map( 'strval', $skus ) : array();
		}
		$skuless = (string) $order->get_meta( self::SKULESS, true );
		return '' === $skuless ? array() : array_fill_keys( explode( ',', $skuless ), '' );
	}

	/**
	 * The order's lines (Events::order_lines()) with those of products deleted for good since the
	 * order was confirmed, under the SKU each was confirmed under: the order still ships those
	 * units. For a hold or a confirmation of an order the ledger had before (set back to Pending,
	 * paid again): left out, a re-test's order of a deleted product re-committed nothing and the
	 * units were sold again on two marketplaces.
	 *
	 * @param \WC_Order $order The order.
	 * @return array<int, array{sku:string, qty:int}>
	 */
	public static function lines_with_gone( $order ): array {
		$lines    = Events::order_lines( $order );
		$recorded = self::recorded( $order );
		if ( ! $recorded ) {
			return $lines;
		}
		$by_sku = array_column( $lines, 'qty', 'sku' );
		foreach ( $order->get_items() as $item ) {
			$sku = $recorded[ (string) $item->get_id() ] ?? '';
			$qty = (int) $item->get_quantity() - (int) $item->get_meta( '_restock_refunded_items', true );
			if ( '' === $sku || $qty < 1 || ! method_exists( $item, 'get_product' ) || $item->get_product() ) {
				continue;
			}
			$by_sku[ $sku ] = ( $by_sku[ $sku ] ?? 0 ) + $qty;
		}
		return Events::lines_of( $by_sku );
	}

	/**
	 * Whether the ledger has the order: its confirmation carried a stock line under a SKU.
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function sent_lines( $order ): bool {
		$recorded = self::recorded( $order );
		foreach ( $order->get_items() as $item ) {
			if ( ! is_object( $item ) || (int) $item->get_quantity() < 1 ) {
				continue;
			}
			$product = method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			if ( ! $product ) {
				// Deleted for good since: its line still counts under the SKU it was confirmed under
				// (a trial's cancel of such an order sent nothing and left 2 units committed for good).
				if ( '' !== ( $recorded[ (string) $item->get_id() ] ?? '' ) ) {
					return true;
				}
				continue;
			}
			if ( ! $product->managing_stock() ) {
				continue;
			}
			$sku = $recorded[ (string) $item->get_id() ] ?? Events::sku_of( $product );
			if ( '' !== $sku ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * After WooCommerce restored a cancelled order's stock: lines whose SKU is not the one they
	 * were confirmed under. Units a rename left under the old SKU leave it (the ledger's cancel
	 * freed them there); units under the product's SKU now come in. Each line once: the record
	 * then says the line's SKU is the current one.
	 *
	 * A product deleted for good since is retired: its units leave its SKU too (the deletion
	 * counted the SKU 0), unless $keep_gone (the order set back to Pending, which holds them for
	 * the order). Kept there, a re-test's cancelled order put them on sale on two marketplaces.
	 *
	 * @param \WC_Order $order     The order.
	 * @param int       $cycle     The order's cycle.
	 * @param bool      $keep_gone Leave lines of deleted products where the cancel freed them.
	 * @return bool False when an event could not be stored (the next hook tries again).
	 */
	public static function move_changed( $order, int $cycle, bool $keep_gone = false ): bool {
		$recorded = self::recorded( $order );
		if ( ! $recorded ) {
			return true;
		}
		$id      = (int) $order->get_id();
		$changed = false;
		foreach ( $order->get_items() as $item ) {
			$key = (string) $item->get_id();
			if ( ! isset( $recorded[ $key ] ) ) {
				continue;
			}
			$product = method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			if ( ! $product && $keep_gone ) {
				continue;
			}
			$was = $recorded[ $key ];
			$now = $product && $product->managing_stock() ? Events::sku_of( $product ) : '';
			if ( $now === $was ) {
				continue;
			}
			$qty = (int) $item->get_quantity() - (int) $item->get_meta( '_restock_refunded_items', true );
			if ( $qty > 0 && '' !== $was ) {
				$reason = sprintf( 'order %d cancelled: its units freed under %s, which the product no longer has, go to %s', $id, $was, '' === $now ? 'no SKU' : $now );
				if ( ! Outbox::add( Events::order_delta( $id, 'cancel-moved', $cycle, ':' . $key, $was, -$qty, $reason ) ) ) {
					return false;
				}
			}
			if ( $qty > 0 && '' !== $now ) {
				$reason = sprintf( 'order %d cancelled: WooCommerce put back units of a line confirmed %s', $id, '' === $was ? 'without a SKU' : 'under ' . $was );
				if ( ! Outbox::add( Events::order_delta( $id, 'cancel-restock', $cycle, ':' . $key, $now, $qty, $reason ) ) ) {
					return false;
				}
			}
			$recorded[ $key ] = $now;
			$changed          = true;
		}
		if ( $changed ) {
			$order->update_meta_data( self::SKUS, (string) wp_json_encode( $recorded ) );
			$order->save_meta_data();
		}
		return true;
	}

	/**
	 * A shipped order's units WooCommerce just restored, under each product's SKU now, as
	 * stock.adjusted deltas: shipping took them off onHand. Refund restocks already sent
	 * (RefundHooks) are not given back again.
	 *
	 * @param \WC_Order $order The order.
	 * @param int       $cycle The order's cycle.
	 * @return bool False when an event could not be stored (the next hook tries again).
	 */
	public static function give_back_shipped( $order, int $cycle ): bool {
		$id = (int) $order->get_id();
		foreach ( $order->get_items() as $item ) {
			$product = is_object( $item ) && method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			$sku     = $product && $product->managing_stock() ? Events::sku_of( $product ) : '';
			$qty     = (int) $item->get_quantity() - (int) $item->get_meta( '_restock_refunded_items', true );
			if ( '' === $sku || $qty < 1 ) {
				continue;
			}
			$reason = sprintf( 'completed order %d cancelled: WooCommerce put its units back in stock', $id );
			if ( ! Outbox::add( Events::order_delta( $id, 'cancel-restock', $cycle, ':' . (int) $item->get_id(), $sku, $qty, $reason ) ) ) {
				return false;
			}
		}
		self::remember_skus( $order ); // Given back under today's SKUs: nothing left for move_changed().
		return true;
	}
}
