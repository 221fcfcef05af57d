<?php
/**
 * An order's items edited in wp-admin after WooCommerce took their stock (a quantity changed, an
 * item removed or added on a processing, on-hold or completed order). WooCommerce moves the
 * stock itself (wc_maybe_adjust_line_item_product_stock(): the item's quantity against what it
 * already took, its _reduced_stock); that write is not a person's count, so it is kept out of
 * StockHooks and sent as what it is, once WooCommerce has made it:
 *
 *   - order open in the ledger (state confirmed):
 *       more units:  stock.adjusted delta −k. The ledger cannot add units to a line it already
 *                    holds, so they leave onHand at once instead of being committed; the item
 *                    remembers them (_stockline_extra) and a cancel gives them back.
 *       fewer units: out of those extra units first, the rest stock.shipped off the order's line;
 *                    then stock.adjusted delta +k: the units are on the shelf again, and the
 *                    order's open lines stay what WooCommerce will ship or restore.
 *   - otherwise (shipped, counted before Stockline, nothing recorded): stock.adjusted delta ∓k.
 *
 * Either way available moves as WooCommerce's stock does. Refund restocks (RefundHooks) take
 * units back the same way, through returned().
 *
 * Ids: {site}:{order}:edit-shipped|edited[.cycle]:{item}-{n}, n counting the item's edits;
 * edit-restock[.cycle]:{item} for the extra units a cancel gives back.
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
 * Order item edit hooks.
 */
final class OrderEditHooks {

	/** Item meta: units WooCommerce took for edits up that the ledger took off onHand, not committed. */
	public const EXTRA = '_stockline_extra';
	/** Item meta: edits sent so far, numbering their event ids. */
	public const EDITS = '_stockline_edits';

	/**
	 * What puts an open order's units back on the shelf (returned()'s $cause) → the transitions
	 * naming its two events' ids: the shipment off the order's line, the adjustment back on hand.
	 */
	private const RETURN_IDS = array(
		'edit'   => array( 'edit-shipped', 'edited' ),
		'refund' => array( 'refund-shipped', 'refund-restock' ),
	);

	/**
	 * Edits WooCommerce is about to write, by the id of the product that holds the stock:
	 * [item, units taken (−given back), that product's stock before].
	 *
	 * @var array<int, array<int, array{0:object, 1:int, 2:int}>>
	 */
	private static array $pending = array();

	/**
	 * Hooks in.
	 */
	public static function register(): void {
		add_filter( 'woocommerce_prevent_adjust_line_item_product_stock', array( self::class, 'plan' ), PHP_INT_MAX, 3 );
		// The stock write itself reaches StockHooks::on_set_stock, which asks claim() first.
		add_filter( 'woocommerce_hidden_order_itemmeta', array( self::class, 'hide_meta' ) );
	}

	/**
	 * `woocommerce_hidden_order_itemmeta`: the order screen lists an item's meta but these; without
	 * it every edited line showed `_stockline_edits: 1` and `_stockline_extra: 3`, editable, and
	 * changing them would break what a cancel gives back (acceptance pass 27).
	 *
	 * @param mixed $keys Hidden item meta keys.
	 * @return mixed
	 */
	public static function hide_meta( $keys ) {
		return is_array( $keys ) ? array_merge( $keys, array( self::EXTRA, self::EDITS ) ) : $keys;
	}

	/**
	 * `woocommerce_prevent_adjust_line_item_product_stock`: works out, as WooCommerce is about to,
	 * how much stock the edit moves, and from what.
	 *
	 * @param mixed     $prevent       Whether WooCommerce should not adjust.
	 * @param object    $item          The line item.
	 * @param int|float $item_quantity The quantity to adjust to (−1: the item's own; 0: removal).
	 * @return mixed
	 */
	public static function plan( $prevent, $item = null, $item_quantity = -1 ) {
		try {
			if ( $prevent || ! is_object( $item ) || ! method_exists( $item, 'get_product' ) ) {
				return $prevent;
			}
			$product = $item->get_product();
			if ( ! $product || ! $product->managing_stock() ) {
				return $prevent;
			}
			$qty       = (int) ( $item_quantity >= 0 ? $item_quantity : $item->get_quantity() );
			$reduced   = (int) $item->get_meta( '_reduced_stock', true );
			$restocked = (int) $item->get_meta( '_restock_refunded_items', true );
			$taken     = 0 === $qty ? -$reduced : $qty - $restocked - $reduced;
			if ( 0 === $taken ) {
				return $prevent;
			}
			$holder_id = method_exists( $product, 'get_stock_managed_by_id' ) ? (int) $product->get_stock_managed_by_id() : (int) $product->get_id();
			$holder    = $holder_id === (int) $product->get_id() ? $product : wc_get_product( $holder_id );
			if ( $holder ) {
				self::$pending[ $holder_id ][] = array( $item, $taken, (int) $holder->get_stock_quantity() );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'woocommerce_prevent_adjust_line_item_product_stock', $e );
		}
		return $prevent;
	}

