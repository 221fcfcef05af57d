<?php
/**
 * Onboarding import: sends the current quantity of every stock-managed product and variation
 * to the companion as absolute sets (stock.adjusted, reason "import") in signed batches.
 * Progress is kept in an option after every acknowledged batch, so an interrupted import
 * resumes where it stopped; event ids are per run and product, so a repeated batch is a
 * duplicate, and running the whole import again just sets the same quantities again.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

// phpcs:disable WordPress.DB.DirectDatabaseQuery -- paging products by id needs a plain query.

/**
 * The import.
 */
final class Importer {

	public const OPTION       = 'stockline_import';
	public const HOOK         = 'stockline_import_step';
	public const BATCH        = 50;
	public const MAX_FAILURES = 5;

	/**
	 * Hooks the background step.
	 */
	public static function register(): void {
		add_action( self::HOOK, array( self::class, 'run_scheduled' ) );
	}

	/**
	 * Progress for the admin page.
	 *
	 * @return array<string, mixed>
	 */
	public static function progress(): array {
		$s = self::state();
		return array(
			'state'     => $s['state'],
			'done'      => $s['done'],
			'total'     => $s['total'],
			'errors'    => $s['errors'],
			'needsSku'  => $s['needsSku'],
			'lastError' => $s['lastError'],
			// How long a running import has not moved: it runs in the background through WP-Cron /
			// Action Scheduler, and a site that never runs them shows it stuck without a reason.
			// (An import started before progressAt existed counts from its start.)
			'idleSeconds' => 'running' === $s['state'] ? max( 0, time() - max( (int) $s['progressAt'], (int) $s['run'] ) ) : null,
		);
	}

	/**
	 * Starts (or resumes a running) import and works on it for a few seconds.
	 *
	 * @param bool $restart Start over even if one is running.
	 * @return array<string, mixed> Progress.
	 */
	public static function start( bool $restart = false ): array {
		$s = self::state();
		if ( $restart || 'running' !== $s['state'] ) {
			$s = array(
				'state'     => 'running',
				// The start time, and never the last run's: event ids are per run, and a run that
				// repeated the last one's ids would have every count answered as a duplicate.
				'run'       => (string) max( time(), (int) $s['run'] + 1 ),
				'cursor'    => 0,
				'done'      => 0,
				'total'     => self::count(),
				'errors'    => array(),
				'needsSku'  => array(),
				'failures'  => 0,
				'lastError' => null,
				'progressAt' => time(),
			);
			self::save( $s );
			Baseline::imported(); // Orders WooCommerce counted before now are in these quantities.
		}
		self::work( 5000 );
		return self::progress();
	}

	/**
	 * Background continuation.
	 */
	public static function run_scheduled(): void {
		try {
			self::work( 20000 );
		} catch ( \Throwable $e ) {
			Logger::exception( 'import step', $e );
		}
	}

	/**
	 * Runs batches until done, out of time, or the companion fails.
	 *
	 * @param int $budget_ms Time budget.
	 */
	private static function work( int $budget_ms ): void {
		if ( ! Lock::acquire( 'stockline_import_lock', 120 ) ) {
			return;
		}
		try {
			$deadline = microtime( true ) + $budget_ms / 1000;
			do {
				$s = self::state();
				if ( 'running' !== $s['state'] ) {
					return;
				}
				$more = self::step( $s );
			} while ( $more && microtime( true ) < $deadline );
			$now = self::state();
			if ( 'running' === $now['state'] ) {
				// More to do, or a batch the companion did not take: that one is tried again in 30 s
				// (up to MAX_FAILURES in a row), not left for the owner to find stuck.
				self::schedule( 0 === (int) $now['failures'] ? 0 : 30 );
			}
		} finally {
			Lock::release( 'stockline_import_lock' );
		}
	}

