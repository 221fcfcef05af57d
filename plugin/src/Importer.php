<?php
/**
 * Onboarding import: sends the current quantity of every stock-managed product and variation
 * to the companion as absolute sets (stock.adjusted, reason "import") in signed batches.
 * Progress is kept in an option after every acknowledged batch, so an interrupted import
 * resumes where it stopped; event ids are per run and product, so a repeated batch is a
 * duplicate, and running the whole import again just sets the same quantities again.
 *
 * An import fills one tenant's ledger: the one the store was on when it ran. Each import
 * records that tenant and how many tenant changes the plugin had seen by then (TenantWatch).
 * Once the store moves to another tenant (the settings screen, or another STOCKLINE_TENANT in
 * wp-config.php), even back to the first one, the import no longer holds for the store's
 * tenant: that ledger never had this store's stock, or missed the sales made meanwhile. The
 * admin page is then told the store has no import for its tenant, and why, so the owner runs
 * it again; a running one stops sending.
 *
 * Importing again for the tenant the last finished import was for (the page says it is safe to
 * run again) does not send a product whose stock is the number Stockline last wrote there
 * (StockWriter::is_own_number()): that number is the companion's own push (0 for a paused or
 * oversold SKU, available less a buffer), not the merchant's count, and sending it back as the
 * count wiped a paused SKU's units, hid an oversell and lost every buffer. The ledger keeps its
 * count of those products (`leftToLedger` says how many); every other product is counted as on
 * a first import. A first import, or one after the store moved tenant, counts every product:
 * it is the explicit reset.
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
		// Every request that may send a store change notices a changed STOCKLINE_TENANT, so a
		// store moved to another tenant and back before anyone opened the admin page is still
		// seen to have moved. Two autoloaded options read; a write only when the tenant changed.
		add_action( 'init', array( TenantWatch::class, 'observe' ), 1 );
	}

	/**
	 * Progress for the admin page.
	 *
	 * @return array<string, mixed>
	 */
	public static function progress(): array {
		$s = self::current();
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
			// The store's tenant, the tenant the last import ran for (null: none yet), and whether
			// that import stopped counting because the store moved tenant since (the page says why).
			'tenant'        => Settings::tenant(),
			'importedFor'   => $s['importedFor'],
			'tenantChanged' => $s['tenantChanged'],
			// A re-import for the tenant of the last finished import, and how many products it left
			// to the ledger because their stock is Stockline's own last push (see the class comment).
			'reimport'      => (bool) $s['reimport'],
			'leftToLedger'  => (int) $s['leftToLedger'],
			// When the shown run started and, once done, finished (ISO 8601, UTC): figures of a
			// months-old import read as today's without them.
			'startedAt'     => (int) $s['run'] > 0 ? gmdate( 'c', (int) $s['run'] ) : null,
			'finishedAt'    => 'done' === $s['state'] && ! empty( $s['finishedAt'] ) ? gmdate( 'c', (int) $s['finishedAt'] ) : null,
		);
	}

	/**
	 * Starts (or resumes a running) import and works on it for a few seconds.
	 *
	 * @param bool $restart Start over even if one is running.
	 * @return array<string, mixed> Progress.
	 */
	public static function start( bool $restart = false ): array {
		$s = self::current();
		if ( $restart || 'running' !== $s['state'] ) {
			$seen     = TenantWatch::observe();
			$finished = self::last_finished( self::state() );
			$s        = array(
				'state'     => 'running',
				'tenant'    => $seen['tenant'],
				'changes'   => $seen['changes'],
				// The last finished import was for this tenant, with no tenant change since: its
				// ledger has the store's stock, and knows better than Stockline's own pushes.
				'reimport'     => null !== $finished && TenantWatch::still_counts( $finished['tenant'], $finished['changes'], $seen ),
				'leftToLedger' => 0,
				'finished'     => $finished,
				// The start time, and never the last run's: event ids are per run, and a run that
				// repeated the last one's ids would have every count answered as a duplicate.
				'run'       => (string) max( time(), (int) self::state()['run'] + 1 ),
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
				$s = self::current(); // Not for the store's tenant any more: stop sending.
				if ( 'running' !== $s['state'] ) {
					return;
				}
				$more = self::step( $s );
			} while ( $more && microtime( true ) < $deadline );
			$now = self::current();
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
			$s['state']      = 'done';
			$s['finishedAt'] = time();
			$s['finished']   = array(
				'tenant'  => null !== $s['tenant'] ? (string) $s['tenant'] : null,
				'changes' => (int) $s['changes'],
			);
			self::save( $s );
			// Let the companion resolve every SKU on every channel now that it knows them. It starts
			// the check on receipt and carries on in the background (the page shows its progress),
			// so the import does not wait for the answer (for the store's tenant, where the SKUs were
			// just sent: Companion::admin()).
			Companion::admin( 'POST', '/v1/mapping/refresh', '{}', 2000 );
			return false;
		}
		$events = array();
		$needs  = array();
		$skus   = array();
		$left   = 0;
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
			$quantity = $product->get_stock_quantity();
			if ( $s['reimport'] && StockWriter::is_own_number( $id, null === $quantity ? null : (int) $quantity ) ) {
				++$left; // Stockline's own push, not the merchant's count: the ledger's stands.
				continue;
			}
			if ( $s['reimport'] && null !== $quantity && (int) $quantity < 0 ) {
				// Below 0: units sold on backorder and still owed, which the ledger holds as its oversell.
				// Sent as a count of 0 free, it forgot them: a re-test's receipt of 5 then put 5 on sale
				// where 3 were free.
				++$left;
				continue;
			}
			$event                = Events::count( Settings::site_id() . ':import:' . $s['run'] . ':' . $id, $sku, (int) $quantity, 'import' );
			$events[]             = $event;
			$skus[ $event['id'] ] = $sku;
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
		$s['leftToLedger'] = (int) $s['leftToLedger'] + $left;
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
	 * The import as it stands for the store's tenant now: the stored one, or, when it ran for
	 * the store before a tenant change, none (idle) with `importedFor` naming the tenant it ran
	 * for and `tenantChanged` set. Products without a SKU are the store's, whatever the tenant.
	 *
	 * @return array<string, mixed>
	 */
	private static function current(): array {
		$s = self::state();
		if ( 'idle' === $s['state'] ) {
			return $s + array(
				'importedFor'   => null,
				'tenantChanged' => false,
			);
		}
		$seen = TenantWatch::observe();
		// An import from before tenants were recorded: for the tenant first seen (see TenantWatch::observe()).
		$for = null !== $s['tenant'] ? (string) $s['tenant'] : null;
		if ( TenantWatch::still_counts( $for, (int) $s['changes'], $seen ) ) {
			return $s + array(
				'importedFor'   => $for ?? $seen['tenant'],
				'tenantChanged' => false,
			);
		}
		return array_merge(
			self::defaults(),
			array(
				'needsSku'      => $s['needsSku'],
				'importedFor'   => $for,
				'tenantChanged' => true,
			)
		);
	}

	/**
	 * The tenant and tenant-change count of the last import that finished, or null when none did
	 * (an import stored before `finished` was kept counts when it is done).
	 *
	 * @param array<string, mixed> $s Stored state.
	 * @return array{tenant: string|null, changes: int}|null
	 */
	private static function last_finished( array $s ): ?array {
		if ( is_array( $s['finished'] ) ) {
			return array(
				'tenant'  => isset( $s['finished']['tenant'] ) ? (string) $s['finished']['tenant'] : null,
				'changes' => (int) ( $s['finished']['changes'] ?? 0 ),
			);
		}
		if ( 'done' === $s['state'] ) {
			return array(
				'tenant'  => null !== $s['tenant'] ? (string) $s['tenant'] : null,
				'changes' => (int) $s['changes'],
			);
		}
		return null;
	}

	/**
	 * An import that never ran.
	 *
	 * @return array<string, mixed>
	 */
	private static function defaults(): array {
		return array(
			'state'      => 'idle',
			'tenant'     => null,
			'changes'    => 0,
			'run'        => '',
			'cursor'     => 0,
			'done'       => 0,
			'total'      => 0,
			'errors'     => array(),
			'needsSku'   => array(),
			'failures'   => 0,
			'lastError'  => null,
			'progressAt' => 0,
			'finishedAt' => 0,
			'reimport'     => false,
			'leftToLedger' => 0,
			// The last import that finished: {tenant, changes}, kept across runs (last_finished()).
			'finished'     => null,
		);
	}

	/**
	 * Stored state with defaults.
	 *
	 * @return array<string, mixed>
	 */
	private static function state(): array {
		$s = get_option( self::OPTION, array() );
		$s = is_array( $s ) ? $s : array();
		return array_merge( self::defaults(), $s );
	}

	/**
	 * Saves state (not autoloaded).
	 *
	 * @param array<string, mixed> $s State.
	 */
	private static function save( array $s ): void {
		unset( $s['importedFor'], $s['tenantChanged'] ); // Worked out on reading (current()), not kept.
		update_option( self::OPTION, $s, false );
	}
}
