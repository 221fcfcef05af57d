<?php
/**
 * Stand-ins for WooCommerce orders: WC_Order, WC_Order_Item_Product, WC_DateTime, wc_get_order,
 * wc_create_order, and the stock functions WooCommerce hooks to order statuses
 * (wc_maybe_reduce_stock_levels / wc_maybe_increase_stock_levels). Statuses change through
 * save(), which fires woocommerce_order_status_{to}, woocommerce_order_status_{from}_to_{to}
 * and woocommerce_order_status_changed in that order, as WC_Order::status_transition() does.
 * Orders are posts of type shop_order (posts storage); meta goes through get_meta /
 * update_meta_data / save_meta_data as with HPOS. delete() is Abstract_WC_Order_Data_Store_CPT::delete()
 * (WooCommerce 8.0+): with force_delete woocommerce_before_delete_order ($id, $order),
 * wp_delete_post(), woocommerce_delete_order; without it woocommerce_before_trash_order
 * ($id, $order), wp_trash_post(), woocommerce_trash_order. Neither changes the order's status
 * through a status transition (no woocommerce_order_status_* hook fires).
 */

defined( 'ABSPATH' ) || exit;

class WC_Order_Item_Product {
	private array $data;
	private int $order_id;
	public function __construct( array $data, int $order_id = 0 ) { $this->data = $data; $this->order_id = $order_id; }
	public function get_id() { return (int) ( $this->data['id'] ?? 0 ); }
	public function get_product_id() { return (int) $this->data['product_id']; }
	public function get_variation_id() { return (int) ( $this->data['variation_id'] ?? 0 ); }
	public function get_quantity() { return (int) $this->data['qty']; }
	public function get_name() { return (string) ( $this->data['name'] ?? '' ); }
	public function get_product() { return wc_get_product( $this->get_variation_id() ? $this->get_variation_id() : $this->get_product_id() ); }
	public function is_type( $type ) { return 'line_item' === $type; }
	public function get_type() { return 'line_item'; }
	// Item meta (_reduced_stock, _restock_refunded_items), kept with the item as WooCommerce keeps it in its item meta table.
	public function get_meta( $key = '', $single = true ) { return $this->data['meta'][ $key ] ?? ''; }
	public function update_meta_data( $key, $value ) { $this->data['meta'][ $key ] = $value; }
	// WC_Data::get_meta_data(): the item's meta as objects with key and value (WC_Meta_Data).
	public function get_meta_data() {
		$meta = (array) ( $this->data['meta'] ?? array() );
		return array_map( static fn( $k, $v ) => (object) array( 'key' => (string) $k, 'value' => $v ), array_keys( $meta ), $meta );
	}
	public function delete_meta_data( $key ) { unset( $this->data['meta'][ $key ] ); }
	public function set_order_id( int $order_id ) { $this->order_id = $order_id; }
	public function get_order_id() { return $this->order_id; }
	public function get_order() { return wc_get_order( $this->order_id ); }
	public function set_quantity( $qty ) { $this->data['qty'] = (int) $qty; }
	// WC_Order_Item::delete(): the item and its meta leave the order.
	public function delete() {
		$items = json_decode( (string) get_post_meta( $this->order_id, '_stand_in_items', true ), true );
		$items = array_values( array_filter( is_array( $items ) ? $items : array(), fn( $i ) => (int) ( $i['id'] ?? 0 ) !== $this->get_id() ) );
		update_post_meta( $this->order_id, '_stand_in_items', wp_slash( wp_json_encode( $items ) ) );
		return true;
	}
	// WC_Order_Item::save(): writes this item alone (its order's other items as stored).
	public function save() {
		$items = json_decode( (string) get_post_meta( $this->order_id, '_stand_in_items', true ), true );
		$items = is_array( $items ) ? $items : array();
		foreach ( $items as $i => $item ) {
			if ( (int) ( $item['id'] ?? 0 ) === $this->get_id() ) {
				$items[ $i ] = $this->data;
			}
		}
		update_post_meta( $this->order_id, '_stand_in_items', wp_slash( wp_json_encode( $items ) ) );
		return $this->get_id();
	}
	public function to_array() { return $this->data; }
}

