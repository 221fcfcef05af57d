<?php
/**
 * Delivers the outbox to the companion after the response: on `shutdown` when this request
 * stored events, and from Action Scheduler (when WooCommerce provides it) or WP-Cron every
 * minute and at the next retry time. Oldest first, in batches (Sender sends one and settles
 * its rows); a batch that cannot be delivered (network, 5xx, auth) stops the run so later
 * events never overtake earlier ones, and retries back off exponentially (at most a minute, the
 * recurring drain's interval). While backing off, a request that stored new events still tries
 * once the last attempt is PROBE_SECONDS old, so sales reach a companion that came back within
 * seconds, not at the next retry; the lock keeps that to one request at a time. Nothing is sent
 * while the settings have a problem every event would be refused for (Settings::problem()).
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Outbox delivery.
 */
final class Dispatcher {

	public const HOOK        = 'stockline_drain';
	public const STATE       = 'stockline_delivery';
	public const LOCK        = 'stockline_drain_lock';
	public const SCHEDULE_CHECK = 'stockline_schedule_checked';
	public const BATCH       = 100;
	/** Longest back-off between scheduled attempts (seconds): the recurring drain's interval. */
	public const MAX_BACKOFF = 60;
	/** While backing off, new events try again once the last attempt is this old (filter `stockline_probe_seconds`). */
	public const PROBE_SECONDS = 5;
	/** Days delivered outbox rows are kept (filter `stockline_outbox_retention_days`; 0 keeps them all). */
	public const RETENTION_DAYS = 30;
	/** The companion answered a call this request made (the checkout guard): it is up. */
	private static bool $answered = false;

	/** Whether the companion failed to answer a call of this request in time (companion_unanswered()). */
	private static bool $unanswered = false;
	/** Transient set while delivered rows need no pruning (see prune_history). */
	public const PRUNED = 'stockline_outbox_pruned';

	/**
	 * Hooks delivery into WordPress.
	 */
	public static function register(): void {
		add_action( 'shutdown', array( self::class, 'on_shutdown' ), 100 );
		add_action( self::HOOK, array( self::class, 'run_scheduled' ) );
		add_filter( 'cron_schedules', array( self::class, 'cron_schedules' ) );
		add_action( 'init', array( self::class, 'ensure_schedule' ), 20 );
	}

	/**
	 * Adds a one-minute WP-Cron schedule.
	 *
	 * @param array<string, array<string, mixed>> $schedules Known schedules.
	 * @return array<string, array<string, mixed>>
	 */
	public static function cron_schedules( $schedules ): array {
		$schedules                  = is_array( $schedules ) ? $schedules : array();
		$schedules['stockline_minute'] = array(
			'interval' => 60,
			'display'  => __( 'Every minute (Stockline)', 'stockline' ),
		);
		return $schedules;
	}

	/**
	 * A recurring drain, so events left by a failed attempt go out without new traffic.
	 */
	public static function ensure_schedule(): void {
		try {
			// Asking Action Scheduler costs a query; do it every ten minutes, or when the
			// mechanism changed (WooCommerce activated or deactivated), not on every page load.
			$mechanism = self::has_action_scheduler() ? 'action-scheduler' : 'wp-cron';
			$checked   = get_option( self::SCHEDULE_CHECK, array() );
			if ( is_array( $checked ) && ( $checked['mechanism'] ?? '' ) === $mechanism && (int) ( $checked['at'] ?? 0 ) > time() - 600 ) {
				return;
			}
			update_option(
				self::SCHEDULE_CHECK,
				array(
					'mechanism' => $mechanism,
					'at'        => time(),
				),
				true
			);
			if ( 'action-scheduler' === $mechanism ) {
				if ( ! as_has_scheduled_action( self::HOOK, array(), 'stockline' ) ) {
					as_schedule_recurring_action( time() + 60, 60, self::HOOK, array(), 'stockline' );
				}
				wp_clear_scheduled_hook( self::HOOK );
			} elseif ( ! wp_next_scheduled( self::HOOK ) ) {
				wp_schedule_event( time() + 60, 'stockline_minute', self::HOOK );
			}
		} catch ( \Throwable $e ) {
			Logger::exception( 'scheduling delivery', $e );
		}
	}

