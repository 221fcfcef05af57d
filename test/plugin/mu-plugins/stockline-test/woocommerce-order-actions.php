<?php
/**
 * Stand-ins for what WooCommerce's shop and order screen do with stock, on top of the order
 * stand-ins (woocommerce-orders.php): checkout, classic (WC_Checkout::process_checkout()) and
 * block (the Store API's CheckoutRoute); refunds (wc_create_refund(), wc_restock_refunded_items());
 * and editing a paid order's items (wc_save_order_items(), WC_AJAX::maybe_add_order_item(),
 * wc_maybe_adjust_line_item_product_stock()). Each keeps WooCommerce's filters, actions, item
 * meta and order of steps, minus forms and money.
 */

defined( 'ABSPATH' ) || exit;

/**
 * What WC_Checkout::process_checkout() does with stock, minus the form: WooCommerce's own
 * stock check, create the order, fire woocommerce_checkout_order_created inside the try block
 * that turns an exception into the shopper's error, then woocommerce_checkout_order_processed.
 *
 * @param array<int, array{productId:int, qty:int}> $lines Cart.
 * @return WC_Order|WP_Error
 */
function stockline_test_checkout( array $lines ) {
	foreach ( $lines as $line ) {
		$product = wc_get_product( (int) $line['productId'] );
		if ( ! $product ) {
			return new WP_Error( 'checkout-error', 'Unknown product.' );
		}
		if ( ! $product->has_enough_stock( (int) $line['qty'] ) ) {
			return new WP_Error( 'checkout-error', sprintf( 'Sorry, we do not have enough "%s" in stock to fulfill your order (%d available).', $product->get_name(), (int) $product->get_stock_quantity() ) );
		}
	}
	$order = wc_create_order( array( 'created_via' => 'checkout' ) );
	foreach ( $lines as $line ) {
		$order->add_product( wc_get_product( (int) $line['productId'] ), (int) $line['qty'] );
	}
	try {
		$order->save();
		do_action( 'woocommerce_checkout_order_created', $order );
	} catch ( Exception $e ) {
		return new WP_Error( 'checkout-error', $e->getMessage(), array( 'orderId' => $order->get_id() ) );
	}
	do_action( 'woocommerce_checkout_order_processed', $order->get_id(), array(), $order );
	return $order;
}

/**
 * wc_create_refund() as far as stock goes: the refund (not stored here), the restock of the
 * refunded items when asked, then for a full refund the order's status set to refunded, and
 * woocommerce_order_refunded at the end (includes/wc-order-functions.php).
 *
 * @param array{order_id:int, line_items:array<int, array{qty:int}>, restock_items:bool, full:bool} $args
 */
function stockline_test_refund( array $args ) {
	$order = wc_get_order( (int) $args['order_id'] );
	if ( $args['restock_items'] ) {
		wc_restock_refunded_items( $order, $args['line_items'] );
	}
	if ( $args['full'] ) {
		do_action( 'woocommerce_order_fully_refunded', $order->get_id(), 0 );
		$order->update_status( 'refunded' );
	} else {
		do_action( 'woocommerce_order_partially_refunded', $order->get_id(), 0 );
	}
	do_action( 'woocommerce_order_refunded', $order->get_id(), 0 );
	return $order;
}

/** WooCommerce's wc_restock_refunded_items(): the same filter, checks, stock call, item meta and action. */
function wc_restock_refunded_items( $order, $refunded_line_items ) {
	if ( ! apply_filters( 'woocommerce_can_restock_refunded_items', true, $order, $refunded_line_items ) ) {
		return;
	}
	foreach ( $order->get_items() as $item_id => $item ) {
		if ( ! isset( $refunded_line_items[ $item_id ], $refunded_line_items[ $item_id ]['qty'] ) ) {
			continue;
		}
		$product                = $item->get_product();
		$item_stock_reduced     = $item->get_meta( '_reduced_stock', true );
		$restock_refunded_items = (int) $item->get_meta( '_restock_refunded_items', true );
		$qty_to_refund          = $refunded_line_items[ $item_id ]['qty'];
		if ( ! $item_stock_reduced || ! $qty_to_refund || ! $product || ! $product->managing_stock() ) {
			continue;
		}
		$old_stock = $product->get_stock_quantity();
		$new_stock = wc_update_product_stock( $product, $qty_to_refund, 'increase' );
		$item->update_meta_data( '_reduced_stock', $item_stock_reduced - $qty_to_refund );
		$item->update_meta_data( '_restock_refunded_items', $qty_to_refund + $restock_refunded_items );
		$item->save();
		do_action( 'woocommerce_restock_refunded_item', $product->get_id(), $old_stock, $new_stock, $order, $product );
	}
}

