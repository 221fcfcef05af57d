<?php
/**
 * Stand-ins for WooCommerce products: WC_Product, WC_Product_Variation, wc_get_product,
 * wc_get_product_id_by_sku, wc_update_product_stock, WC_Data_Store::load( 'product' )->is_existing_sku().
 * Products live where WooCommerce keeps them (posts of type product / product_variation, meta _sku, _stock, _manage_stock, _backorders), and
 * stock hooks fire the way WooCommerce fires them:
 * - save() runs as WC_Data::save() with WC_Product_Data_Store_CPT (and the variation data
 *   store): woocommerce_before_product_object_save (variations too: their object type is
 *   'product'; get_data() still holds what is stored, get_changes() the new values), the meta
 *   written, then handle_updated_props(): woocommerce_{product|variation}_set_stock when
 *   stock_quantity changed, woocommerce_product_object_updated_props with the props written,
 *   and only then apply_changes(); then woocommerce_new_product(_variation) or
 *   woocommerce_update_product(_variation) ($id, $product), then
 *   woocommerce_after_product_object_save;
 * - delete( true ) is WC_Product_Data_Store_CPT::delete() with force_delete:
 *   woocommerce_before_delete_{product|product_variation}, wp_delete_post(),
 *   woocommerce_delete_{…}; delete() without force trashes (woocommerce_trash_{…}). Deleting a
 *   product deletes its variations as WC_Post_Data::delete_post() does (on delete_post, each
 *   with woocommerce_before_delete_product_variation and wp_delete_post( $id, true ));
 * - wc_update_product_stock() writes _stock with one SQL UPDATE, re-reads the product, saves
 *   it and then fires the same action.
 */

defined( 'ABSPATH' ) || exit;

class WC_Product {
	protected int $id = 0;
	protected array $data = array(
		'name'           => '',
		'sku'            => '',
		'stock_quantity' => null,
		'manage_stock'   => false,
		'backorders'     => 'no',
		'parent_id'      => 0,
		'status'         => 'publish',
		'stock_status'   => '',
	);
	protected array $changes = array();

	public function __construct( $product = 0 ) {
		if ( is_numeric( $product ) && $product > 0 ) {
			$this->id = (int) $product;
			$this->read();
		}
	}

	protected function read(): void {
		$post = get_post( $this->id );
		if ( ! $post ) {
			throw new Exception( 'Invalid product.' );
		}
		$stock                        = get_post_meta( $this->id, '_stock', true );
		$this->data['name']           = $post->post_title;
		$this->data['status']         = $post->post_status;
		$this->data['parent_id']      = (int) $post->post_parent;
		$this->data['sku']            = (string) get_post_meta( $this->id, '_sku', true );
		$this->data['stock_quantity'] = '' === $stock ? null : (int) round( (float) $stock );
		$this->data['manage_stock']   = 'yes' === get_post_meta( $this->id, '_manage_stock', true );
		$this->data['backorders']     = (string) get_post_meta( $this->id, '_backorders', true ) ?: 'no';
	}