class WC_DateTime extends DateTime {}

class WC_Order {
	private int $id = 0;
	private string $status = 'pending';
	private ?string $status_from = null;
	private array $items = array();
	private array $meta = array();
	private array $meta_changes = array();
	private array $meta_stored = array();

	public function __construct( $order = 0 ) {
		if ( is_numeric( $order ) && $order > 0 ) {
			$post = get_post( (int) $order );
			if ( ! $post || 'shop_order' !== $post->post_type ) {
				throw new Exception( 'Invalid order.' );
			}
			$this->id     = (int) $post->ID;
			$this->status = 0 === strpos( $post->post_status, 'wc-' ) ? substr( $post->post_status, 3 ) : $post->post_status; // 'trash' as it is.
			$items        = json_decode( (string) get_post_meta( $this->id, '_stand_in_items', true ), true );
			foreach ( is_array( $items ) ? $items : array() as $item ) {
				// Keyed by item id, as WC_Order::get_items() is.
				$this->items[ (int) ( $item['id'] ?? count( $this->items ) + 1 ) ] = new WC_Order_Item_Product( $item, $this->id );
			}
			foreach ( get_post_meta( $this->id ) as $key => $values ) {
				$this->meta[ $key ]        = maybe_unserialize( $values[0] );
				$this->meta_stored[ $key ] = true;
			}
		}
	}

	public function get_id() { return $this->id; }
	public function get_order_number() { return (string) $this->id; }
	public function get_status() { return $this->status; }
	public function get_items( $types = 'line_item' ) { return $this->items; }
	public function get_item( $item_id, $load_from_db = true ) { return $this->items[ (int) $item_id ] ?? false; }
	public function get_meta( $key = '', $single = true ) { return array_key_exists( $key, $this->meta ) ? $this->meta[ $key ] : ''; }
	public function update_meta_data( $key, $value ) { $this->meta[ $key ] = $value; $this->meta_changes[ $key ] = $value; }
	public function delete_meta_data( $key ) { unset( $this->meta[ $key ] ); $this->meta_changes[ $key ] = null; }
	// Like WooCommerce's data stores: a key the object did not load is added (one INSERT), a loaded one updated.
	public function save_meta_data() {
		foreach ( $this->meta_changes as $key => $value ) {
			if ( null === $value ) {
				delete_post_meta( $this->id, $key );
				unset( $this->meta_stored[ $key ] );
			} elseif ( isset( $this->meta_stored[ $key ] ) ) {
				update_post_meta( $this->id, $key, $value );
			} else {
				add_post_meta( $this->id, $key, $value );
				$this->meta_stored[ $key ] = true;
			}
		}
		$this->meta_changes = array();
	}
	public function get_data_store() { return null; }
	// WC_Order::get_date_created(): a WC_DateTime (a DateTime) of when the order was made.
	public function get_date_created( $context = 'view' ) {
		$gmt = $this->id ? (string) get_post_field( 'post_date_gmt', $this->id ) : '';
		return '' === $gmt ? null : new WC_DateTime( $gmt, new DateTimeZone( 'UTC' ) );
	}
	// WC_Order::get_order_stock_reduced() (WooCommerce 7.0+): whether WooCommerce has taken the
	// order's units off its stock, the flag wc_maybe_reduce/increase_stock_levels() keep in
	// _order_stock_reduced (posts storage).
	public function get_order_stock_reduced( $context = 'view' ) {
		return in_array( strtolower( (string) $this->get_meta( '_order_stock_reduced' ) ), array( 'yes', 'true', '1' ), true );
	}
	public function needs_payment() { return in_array( $this->status, array( 'pending', 'failed' ), true ); }
	// Where the order was made: 'checkout' (WC_Checkout), 'store-api' (block checkout), 'admin',
	// 'rest-api', or '' (wc_create_order() without it), kept in _created_via (posts storage).
	public function get_created_via( $context = 'view' ) { return (string) $this->get_meta( '_created_via' ); }
	public function set_created_via( $value ) { $this->update_meta_data( '_created_via', (string) $value ); }