/** WooCommerce's wc_maybe_adjust_line_item_product_stock() (includes/admin/wc-admin-functions.php): the same filter, difference and item meta. */
function wc_maybe_adjust_line_item_product_stock( $item, $item_quantity = -1 ) {
	if ( 'line_item' !== $item->get_type() ) {
		return false;
	}
	if ( apply_filters( 'woocommerce_prevent_adjust_line_item_product_stock', false, $item, $item_quantity ) ) {
		return false;
	}
	$product = $item->get_product();
	if ( ! $product || ! $product->managing_stock() ) {
		return false;
	}
	// A check of its own after the filter that says no (test switch): the stock is not written.
	if ( get_option( 'stand_in_adjust_declines' ) ) {
		return false;
	}
	$item_quantity          = (int) ( $item_quantity >= 0 ? $item_quantity : $item->get_quantity() );
	$already_reduced_stock  = (int) $item->get_meta( '_reduced_stock', true );
	$restock_refunded_items = (int) $item->get_meta( '_restock_refunded_items', true );
	$diff                   = 0 === $item_quantity ? -$already_reduced_stock : $item_quantity - $restock_refunded_items - $already_reduced_stock;
	if ( $diff < 0 ) {
		$new_stock = wc_update_product_stock( $product, -$diff, 'increase' );
	} elseif ( $diff > 0 ) {
		$new_stock = wc_update_product_stock( $product, $diff, 'decrease' );
	} else {
		return false;
	}
	$item->update_meta_data( '_reduced_stock', $item_quantity - $restock_refunded_items );
	$item->save();
	$order = $item->get_order();
	if ( $item_quantity > 0 && $order && ! $order->get_order_stock_reduced() ) {
		$order->update_meta_data( '_order_stock_reduced', 'yes' );
		$order->save_meta_data();
	}
	return array( 'from' => $new_stock + $diff, 'to' => $new_stock );
}

/**
 * The stock part of editing an order's items in wp-admin: wc_save_order_items() for changed
 * quantities (0 deletes the item after giving its stock back) and WC_AJAX::maybe_add_order_item()
 * for added products.
 *
 * @param int             $order_id Order.
 * @param array<int, int> $qty      New quantity by item id.
 * @param array<int, int> $add      Quantity by product id, added as new items.
 */
function stockline_test_edit_items( int $order_id, array $qty, array $add ) {
	$order = wc_get_order( $order_id );
	foreach ( $qty as $item_id => $new_qty ) {
		$item = $order->get_item( (int) $item_id );
		if ( ! $item ) {
			continue;
		}
		if ( 0 === (int) $new_qty ) {
			wc_maybe_adjust_line_item_product_stock( $item, 0 );
			$item->delete();
			continue;
		}
		$item->set_quantity( (int) $new_qty );
		$item->save();
		if ( in_array( $order->get_status(), array( 'processing', 'completed', 'on-hold' ), true ) ) {
			wc_maybe_adjust_line_item_product_stock( $item );
		}
	}
	foreach ( $add as $product_id => $add_qty ) {
		$order   = wc_get_order( $order_id );
		$item_id = $order->add_product( wc_get_product( (int) $product_id ), (int) $add_qty );
		$order->save();
		// As wc_save_order_items(): stock moves only for an order whose stock WooCommerce has taken.
		if ( in_array( $order->get_status(), array( 'processing', 'completed', 'on-hold' ), true ) ) {
			wc_maybe_adjust_line_item_product_stock( $order->get_item( $item_id ) );
		}
	}
}

/**
 * What the Store API's CheckoutRoute (block checkout) does with stock, minus the cart: a draft
 * order, WooCommerce's own reservation check, woocommerce_store_api_checkout_order_processed,
 * and a RouteException thrown there answered as the route's error (its code, message, status),
 * as AbstractRoute::get_response() does.
 *
 * @param array<int, array{productId:int, qty:int}> $lines Cart.
 * @return WC_Order|WP_Error
 */
function stockline_test_block_checkout( array $lines ) {
	$order = wc_create_order( array( 'status' => 'checkout-draft', 'created_via' => 'store-api' ) );
	foreach ( $lines as $line ) {
		$product = wc_get_product( (int) $line['productId'] );
		if ( ! $product->has_enough_stock( (int) $line['qty'] ) ) {
			return new WP_Error( 'woocommerce_rest_product_out_of_stock', 'Not enough stock.', array( 'status' => 400 ) );
		}
		$order->add_product( $product, (int) $line['qty'] );
	}
	$order->save();
	try {
		do_action( 'woocommerce_store_api_checkout_order_processed', $order );
	} catch ( \Automattic\WooCommerce\StoreApi\Exceptions\RouteException $e ) {
		return new WP_Error( $e->getErrorCode(), $e->getMessage(), array( 'status' => $e->getCode(), 'orderId' => $order->get_id() ) );
	}
	return $order;
}

/**
 * Quantities the tests give by product (or variation) id, keyed by the order's item ids as
 * WooCommerce's order screen sends them; items not named are left out.
 *
 * @param WC_Order        $order      The order.
 * @param array<int, int> $by_product Quantity by product id.
 * @return array<int, int>
 */
function stockline_test_by_item( $order, array $by_product ): array {
	$by_item = array();
	foreach ( $order->get_items() as $item_id => $item ) {
		$product_id = (string) ( $item->get_variation_id() ? $item->get_variation_id() : $item->get_product_id() );
		if ( isset( $by_product[ $product_id ] ) ) {
			$by_item[ $item_id ] = (int) $by_product[ $product_id ];
		}
	}
	return $by_item;
}