	/**
	 * Called by StockHooks for every stock write: true when the write is a planned edit, which is
	 * then recorded (and is not a person's count). A plan is only taken when the stock moved by
	 * exactly the edit's units, so a plan WooCommerce then did not carry out (another check of its
	 * own said no) can never claim a later write.
	 *
	 * @param \WC_Product $product The product whose stock was written (the one holding it).
	 */
	public static function claim( $product ): bool {
		$id = (int) $product->get_id();
		while ( ! empty( self::$pending[ $id ] ) ) {
			[ $item, $taken, $before ] = array_shift( self::$pending[ $id ] );
			if ( (int) $product->get_stock_quantity() !== $before - $taken ) {
				continue; // Not this edit's write: a stale plan.
			}
			$order = method_exists( $item, 'get_order' ) ? $item->get_order() : null;
			if ( $order ) {
				self::record( $order, $item, $taken );
			}
			return true;
		}
		return false;
	}

	/**
	 * Sends one edit's events and updates the item's extra units and edit count.
	 *
	 * @param \WC_Order $order The order.
	 * @param object    $item  The line item.
	 * @param int       $taken Units WooCommerce took (negative: gave back).
	 */
	private static function record( $order, $item, int $taken ): void {
		$product = $item->get_product();
		$sku     = $product ? Events::sku_of( $product ) : '';
		$id      = (int) $order->get_id();
		if ( '' === $sku ) {
			Logger::log( 'warning', sprintf( 'Order %d: an item edit moved stock of a product without a SKU of its own, so Stockline cannot count it.', $id ) );
			return;
		}
		$cycle  = OrderState::cycle( $order );
		$n      = (int) $item->get_meta( self::EDITS, true ) + 1;
		$suffix = ':' . (int) $item->get_id() . '-' . $n;
		$reason = sprintf( 'woocommerce order %d edited: %d %s', $id, abs( $taken ), $taken > 0 ? 'more taken from stock' : 'put back in stock' );
		$extra  = (int) $item->get_meta( self::EXTRA, true );
		$open   = 'confirmed' === OrderState::state( $order ); // Its lines are committed in the ledger.
		if ( $open && $taken < 0 ) {
			[ $events, $extra ] = self::returned( $order, $extra, $sku, -$taken, 'edit', $suffix, $reason );
		} else {
			$events = array( Events::order_delta( $id, 'edited', $cycle, $suffix, $sku, -$taken, $reason ) );
			$extra += $open ? $taken : 0;
		}
		foreach ( $events as $event ) {
			if ( ! Outbox::add( $event ) ) {
				return;
			}
		}
		$item->update_meta_data( self::EDITS, $n );
		$item->update_meta_data( self::EXTRA, $extra );
		$item->save();
	}

	/**
	 * Events for $qty of an open order's units put back on WooCommerce's shelf (an edit down, a
	 * refund's restock): out of the item's extra units first (already off onHand), the rest
	 * shipped off the order's line; then all of them back on hand.
	 *
	 * @param \WC_Order $order  The order (state confirmed).
	 * @param int       $extra  The item's extra units.
	 * @param string    $sku    SKU.
	 * @param int       $qty    Units back in stock.
	 * @param string    $cause  'edit' or 'refund' (RETURN_IDS: the transitions naming the events' ids).
	 * @param string    $suffix Id suffix (item and count).
	 * @param string    $reason Adjustment reason.
	 * @return array{0: array<int, array<string, mixed>>, 1: int} The events, and the item's extra units after them.
	 */
	public static function returned( $order, int $extra, string $sku, int $qty, string $cause, string $suffix, string $reason ): array {
		[ $ship, $back ] = self::RETURN_IDS[ $cause ];
		$id     = (int) $order->get_id();
		$cycle  = OrderState::cycle( $order );
		$out    = min( max( 0, $extra ), $qty );
		$events = array();
		if ( $qty > $out ) {
			$event            = Events::base( Events::order_event_id( $id, $ship, $cycle ) . $suffix, 'stock.shipped' );
			$event['orderId'] = Events::order_ref( $id, $cycle );
			$event['lines']   = array(
				array(
					'sku' => $sku,
					'qty' => $qty - $out,
				),
			);
			$events[]         = $event;
		}
		$events[] = Events::order_delta( $id, $back, $cycle, $suffix, $sku, $qty, $reason );
		return array( $events, $extra - $out );
	}

	/**
	 * A cancelled order's extra units, which WooCommerce restores with the rest of what it took
	 * (order.cancelled gives back only what the ledger committed): stock.adjusted per item, and
	 * the items' extra cleared. False when an event could not be stored.
	 *
	 * @param \WC_Order $order The order.
	 * @param int       $cycle The cycle being cancelled.
	 */
	public static function give_back_extra( $order, int $cycle ): bool {
		$id = (int) $order->get_id();
		foreach ( $order->get_items() as $item ) {
			$extra   = is_object( $item ) && method_exists( $item, 'get_meta' ) ? (int) $item->get_meta( self::EXTRA, true ) : 0;
			$product = $extra > 0 ? $item->get_product() : null;
			$sku     = $product ? Events::sku_of( $product ) : '';
			if ( '' === $sku ) {
				continue;
			}
			$reason = sprintf( 'woocommerce order %d cancelled: %d added by an edit put back in stock', $id, $extra );
			if ( ! Outbox::add( Events::order_delta( $id, 'edit-restock', $cycle, ':' . (int) $item->get_id(), $sku, $extra, $reason ) ) ) {
				return false;
			}
			$item->update_meta_data( self::EXTRA, 0 );
			$item->save();
		}
		return true;
	}
}
