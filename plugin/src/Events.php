<?php
/**
 * Builds events in the companion's contract (companion/src/schemas/events.ts): id
 * `{site}:{order}:{transition}`, source `woocommerce`, occurredAt RFC 3339, lines by SKU.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Event factory.
 */
final class Events {

	public const ID_PATTERN = '/^[A-Za-z0-9._:-]{1,128}$/';

	/**
	 * A count of WooCommerce's stock quantity under a SKU: stock.adjusted with an absolute `set`,
	 * basis `available` (WooCommerce's stock field has its paid, unshipped orders already taken off,
	 * and shows what the companion last pushed: what is free to sell). Stock edits, the import and
	 * a SKU leaving or joining a product (set 0 / its stock) all send this one shape.
	 *
	 * @param string $id       Idempotency key.
	 * @param string $sku      SKU.
	 * @param int    $quantity WooCommerce's stock quantity (below 0 is sent as 0).
	 * @param string $reason   Reason.
	 * @return array<string, mixed>
	 */
	public static function count( string $id, string $sku, int $quantity, string $reason ): array {
		$event           = self::base( $id, 'stock.adjusted' );
		$event['sku']    = $sku;
		$event['set']    = max( 0, $quantity );
		$event['basis']  = 'available';
		$event['reason'] = $reason;
		return $event;
	}

	/**
	 * Fields every event carries.
	 *
	 * @param string $id   Idempotency key.
	 * @param string $type Event type.
	 * @return array<string, mixed>
	 */
	public static function base( string $id, string $type ): array {
		$event = array(
			'id'         => $id,
			'type'       => $type,
			'source'     => 'woocommerce',
			'occurredAt' => self::now(),
		);
		$tenant = Settings::tenant();
		if ( 'default' !== $tenant ) {
			$event['tenant'] = $tenant;
		}
		return $event;
	}

	/**
	 * Id for an order transition, e.g. wc1a2b3c4d:1234:confirmed (or :confirmed.2 in the order's second life).
	 *
	 * @param int    $order_id   Order id.
	 * @param string $transition reserved, confirmed, cancelled, released, shipped, restocked, refund-shipped, refund-restock,
	 *                           edit-shipped, edited, edit-restock, cancel-restock, cancel-moved.
	 * @param int    $cycle      1 for the first time through; incremented when a cancelled order is reopened.
	 */
	public static function order_event_id( int $order_id, string $transition, int $cycle = 1 ): string {
		return Settings::site_id() . ':' . $order_id . ':' . $transition . ( $cycle > 1 ? '.' . $cycle : '' );
	}

	/**
	 * stock.adjusted delta for units an order's stock change moved (a restore, a refund's
	 * restock, an item edit): id order_event_id( $order_id, $transition, $cycle ) . $suffix.
	 *
	 * @param int    $order_id   Order id.
	 * @param string $transition See order_event_id().
	 * @param int    $cycle      Order cycle.
	 * @param string $suffix     Id suffix (line or item and count).
	 * @param string $sku        SKU.
	 * @param int    $delta      Units (+ back on hand, − gone).
	 * @param string $reason     Reason.
	 * @return array<string, mixed>
	 */
	public static function order_delta( int $order_id, string $transition, int $cycle, string $suffix, string $sku, int $delta, string $reason ): array {
		$event           = self::base( self::order_event_id( $order_id, $transition, $cycle ) . $suffix, 'stock.adjusted' );
		$event['sku']    = $sku;
		$event['delta']  = $delta;
		$event['reason'] = $reason;
		return $event;
	}

	/**
	 * The WooCommerce order an event id of order_event_id() names, null for other events.
	 *
	 * @param string $event_id Event id.
	 */
	public static function order_of( string $event_id ): ?int {
		return preg_match( '/^[^:]+:(\d+):(?:reserved|confirmed|cancelled|released|shipped|restocked|refund-shipped|refund-restock|edit-shipped|edited|edit-restock|cancel-restock|cancel-moved)(?:\.\d+)?(?::\d+(?:-\d+)?)?$/D', $event_id, $m ) ? (int) $m[1] : null;
	}

	/**
	 * stock.reserved holding an order's lines for $ttl_seconds under the order's reservation id
	 * (the checkout's hold, and the hold of a paid order set back to Pending).
	 *
	 * @param int                                    $order_id    Order id.
	 * @param int                                    $cycle       Order cycle.
	 * @param array<int, array{sku:string, qty:int}> $lines       Lines by SKU.
	 * @param int                                    $ttl_seconds How long the hold lasts.
	 * @return array<string, mixed>
	 */
	public static function hold( int $order_id, int $cycle, array $lines, int $ttl_seconds ): array {
		$event                  = self::base( self::order_event_id( $order_id, 'reserved', $cycle ), 'stock.reserved' );
		$event['reservationId'] = self::reservation_id( $order_id, $cycle );
		$event['lines']         = $lines;
		$event['ttlSeconds']    = $ttl_seconds;
		return $event;
	}

	/**
	 * The reservation that holds an order's units at checkout.
	 *
	 * @param int $order_id Order id.
	 * @param int $cycle    Order cycle.
	 */
	public static function reservation_id( int $order_id, int $cycle = 1 ): string {
		return Settings::site_id() . ':' . $order_id . ':hold' . ( $cycle > 1 ? '.' . $cycle : '' );
	}

	/**
	 * The order id the companion knows this order by. A reopened order is a new order to the
	 * companion (it never confirms a cancelled order again), hence the cycle suffix.
	 *
	 * @param int $order_id Order id.
	 * @param int $cycle    Order cycle.
	 */
	public static function order_ref( int $order_id, int $cycle = 1 ): string {
		return Settings::site_id() . ':' . $order_id . ( $cycle > 1 ? '.' . $cycle : '' );
	}