	/**
	 * One batch. Returns whether there is more to do right away.
	 *
	 * @param array<string, mixed> $s State.
	 */
	private static function step( array $s ): bool {
		global $wpdb;
		if ( null !== Settings::problem() ) {
			// Every batch would be refused: stop with the reason (the owner starts it again after the fix).
			$s['state']     = 'failed';
			$s['lastError'] = Settings::problem();
			self::save( $s );
			return false;
		}
		$ids = array_map(
			'intval',
			(array) $wpdb->get_col(
				$wpdb->prepare(
					"SELECT p.ID FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID AND m.meta_key = '_manage_stock' AND m.meta_value = 'yes'
					WHERE p.post_type IN ('product', 'product_variation') AND p.post_status NOT IN ('trash', 'auto-draft') AND p.ID > %d ORDER BY p.ID ASC LIMIT %d",
					(int) $s['cursor'],
					max( 1, (int) apply_filters( 'stockline_import_batch', self::BATCH ) )
				)
			)
		);
		if ( ! $ids ) {
			$s['state'] = 'done';
			self::save( $s );
			// Let the companion resolve every SKU on every channel now that it knows them. It starts
			// the check on receipt and carries on in the background (the page shows its progress),
			// so the import does not wait for the answer. For the store's tenant: the SKUs were just
			// sent there, and without it the default tenant's would be checked.
			Companion::admin( 'POST', Companion::admin_path( '/v1/mapping/refresh' ), '{}', 2000 );
			return false;
		}
		$events   = array();
		$needs    = array();
		$skus     = array();
		$products = array();
		foreach ( $ids as $id ) {
			$product = wc_get_product( $id );
			if ( ! $product || ! $product->managing_stock() ) {
				continue;
			}
			$sku = Events::sku_of( $product ); // A variation with its own stock by its own SKU, never its parent's.
			if ( '' === $sku ) {
				$needs[] = array(
					'id'   => $id,
					'name' => (string) $product->get_name(),
				);
				continue;
			}
			$event                = Events::count( Settings::site_id() . ':import:' . $s['run'] . ':' . $id, $sku, (int) $product->get_stock_quantity(), 'import' );
			$events[]             = $event;
			$skus[ $event['id'] ] = $sku;
			$products[]      = $id;
		}
		$errors = array();
		if ( $events ) {
			$res = Companion::post_events( array( 'events' => $events ), 15000 );
			if ( 200 !== $res['status'] || ! isset( $res['body']['results'] ) || ! is_array( $res['body']['results'] ) ) {
				$s['failures']  = (int) $s['failures'] + 1;
				$s['lastError'] = null !== $res['error'] ? $res['error'] : sprintf( 'HTTP %d from the companion', $res['status'] );
				if ( $s['failures'] >= self::MAX_FAILURES ) {
					$s['state'] = 'failed';
				}
				self::save( $s );
				return false;
			}
			foreach ( $res['body']['results'] as $result ) {
				if ( is_array( $result ) && 'refused' === ( $result['status'] ?? '' ) ) {
					$errors[] = array(
						'sku'     => $skus[ (string) ( $result['id'] ?? '' ) ] ?? '',
						'message' => (string) ( $result['message'] ?? $result['code'] ?? 'refused' ),
					);
				}
			}
		}
		$s['cursor']    = max( $ids );
		$s['done']      = (int) $s['done'] + count( $ids );
		$s['errors']    = array_slice( array_merge( $s['errors'], $errors ), 0, 500 );
		$s['needsSku']  = array_slice( array_merge( $s['needsSku'], $needs ), 0, 500 );
		$s['failures']  = 0;
		$s['lastError'] = null;
		$s['total']     = max( (int) $s['total'], (int) $s['done'] );
		$s['progressAt'] = time();
		self::save( $s );
		return true;
	}

	/**
	 * How many stock-managed products and variations there are.
	 */
	private static function count(): int {
		global $wpdb;
		return (int) $wpdb->get_var(
			"SELECT COUNT(*) FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID AND m.meta_key = '_manage_stock' AND m.meta_value = 'yes'
			WHERE p.post_type IN ('product', 'product_variation') AND p.post_status NOT IN ('trash', 'auto-draft')"
		);
	}

	/**
	 * Continues in the background.
	 *
	 * @param int $delay Seconds from now.
	 */
	private static function schedule( int $delay ): void {
		if ( Dispatcher::has_action_scheduler() ) {
			as_schedule_single_action( time() + $delay, self::HOOK, array(), 'stockline' );
		} elseif ( ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_single_event( time() + $delay, self::HOOK );
		}
	}

	/**
	 * Stored state with defaults.
	 *
	 * @return array<string, mixed>
	 */
	private static function state(): array {
		$s = get_option( self::OPTION, array() );
		$s = is_array( $s ) ? $s : array();
		return array_merge(
			array(
				'state'     => 'idle',
				'run'       => '',
				'cursor'    => 0,
				'done'      => 0,
				'total'     => 0,
				'errors'    => array(),
				'needsSku'  => array(),
				'failures'  => 0,
				'lastError' => null,
				'progressAt' => 0,
			),
			$s
		);
	}

	/**
	 * Saves state (not autoloaded).
	 *
	 * @param array<string, mixed> $s State.
	 */
	private static function save( array $s ): void {
		update_option( self::OPTION, $s, false );
	}
}
