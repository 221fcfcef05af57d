<?php
/**
 * Stand-in for the Store API's RouteException (WooCommerce's block checkout): an error with its
 * own code, message and HTTP status, which the Store API answers to the shopper.
 */

namespace Automattic\WooCommerce\StoreApi\Exceptions;

defined( 'ABSPATH' ) || exit;

class RouteException extends \Exception {
	public string $error_code;
	public array $additional_data;
	public function __construct( $error_code, $message, $http_status_code = 400, $additional_data = array() ) {
		$this->error_code      = $error_code;
		$this->additional_data = $additional_data;
		parent::__construct( $message, $http_status_code );
	}
	public function getErrorCode() { return $this->error_code; }
	public function getAdditionalData() { return $this->additional_data; }
}