	/**
	 * Called when the companion answered a call of this request (the checkout guard's hold): if
	 * earlier events wait in a back-off, this request's shutdown delivers them now.
	 */
	public static function companion_answered(): void {
		self::$answered = true;
	}

	/**
	 * Called when the companion did not answer a call of this request in time (the checkout
	 * guard failed open): without fastcgi_finish_request() the shopper would wait for this
	 * request's delivery as well, up to its whole budget, for an answer just seen not to come
	 * (a trial's checkout took 3 s with the companion frozen). The scheduled drain delivers it.
	 */
	public static function companion_unanswered(): void {
		self::$unanswered = true;
	}

	/**
	 * After the response: deliver what this request stored, and what waits in a back-off when the
	 * companion just answered this request.
	 */
	public static function on_shutdown(): void {
		try {
			if ( ! Settings::is_configured() ) {
				return;
			}
			$catch_up = self::$answered && self::state()['failures'] > 0;
			if ( 0 === Outbox::$added && ! $catch_up ) {
				return;
			}
			// Under PHP-FPM the visitor already has the page; elsewhere this runs before the
			// connection closes, which is why the budget is small.
			if ( function_exists( 'fastcgi_finish_request' ) && ! headers_sent() ) {
				fastcgi_finish_request();
			} elseif ( self::$unanswered ) {
				return;
			}
			self::drain( (int) apply_filters( 'stockline_shutdown_budget_ms', 2000 ), $catch_up, true );
		} catch ( \Throwable $e ) {
			Logger::exception( 'delivery on shutdown', $e );
		}
	}

	/**
	 * Scheduled run (Action Scheduler or WP-Cron).
	 */
	public static function run_scheduled(): void {
		try {
			Lock::prune( Rest\StockEndpoint::SEEN_PREFIX );
			self::drain( 20000 );
			self::prune_history();
		} catch ( \Throwable $e ) {
			Logger::exception( 'scheduled delivery', $e );
		}
	}

	/**
	 * Delivered rows are only history (the companion's audit has it all): a month is kept by
	 * default. Finding the old ones reads the delivered rows, so it runs at most once an hour
	 * (a day's rows age past the window once a day), and at once again while a run found a full batch.
	 */
	private static function prune_history(): void {
		if ( get_transient( self::PRUNED ) ) {
			return;
		}
		$deleted = Outbox::prune_delivered( (int) apply_filters( 'stockline_outbox_retention_days', self::RETENTION_DAYS ) );
		if ( $deleted < Outbox::PRUNE_BATCH ) {
			set_transient( self::PRUNED, 1, HOUR_IN_SECONDS );
		}
	}

	/**
	 * Sends pending events until none are left, the time budget is spent, or the companion
	 * cannot take them.
	 *
	 * @param int  $budget_ms Wall-clock budget.
	 * @param bool $force     Ignore the back-off (an admin's "retry now").
	 * @param bool $fresh     This request stored new events: try despite the back-off once the
	 *                        last attempt is PROBE_SECONDS old (the companion may be back).
	 * @return array{sent:int, delivered:int, failed:int, error:?string}
	 */
	public static function drain( int $budget_ms, bool $force = false, bool $fresh = false ): array {
		$summary = array(
			'sent'      => 0,
			'delivered' => 0,
			'failed'    => 0,
			'error'     => null,
		);
		if ( ! Settings::is_configured() ) {
			// Events wait in the outbox; sent now, each would be refused and set aside.
			$summary['error'] = Settings::problem() ?? 'not configured';
			return $summary;
		}
		$state = self::state();
		$probe_after = $state['lastAttemptAt'] + max( 0, (int) apply_filters( 'stockline_probe_seconds', self::PROBE_SECONDS ) );
		if ( ! $force && $state['nextAttemptAt'] > time() && ! ( $fresh && $probe_after <= time() ) ) {
			$summary['error'] = 'backing off';
			return $summary;
		}
		if ( ! Lock::acquire( self::LOCK, 60 ) ) {
			$summary['error'] = 'another delivery is running';
			return $summary;
		}
		try {
			$deadline = hrtime( true ) + $budget_ms * 1000000;
			while ( hrtime( true ) < $deadline ) {
				$rows = Outbox::pending( self::BATCH );
				if ( ! $rows ) {
					break;
				}
				$left  = (int) max( 200, ( $deadline - hrtime( true ) ) / 1000000 );
				$error = Sender::send( $rows, min( 10000, $left ), $summary );
				if ( null !== $error ) {
					$summary['error'] = $error;
					self::failed( $error );
					break;
				}
				self::succeeded();
			}
		} finally {
			Lock::release( self::LOCK );
		}
		return $summary;
	}