	public function add_product( $product, $qty = 1 ) {
		// Item ids are unique across the site, as WooCommerce's order item table gives them.
		$id = (int) get_option( 'stand_in_order_item_id', 0 ) + 1;
		update_option( 'stand_in_order_item_id', $id, false );
		$this->items[ $id ] = new WC_Order_Item_Product(
			array(
				'id'           => $id,
				'product_id'   => $product->is_type( 'variation' ) ? $product->get_parent_id() : $product->get_id(),
				'variation_id' => $product->is_type( 'variation' ) ? $product->get_id() : 0,
				'qty'          => (int) $qty,
				'name'         => $product->get_name(),
			),
			$this->id
		);
		return $id;
	}

	public function set_status( $new_status ) {
		$new_status = 0 === strpos( $new_status, 'wc-' ) ? substr( $new_status, 3 ) : $new_status;
		if ( $new_status !== $this->status ) {
			$this->status_from = $this->status_from ?? $this->status;
			$this->status      = $new_status;
		}
	}

	public function save() {
		$items = wp_json_encode( array_values( array_map( static fn( $i ) => $i->to_array(), $this->items ) ) );
		if ( ! $this->id ) {
			$this->id = (int) wp_insert_post( array( 'post_type' => 'shop_order', 'post_status' => 'wc-' . $this->status, 'post_title' => 'Order' ) );
			foreach ( $this->items as $item ) {
				$item->set_order_id( $this->id );
			}
		} else {
			wp_update_post( array( 'ID' => $this->id, 'post_status' => 'wc-' . $this->status ) );
		}
		update_post_meta( $this->id, '_stand_in_items', wp_slash( $items ) );
		$this->save_meta_data();
		$this->status_transition();
		return $this->id;
	}

	public function delete( $force_delete = false ) {
		$id = $this->id;
		if ( ! $id ) {
			return false;
		}
		if ( $force_delete ) {
			do_action( 'woocommerce_before_delete_order', $id, $this );
			wp_delete_post( $id );
			$this->id = 0;
			do_action( 'woocommerce_delete_order', $id );
		} else {
			do_action( 'woocommerce_before_trash_order', $id, $this );
			wp_trash_post( $id );
			$this->status = 'trash';
			do_action( 'woocommerce_trash_order', $id );
		}
		return true;
	}

	public function update_status( $new_status, $note = '', $manual = false ) {
		$this->set_status( $new_status );
		$this->save();
		return true;
	}

	public function payment_complete( $transaction_id = '' ) {
		if ( ! $this->needs_payment() ) {
			return false;
		}
		$this->set_status( 'processing' );
		$this->save();
		do_action( 'woocommerce_payment_complete', $this->id, $transaction_id );
		return true;
	}

	private function status_transition() {
		if ( null === $this->status_from ) {
			return;
		}
		$from              = $this->status_from;
		$to                = $this->status;
		$this->status_from = null;
		do_action( 'woocommerce_order_status_' . $to, $this->id, $this );
		do_action( 'woocommerce_order_status_' . $from . '_to_' . $to, $this->id, $this );
		do_action( 'woocommerce_order_status_changed', $this->id, $from, $to, $this );
	}
}

function wc_get_order( $the_order = false ) {
	$id = is_object( $the_order ) ? $the_order->get_id() : (int) $the_order;
	try {
		return $id ? new WC_Order( $id ) : false;
	} catch ( Exception $e ) {
		return false;
	}
}

/**
 * wc_get_orders(): ids or orders of type shop_order, with 'limit', 'return' and 'meta_query' (as
 * WP_Query takes it). 'date_modified' is not applied: these stand-ins do not keep it.
 */