	public function get_id() { return $this->id; }
	/** As WC_Data::set_id(): 0 makes a clone a new product (WC_Admin_Duplicate_Product), whose save writes every prop. */
	public function set_id( $id ) {
		$this->id = (int) $id;
		if ( 0 === $this->id ) {
			$this->changes = array_merge( $this->data, $this->changes );
		}
	}
	public function get_status( $context = 'view' ) { return $this->prop( 'status' ); }
	public function set_status( $status ) { $this->set( 'status', (string) $status ); }
	public function get_type() { return 'simple'; }
	public function is_type( $type ) { return in_array( $this->get_type(), (array) $type, true ); }
	protected function prop( $key ) { return array_key_exists( $key, $this->changes ) ? $this->changes[ $key ] : $this->data[ $key ]; }
	protected function set( $key, $value ) {
		if ( $this->prop( $key ) !== $value || ! $this->id ) {
			$this->changes[ $key ] = $value;
		}
	}
	public function get_name( $context = 'view' ) { return $this->prop( 'name' ); }
	public function set_name( $name ) { $this->set( 'name', (string) $name ); }
	public function get_sku( $context = 'view' ) { return $this->prop( 'sku' ); }
	public function set_sku( $sku ) { $this->set( 'sku', (string) $sku ); }
	public function get_stock_quantity( $context = 'view' ) { return $this->prop( 'stock_quantity' ); }
	public function set_stock_quantity( $quantity ) { $this->set( 'stock_quantity', null === $quantity || '' === $quantity ? null : (int) $quantity ); }
	public function get_manage_stock( $context = 'view' ) { return $this->prop( 'manage_stock' ); }
	public function set_manage_stock( $manage ) { $this->set( 'manage_stock', (bool) $manage ); }
	public function managing_stock() { return (bool) $this->get_manage_stock(); }
	public function get_stock_managed_by_id() { return $this->get_id(); }
	public function get_parent_id( $context = 'view' ) { return $this->prop( 'parent_id' ); }
	public function set_parent_id( $id ) { $this->set( 'parent_id', (int) $id ); }
	public function get_backorders( $context = 'view' ) { return $this->prop( 'backorders' ); }
	public function set_backorders( $backorders ) { $this->set( 'backorders', in_array( $backorders, array( 'yes', 'notify' ), true ) ? $backorders : 'no' ); }
	/** As WooCommerce: 'yes' and 'notify' both let the product sell beyond its stock. */
	public function backorders_allowed() { return in_array( $this->get_backorders(), array( 'yes', 'notify' ), true ); }
	/** As WooCommerce's has_enough_stock(): always, when stock is not managed or backorders are allowed. */
	public function has_enough_stock( $quantity ) {
		return ! $this->managing_stock() || $this->backorders_allowed() || (int) $this->get_stock_quantity() >= $quantity;
	}
	/** Set by hand (WooCommerce keeps it for a product that does not manage stock). */
	public function set_stock_status( $status ) { $this->set( 'stock_status', (string) $status ); }
	public function get_stock_status( $context = 'view' ) {
		if ( ! $this->managing_stock() ) {
			$manual = $this->changes['stock_status'] ?? get_post_meta( $this->id, '_stock_status', true );
			return in_array( $manual, array( 'outofstock', 'onbackorder' ), true ) ? $manual : 'instock';
		}
		if ( (int) $this->get_stock_quantity() > 0 ) {
			return 'instock';
		}
		return $this->backorders_allowed() ? 'onbackorder' : 'outofstock';
	}
	public function get_changes() { return $this->changes; }
	/** As WC_Data::get_data(): the stored values (changes not applied yet), with the id. */
	public function get_data() { return array_merge( array( 'id' => $this->id ), $this->data ); }
	public function apply_changes() { $this->data = array_merge( $this->data, $this->changes ); $this->changes = array(); }
	public function validate_props() {}
	public function get_data_store() { return null; }
	protected function post_type() { return 'product'; }

	public function save() {
		do_action( 'woocommerce_before_product_object_save', $this, null );
		$changes = $this->changes;
		$created = ! $this->id;
		if ( $created ) {
			$this->id = (int) wp_insert_post(
				array(
					'post_type'   => $this->post_type(),
					'post_status' => $this->prop( 'status' ) ?: 'publish',
					'post_title'  => $this->get_name(),
					'post_parent' => $this->get_parent_id(),
				)
			);
		} elseif ( isset( $changes['name'] ) ) {
			wp_update_post( array( 'ID' => $this->id, 'post_title' => $changes['name'] ) );
		}
		// update_post_meta(): a prop is "updated" when its meta was written.
		$updated = array();
		if ( array_key_exists( 'sku', $changes ) ) {
			update_post_meta( $this->id, '_sku', $changes['sku'] );
			$updated[] = 'sku';
		}
		if ( array_key_exists( 'manage_stock', $changes ) ) {
			update_post_meta( $this->id, '_manage_stock', $changes['manage_stock'] ? 'yes' : 'no' );
			$updated[] = 'manage_stock';
		}
		if ( array_key_exists( 'backorders', $changes ) ) {
			update_post_meta( $this->id, '_backorders', $changes['backorders'] );
			$updated[] = 'backorders';
		}
		if ( array_key_exists( 'stock_quantity', $changes ) ) {
			update_post_meta( $this->id, '_stock', null === $changes['stock_quantity'] ? '' : wc_stock_amount( $changes['stock_quantity'] ) );
			$updated[] = 'stock_quantity';
		}
		update_post_meta( $this->id, '_stock_status', $this->get_stock_status() );
		if ( array_key_exists( 'stock_status', $changes ) ) {
			$updated[] = 'stock_status'; // WC_Product_Data_Store_CPT::handle_updated_props() then says so:
			do_action( $this->is_type( 'variation' ) ? 'woocommerce_variation_set_stock_status' : 'woocommerce_product_set_stock_status', $this->id, $this->get_stock_status(), $this );
		}
		// handle_updated_props(), before the changes are applied (get_data() is still the stored product).
		if ( in_array( 'stock_quantity', $updated, true ) ) {
			do_action( $this->is_type( 'variation' ) ? 'woocommerce_variation_set_stock' : 'woocommerce_product_set_stock', $this );
		}
		do_action( 'woocommerce_product_object_updated_props', $this, $updated );
		$this->apply_changes();
		$suffix = $this->is_type( 'variation' ) ? '_variation' : '';
		do_action( ( $created ? 'woocommerce_new_product' : 'woocommerce_update_product' ) . $suffix, $this->id, $this );
		do_action( 'woocommerce_after_product_object_save', $this, null );
		return $this->id;
	}

