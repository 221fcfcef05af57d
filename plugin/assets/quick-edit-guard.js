/**
 * Stockline: when a row's Quick Edit opens on the Products list, put the stock the form is filled
 * with into the hidden _stockline_original_stock field (Hooks/QuickEditGuard.php). WooCommerce's
 * quick-edit.js fills the form's _stock from the same inline data (#woocommerce_inline_<id>
 * .stock); the save then compares this number with the product's stock at that moment, so a sale
 * that landed while the form was open is not overwritten.
 *
 * Delegated on #the-list like WooCommerce's and WordPress's own handlers; whichever of them runs
 * first, every .inline-edit-row (the template and the open copy) gets the number.
 */
/* global jQuery */
jQuery( function ( $ ) {
	$( '#the-list' ).on( 'click', '.editinline', function () {
		var row = $( this ).closest( 'tr' ).attr( 'id' ) || '';
		var id = row.replace( 'post-', '' );
		var stock = $( '#woocommerce_inline_' + id ).find( '.stock' ).text();
		$( 'input[name="_stockline_original_stock"]', '.inline-edit-row' ).val( stock );
	} );
} );