function wc_get_orders( $args = array() ) {
	$ids = get_posts(
		array(
			'post_type'   => 'shop_order',
			'post_status' => array_keys( get_post_stati() ), // Every order status, as wc_get_orders() takes them by default.
			'fields'      => 'ids',
			'numberposts' => (int) ( $args['limit'] ?? -1 ),
			'meta_query'  => $args['meta_query'] ?? array(),
		)
	);
	return 'ids' === ( $args['return'] ?? 'objects' ) ? array_map( 'intval', $ids ) : array_map( 'wc_get_order', $ids );
}

function wc_create_order( $args = array() ) {
	$order = new WC_Order();
	$order->set_status( $args['status'] ?? 'pending' );
	if ( isset( $args['created_via'] ) ) {
		$order->set_created_via( $args['created_via'] );
	}
	return $order;
}

function wc_reduce_stock_levels( $order_id ) {
	$order = is_object( $order_id ) ? $order_id : wc_get_order( $order_id );
	if ( ! $order || 'yes' !== get_option( 'woocommerce_manage_stock' ) || ! apply_filters( 'woocommerce_can_reduce_order_stock', true, $order ) ) {
		return;
	}
	foreach ( $order->get_items() as $item ) {
		$product = $item->get_product();
		if ( $product && $product->managing_stock() && ! $item->get_meta( '_reduced_stock' ) ) {
			wc_update_product_stock( $product, $item->get_quantity(), 'decrease' );
			// What the item took off; restores and refund restocks go by it (WooCommerce 3.5+).
			$item->update_meta_data( '_reduced_stock', $item->get_quantity() );
			$item->save();
		}
	}
	do_action( 'woocommerce_reduce_order_stock', $order );
}

function wc_increase_stock_levels( $order_id ) {
	$order = is_object( $order_id ) ? $order_id : wc_get_order( $order_id );
	if ( ! $order || 'yes' !== get_option( 'woocommerce_manage_stock' ) || ! apply_filters( 'woocommerce_can_restore_order_stock', true, $order ) ) {
		return;
	}
	foreach ( $order->get_items() as $item ) {
		$product = $item->get_product();
		$reduced = (int) $item->get_meta( '_reduced_stock' );
		if ( $product && $product->managing_stock() && $reduced ) {
			wc_update_product_stock( $product, $reduced, 'increase' );
			$item->delete_meta_data( '_reduced_stock' );
			$item->save();
		}
	}
	do_action( 'woocommerce_restore_order_stock', $order );
}

function wc_maybe_reduce_stock_levels( $order_id ) {
	$order = wc_get_order( $order_id );
	if ( ! $order || $order->get_meta( '_order_stock_reduced' ) ) {
		return;
	}
	wc_reduce_stock_levels( $order );
	$order->update_meta_data( '_order_stock_reduced', 'yes' );
	$order->save_meta_data();
}

function wc_maybe_increase_stock_levels( $order_id ) {
	$order = wc_get_order( $order_id );
	if ( ! $order || ! $order->get_meta( '_order_stock_reduced' ) ) {
		return;
	}
	wc_increase_stock_levels( $order );
	$order->delete_meta_data( '_order_stock_reduced' );
	$order->save_meta_data();
}

// Where WooCommerce hooks them (includes/wc-stock-functions.php).
add_action( 'woocommerce_payment_complete', 'wc_maybe_reduce_stock_levels' );
add_action( 'woocommerce_order_status_completed', 'wc_maybe_reduce_stock_levels' );
add_action( 'woocommerce_order_status_processing', 'wc_maybe_reduce_stock_levels' );
add_action( 'woocommerce_order_status_on-hold', 'wc_maybe_reduce_stock_levels' );
add_action( 'woocommerce_order_status_cancelled', 'wc_maybe_increase_stock_levels' );
add_action( 'woocommerce_order_status_pending', 'wc_maybe_increase_stock_levels' );
