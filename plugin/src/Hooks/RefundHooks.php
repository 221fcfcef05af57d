<?php
/**
 * Refunds. WooCommerce puts refunded units back in stock only when the refund says "restock"
 * (wc_restock_refunded_items()), one item at a time; that stock write is not a person's count,
 * so it is kept out of StockHooks (as order flow) and sent as what it is:
 *
 *   - units back on the shelf: stock.adjusted delta +k for the item's SKU;
 *   - if the order's units are still committed in the ledger (state confirmed, not shipped),
 *     first stock.shipped of those k units (less any an admin's edit added, which are already off
 *     onHand: OrderEditHooks::returned()): together the two take k off the order and leave
 *     onHand as it was, so the order's open lines stay what WooCommerce will still ship, restore
 *     on cancel (its _reduced_stock) or give up on a full refund.
 *
 * A full refund sets the order to `refunded`; OrderHooks counts what the order still has open
 * as gone (stock.shipped): WooCommerce does not put unrestocked refunded units back.
 *
 * Ids: {site}:{order}:refund-shipped|refund-restock[.cycle]:{item}-{units restocked from the item
 * so far}, fixed per refund and item, so a hook that fires twice records it once.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline\Hooks;

use Stockline\Events;
use Stockline\Logger;
use Stockline\Outbox;

defined( 'ABSPATH' ) || exit;

/**
 * Refund hooks.
 */
final class RefundHooks {

	/**
	 * Restocks WooCommerce is about to make, by product id: [item id, qty, restocked from the item after this one, item].
	 *
	 * @var array<int, array<int, array{0:int, 1:int, 2:int, 3:object|null}>>
	 */
	private static array $planned = array();

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_filter( 'woocommerce_can_restock_refunded_items', array( self::class, 'plan' ), PHP_INT_MAX, 3 );
		add_action( 'woocommerce_restock_refunded_item', array( self::class, 'restocked' ), 10, 5 );
		add_action( 'woocommerce_order_refunded', array( self::class, 'done' ), 10, 0 );
	}

	/**
	 * `woocommerce_can_restock_refunded_items`: notes which items WooCommerce will restock and by
	 * how much (its own conditions), and marks their products as order flow.
	 *
	 * @param mixed                                $allowed Whether WooCommerce restocks.
	 * @param \WC_Order|null                       $order   The order.
	 * @param array<int, array<string, mixed>>|null $lines  Refunded line items by item id ({qty}).
	 * @return mixed
	 */
	public static function plan( $allowed, $order = null, $lines = null ) {
		try {
			if ( ! $allowed || ! is_object( $order ) || ! is_array( $lines ) ) {
				return $allowed;
			}
			StockHooks::enter_order_flow( true, $order );
			foreach ( $order->get_items() as $item_id => $item ) {
				$qty = isset( $lines[ $item_id ]['qty'] ) ? (int) $lines[ $item_id ]['qty'] : 0;
				if ( $qty < 1 || ! is_object( $item ) || ! method_exists( $item, 'get_product' ) || ! $item->get_meta( '_reduced_stock', true ) ) {
					continue;
				}
				$product = $item->get_product();
				if ( ! $product || ! $product->managing_stock() ) {
					continue;
				}
				$after = (int) $item->get_meta( '_restock_refunded_items', true ) + $qty;
				self::$planned[ (int) $product->get_id() ][] = array( (int) $item_id, $qty, $after, $item );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_can_restock_refunded_items', $e );
		}
		return $allowed;
	}

	/**
	 * `woocommerce_restock_refunded_item`: WooCommerce put one item's refunded units back.
	 *
	 * @param int            $product_id Product id.
	 * @param int|float|null $old_stock  Stock before.
	 * @param int|float|null $new_stock  Stock after.
	 * @param \WC_Order      $order      The order.
	 * @param \WC_Product    $product    The product.
	 */
	public static function restocked( $product_id, $old_stock, $new_stock, $order, $product ): void {
		try {
			if ( ! is_object( $order ) || ! is_object( $product ) ) {
				return;
			}
			$plan = empty( self::$planned[ (int) $product_id ] ) ? null : array_shift( self::$planned[ (int) $product_id ] );
			if ( null === $plan ) {
				// Not seen planned (another plugin called the action): the stock moved by new − old.
				$qty  = (int) $new_stock - (int) $old_stock;
				$plan = array( 0, $qty, (int) $new_stock, null );
			}
			[ $item_id, $qty, $after, $item ] = $plan;
			$sku = Events::sku_of( $product );
			if ( $qty < 1 || '' === $sku ) {
				return;
			}
			$id     = (int) $order->get_id();
			$suffix = ':' . $item_id . '-' . $after;
			$reason = sprintf( 'woocommerce refund of order %d put %d back in stock', $id, $qty );
			if ( 'confirmed' !== OrderState::state( $order ) ) {
				// Nothing of the order is open in the ledger: the units are simply back on hand.
				Outbox::add( Events::order_delta( $id, 'refund-restock', OrderState::cycle( $order ), $suffix, $sku, $qty, $reason ) );
				return;
			}
			// Out of units an edit added first (already off onHand), then off the order's line.
			$extra             = $item ? (int) $item->get_meta( OrderEditHooks::EXTRA, true ) : 0;
			[ $events, $left ] = OrderEditHooks::returned( $order, $extra, $sku, $qty, 'refund', $suffix, $reason );
			foreach ( $events as $event ) {
				if ( ! Outbox::add( $event ) ) {
					return;
				}
			}
			if ( $item && $left !== $extra ) {
				$item->update_meta_data( OrderEditHooks::EXTRA, $left );
				$item->save();
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_restock_refunded_item', $e );
		}
	}

	/**
	 * `woocommerce_order_refunded`: the refund is done; stock writes are people's again.
	 */
	public static function done(): void {
		self::$planned = array();
		StockHooks::leave_order_flow();
	}
}