	/**
	 * Lines of an order by the SKU each item's stock is counted under (sku_of()), quantities of the
	 * same SKU added up. Items whose product has no SKU, or does not manage stock, are left out and
	 * the SKU-less ones logged.
	 *
	 * @param \WC_Order $order         The order.
	 * @param bool      $not_restocked Leave out units a refund already put back in stock (the
	 *                                 item's _restock_refunded_items): what WooCommerce still has
	 *                                 taken for the order, and gives back when it is cancelled.
	 * @return array<int, array{sku:string, qty:int}>
	 */
	public static function order_lines( $order, bool $not_restocked = false ): array {
		$lines = array();
		foreach ( $order->get_items() as $item ) {
			if ( ! is_object( $item ) || ! method_exists( $item, 'get_product' ) ) {
				continue;
			}
			$product = $item->get_product();
			$qty     = (int) $item->get_quantity() - ( $not_restocked ? (int) $item->get_meta( '_restock_refunded_items', true ) : 0 );
			if ( ! $product || $qty < 1 ) {
				continue;
			}
			if ( ! $product->managing_stock() ) {
				continue;
			}
			$sku = self::sku_of( $product );
			if ( '' === $sku ) {
				Logger::log( 'warning', sprintf( 'Order %d: product %d (%s) has no SKU of its own, so Stockline cannot count it.', $order->get_id(), $product->get_id(), $product->get_name() ) );
				continue;
			}
			$lines[ $sku ] = ( $lines[ $sku ] ?? 0 ) + $qty;
		}
		return self::lines_of( $lines );
	}

	/**
	 * Event lines from quantities by SKU.
	 *
	 * @param array<string|int, int> $by_sku Units per SKU (PHP turns a numeric SKU key into an int).
	 * @return array<int, array{sku:string, qty:int}>
	 */
	public static function lines_of( array $by_sku ): array {
		$out = array();
		foreach ( $by_sku as $sku => $qty ) {
			$out[] = array(
				'sku' => (string) $sku,
				'qty' => (int) $qty,
			);
		}
		return $out;
	}

	/**
	 * SKUs of the order's lines whose product allows backorders (WooCommerce sells it beyond
	 * its stock on purpose), as keys. Such an order is confirmed with `backorder: true`, so the
	 * companion records it even when short (an oversell incident) instead of refusing it, and
	 * the checkout guard does not stop a sale of them for lack of stock.
	 *
	 * @param \WC_Order $order The order.
	 * @return array<string, true>
	 */
	public static function backorder_skus( $order ): array {
		$skus = array();
		foreach ( $order->get_items() as $item ) {
			$product = is_object( $item ) && method_exists( $item, 'get_product' ) ? $item->get_product() : null;
			if ( $product && $product->managing_stock() && $product->backorders_allowed() ) {
				$sku = self::sku_of( $product );
				if ( '' !== $sku ) {
					$skus[ $sku ] = true;
				}
			}
		}
		return $skus;
	}

	/**
	 * Whether the order was made anywhere but the store's checkout (classic or block): in wp-admin,
	 * through the REST API, by another plugin. Those never met the checkout guard, so the ledger
	 * had no say before WooCommerce took the units: their sale is a fact (OrderHooks::confirm()).
	 *
	 * @param \WC_Order $order The order.
	 */
	public static function made_outside_checkout( $order ): bool {
		$via = method_exists( $order, 'get_created_via' ) ? (string) $order->get_created_via() : 'checkout';
		return ! in_array( $via, array( 'checkout', 'store-api' ), true );
	}

	/**
	 * The SKU Stockline counts a product's stock under ('' when it has none).
	 *
	 * WooCommerce's get_sku() ('view' context) gives a variation without a SKU of its own its
	 * parent's, so two such variations would overwrite each other's count under the parent's
	 * SKU and a sale of one would reduce the other: a variation with its own stock is counted by
	 * its own SKU only (get_sku( 'edit' )), and without one it is left out like any product
	 * without a SKU. A variation whose stock the parent manages (get_manage_stock() 'parent')
	 * sells from the parent's stock, so it is counted under the parent's SKU, where that stock
	 * is, even when it has a SKU of its own (a barcode per size): under its own, its sales would
	 * name a SKU no count was ever sent for.
	 *
	 * @param \WC_Product $product Product or variation.
	 */
	public static function sku_of( $product ): string {
		if ( ! $product->is_type( 'variation' ) ) {
			return trim( (string) $product->get_sku() );
		}
		if ( 'parent' === $product->get_manage_stock() ) {
			$holder = wc_get_product( $product->get_stock_managed_by_id() );
			return $holder ? trim( (string) $holder->get_sku() ) : '';
		}
		return trim( (string) $product->get_sku( 'edit' ) );
	}

	/**
	 * RFC 3339 UTC timestamp with milliseconds.
	 */
	public static function now(): string {
		return ( new \DateTimeImmutable( 'now', new \DateTimeZone( 'UTC' ) ) )->format( 'Y-m-d\TH:i:s.v\Z' );
	}

	/**
	 * The hold's lifetime: WooCommerce's "Hold stock (minutes)", 60 when unset.
	 */
	public static function hold_ttl_seconds(): int {
		$minutes = (int) get_option( 'woocommerce_hold_stock_minutes', 60 );
		return max( 60, min( 604800, ( $minutes > 0 ? $minutes : 60 ) * 60 ) );
	}
}