	/**
	 * WC_Product::delete(): permanently with $force_delete (WC_Product_Data_Store_CPT::delete()), else to the trash.
	 */
	public function delete( $force_delete = false ) {
		$id = $this->get_id();
		if ( ! $id ) {
			return false;
		}
		$type = $this->post_type();
		if ( $force_delete ) {
			do_action( 'woocommerce_before_delete_' . $type, $id );
			wp_delete_post( $id );
			$this->id = 0;
			do_action( 'woocommerce_delete_' . $type, $id );
		} else {
			wp_trash_post( $id );
			$this->data['status'] = 'trash';
			do_action( 'woocommerce_trash_' . $type, $id );
		}
		return true;
	}
}

class WC_Product_Simple extends WC_Product {}

/**
 * As WooCommerce's WC_Product_Variation: in 'view' context (the default) a variation inherits
 * from its parent what it does not set itself. get_sku() falls back to the parent's SKU when the
 * variation has none; get_sku( 'edit' ) is its own ('' when none). get_manage_stock() is 'parent'
 * when the variation does not manage stock and the parent does; then the stock quantity is the
 * parent's and get_stock_managed_by_id() names the parent, whose stock orders change.
 */
class WC_Product_Variation extends WC_Product {
	public function get_type() { return 'variation'; }
	protected function post_type() { return 'product_variation'; }
	private function parent_product() {
		return $this->get_parent_id() ? wc_get_product( $this->get_parent_id() ) : false;
	}
	public function get_sku( $context = 'view' ) {
		$sku = parent::get_sku( $context );
		if ( '' === $sku && 'view' === $context ) {
			$parent = $this->parent_product();
			return $parent ? $parent->get_sku() : '';
		}
		return $sku;
	}
	public function get_manage_stock( $context = 'view' ) {
		$manage = parent::get_manage_stock( $context );
		if ( 'view' === $context && false === $manage ) {
			$parent = $this->parent_product();
			return $parent && true === $parent->get_manage_stock( 'edit' ) ? 'parent' : false;
		}
		return $manage;
	}
	public function get_stock_quantity( $context = 'view' ) {
		if ( 'view' === $context && 'parent' === $this->get_manage_stock() ) {
			return $this->parent_product()->get_stock_quantity();
		}
		return parent::get_stock_quantity( $context );
	}
	public function get_stock_managed_by_id() {
		return 'parent' === $this->get_manage_stock() ? $this->get_parent_id() : $this->get_id();
	}
	public function get_backorders( $context = 'view' ) {
		if ( 'view' === $context && 'parent' === $this->get_manage_stock() ) {
			return $this->parent_product()->get_backorders();
		}
		return parent::get_backorders( $context );
	}
}

function wc_stock_amount( $amount ) {
	return (int) $amount;
}

function wc_get_product( $the_product = false ) {
	$id = is_object( $the_product ) ? $the_product->get_id() : (int) $the_product;
	$post = $id ? get_post( $id ) : null;
	if ( ! $post || ! in_array( $post->post_type, array( 'product', 'product_variation' ), true ) ) {
		return false;
	}
	return 'product_variation' === $post->post_type ? new WC_Product_Variation( $id ) : new WC_Product_Simple( $id );
}

