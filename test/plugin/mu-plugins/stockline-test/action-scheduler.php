<?php
/**
 * Stand-in for Action Scheduler's public API (as_* functions), which WooCommerce bundles.
 * Actions are kept in an option; the queue runs, like Action Scheduler's, from a WP-Cron
 * event every minute (action_scheduler_run_queue) or from the test route.
 */

defined( 'ABSPATH' ) || exit;

function stockline_test_as_actions(): array {
	return (array) get_option( 'stockline_test_as_actions', array() );
}

function stockline_test_as_save( array $actions ): void {
	update_option( 'stockline_test_as_actions', array_values( $actions ), false );
}

function as_schedule_single_action( $timestamp, $hook, $args = array(), $group = '', $unique = false ) {
	$actions   = stockline_test_as_actions();
	$id        = (int) get_option( 'stockline_test_as_next_id', 1 );
	$actions[] = array( 'id' => $id, 'hook' => $hook, 'args' => (array) $args, 'ts' => (int) $timestamp, 'interval' => 0, 'group' => $group );
	update_option( 'stockline_test_as_next_id', $id + 1, false );
	stockline_test_as_save( $actions );
	return $id;
}

function as_enqueue_async_action( $hook, $args = array(), $group = '', $unique = false ) {
	return as_schedule_single_action( time(), $hook, $args, $group );
}

function as_schedule_recurring_action( $timestamp, $interval_in_seconds, $hook, $args = array(), $group = '', $unique = false ) {
	$id      = as_schedule_single_action( $timestamp, $hook, $args, $group );
	$actions = stockline_test_as_actions();
	foreach ( $actions as &$action ) {
		if ( $action['id'] === $id ) {
			$action['interval'] = (int) $interval_in_seconds;
		}
	}
	stockline_test_as_save( $actions );
	return $id;
}

function as_has_scheduled_action( $hook, $args = null, $group = '' ) {
	foreach ( stockline_test_as_actions() as $action ) {
		if ( $action['hook'] === $hook && ( null === $args || $action['args'] === (array) $args ) && ( '' === $group || $action['group'] === $group ) ) {
			return true;
		}
	}
	return false;
}

function as_next_scheduled_action( $hook, $args = null, $group = '' ) {
	$next = false;
	foreach ( stockline_test_as_actions() as $action ) {
		if ( $action['hook'] === $hook && ( null === $args || $action['args'] === (array) $args ) ) {
			$next = false === $next ? $action['ts'] : min( $next, $action['ts'] );
		}
	}
	return $next;
}

function as_unschedule_all_actions( $hook, $args = array(), $group = '' ) {
	stockline_test_as_save( array_filter( stockline_test_as_actions(), static fn( $a ) => $a['hook'] !== $hook ) );
}

/** Runs due actions (all of them with $all), as Action Scheduler's queue runner would. */
function stockline_test_as_run( bool $all = false ): array {
	$ran = array();
	foreach ( stockline_test_as_actions() as $action ) {
		if ( ! $all && $action['ts'] > time() ) {
			continue;
		}
		$actions = array_filter( stockline_test_as_actions(), static fn( $a ) => $a['id'] !== $action['id'] );
		if ( $action['interval'] > 0 ) {
			$action['ts'] = time() + $action['interval'];
			$actions[]    = $action;
		}
		stockline_test_as_save( $actions );
		do_action_ref_array( $action['hook'], $action['args'] );
		$ran[] = $action['hook'];
	}
	return $ran;
}

add_action( 'action_scheduler_run_queue', 'stockline_test_as_run' );
add_action(
	'init',
	static function () {
		if ( ! wp_next_scheduled( 'action_scheduler_run_queue' ) ) {
			wp_schedule_event( time(), 'hourly', 'action_scheduler_run_queue' );
		}
	}
);