	/**
	 * Records a failed run and schedules the next attempt: min(base · 2^(n−1), MAX_BACKOFF).
	 *
	 * @param string $error Why.
	 */
	private static function failed( string $error ): void {
		$state    = self::state();
		$failures = $state['failures'] + 1;
		$base     = max( 0, (int) apply_filters( 'stockline_retry_base_seconds', 5 ) );
		$delay    = (int) min( self::MAX_BACKOFF, $base * ( 2 ** min( 16, $failures - 1 ) ) );
		update_option(
			self::STATE,
			array(
				'failures'      => $failures,
				'nextAttemptAt' => time() + $delay,
				'lastAttemptAt' => time(),
				'lastError'     => $error,
				'lastSuccessAt' => $state['lastSuccessAt'],
			),
			false
		);
		self::schedule_retry( time() + $delay );
		Logger::log( 'warning', sprintf( 'Delivery to the companion failed (%s); retrying in %d s.', $error, $delay ) );
	}

	/**
	 * Clears the back-off after a delivered batch.
	 */
	private static function succeeded(): void {
		update_option(
			self::STATE,
			array(
				'failures'      => 0,
				'nextAttemptAt' => 0,
				'lastAttemptAt' => time(),
				'lastError'     => null,
				'lastSuccessAt' => time(),
			),
			false
		);
	}

	/**
	 * One-off drain at a given time, in addition to the recurring one.
	 *
	 * @param int $when Unix seconds.
	 */
	private static function schedule_retry( int $when ): void {
		if ( self::has_action_scheduler() ) {
			as_schedule_single_action( $when, self::HOOK, array( 'retry' ), 'stockline' );
		} elseif ( ! wp_next_scheduled( self::HOOK, array( 'retry' ) ) ) {
			wp_schedule_single_event( $when, self::HOOK, array( 'retry' ) );
		}
	}

	/**
	 * Delivery state (back-off).
	 *
	 * @return array{failures:int, nextAttemptAt:int, lastAttemptAt:int, lastError:?string, lastSuccessAt:int}
	 */
	public static function state(): array {
		$state = get_option( self::STATE, array() );
		$state = is_array( $state ) ? $state : array();
		return array(
			'failures'      => (int) ( $state['failures'] ?? 0 ),
			'nextAttemptAt' => (int) ( $state['nextAttemptAt'] ?? 0 ),
			'lastAttemptAt' => (int) ( $state['lastAttemptAt'] ?? 0 ),
			'lastError'     => isset( $state['lastError'] ) ? (string) $state['lastError'] : null,
			'lastSuccessAt' => (int) ( $state['lastSuccessAt'] ?? 0 ),
		);
	}

	/**
	 * Whether WooCommerce's Action Scheduler is loaded.
	 */
	public static function has_action_scheduler(): bool {
		return function_exists( 'as_schedule_single_action' ) && function_exists( 'as_has_scheduled_action' ) && function_exists( 'as_schedule_recurring_action' );
	}
}