function wc_get_product_id_by_sku( $sku ) {
	global $wpdb;
	return (int) $wpdb->get_var(
		$wpdb->prepare(
			"SELECT p.ID FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID AND m.meta_key = '_sku'
			WHERE p.post_type IN ('product', 'product_variation') AND p.post_status != 'trash' AND m.meta_value = %s ORDER BY p.ID DESC LIMIT 1",
			$sku
		)
	);
}

/**
 * WC_Data_Store::load( 'product' ), with the one method Stockline asks of it: is_existing_sku() as
 * WC_Product_Data_Store_CPT has it (another product or variation, not in the trash, with the SKU).
 */
class WC_Data_Store {
	public static function load( $object_type ) { return new self(); }
	public function is_existing_sku( $product_id, $sku ) {
		global $wpdb;
		return (bool) $wpdb->get_var(
			$wpdb->prepare(
				"SELECT p.ID FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID AND m.meta_key = '_sku'
				WHERE p.post_type IN ('product', 'product_variation') AND p.post_status != 'trash' AND m.meta_value = %s AND p.ID <> %d LIMIT 1",
				$sku,
				(int) $product_id
			)
		);
	}
}

/**
 * As WooCommerce does it: one UPDATE, caches cleared, product re-read and saved, action fired.
 */
function wc_update_product_stock( $product, $stock_quantity = null, $operation = 'set', $updating = false ) {
	global $wpdb;
	$product = is_object( $product ) ? $product : wc_get_product( $product );
	if ( ! $product || ! $product->managing_stock() || null === $stock_quantity ) {
		return false;
	}
	$id = $product->get_stock_managed_by_id();
	// WC_Product_Data_Store_CPT::update_product_stock(): a row to update, the new stock worked out
	// from the stored one for a relative change, and the query passed through its filter.
	add_post_meta( $id, '_stock', 0, true );
	$current = (float) $wpdb->get_var( $wpdb->prepare( "SELECT meta_value FROM {$wpdb->postmeta} WHERE post_id = %d AND meta_key = '_stock'", $id ) ); // phpcs:ignore
	switch ( $operation ) {
		case 'increase':
			$new_stock = $current + wc_stock_amount( $stock_quantity );
			$sql       = $wpdb->prepare( "UPDATE {$wpdb->postmeta} SET meta_value = meta_value + %f WHERE post_id = %d AND meta_key = '_stock'", $stock_quantity, $id );
			break;
		case 'decrease':
			$new_stock = $current - wc_stock_amount( $stock_quantity );
			$sql       = $wpdb->prepare( "UPDATE {$wpdb->postmeta} SET meta_value = meta_value - %f WHERE post_id = %d AND meta_key = '_stock'", $stock_quantity, $id );
			break;
		default:
			$new_stock = wc_stock_amount( $stock_quantity );
			$sql       = $wpdb->prepare( "UPDATE {$wpdb->postmeta} SET meta_value = %f WHERE post_id = %d AND meta_key = '_stock'", $stock_quantity, $id );
	}
	$sql = apply_filters( 'woocommerce_update_product_stock_query', $sql, $id, $new_stock, $operation );
	$wpdb->query( $sql ); // phpcs:ignore
	wp_cache_delete( $id, 'post_meta' );
	$product = wc_get_product( $id );
	$product->validate_props();
	$product->save();
	do_action( $product->is_type( 'variation' ) ? 'woocommerce_variation_set_stock' : 'woocommerce_product_set_stock', $product );
	return $product->get_stock_quantity();
}

/**
 * WC_Post_Data::delete_post() (on delete_post): a product deleted for good takes its variations
 * with it, each deleted the way WC_Product_Data_Store_CPT::delete_variations() does.
 */
add_action(
	'delete_post',
	static function ( $id ) {
		if ( 'product' !== get_post_type( $id ) ) {
			return;
		}
		$children = get_posts( array( 'post_parent' => $id, 'post_type' => 'product_variation', 'fields' => 'ids', 'post_status' => 'any', 'numberposts' => -1 ) );
		foreach ( $children as $variation_id ) {
			do_action( 'woocommerce_before_delete_product_variation', $variation_id );
			wp_delete_post( $variation_id, true );
			do_action( 'woocommerce_delete_product_variation', $variation_id );
		}
	}
);
