<?php
/**
 * Which tenant the store is on, and how many times that has changed: an import fills the
 * ledger of the tenant the store was on when it ran (Importer), and once the store moves to
 * another tenant (the settings screen, or another STOCKLINE_TENANT in wp-config.php), even back
 * to the first one, that import no longer counts for the store.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * The store's tenant changes, counted.
 */
final class TenantWatch {

	/** The tenant the plugin last saw the store on, and how many times that has changed (autoloaded). */
	public const OPTION = 'stockline_tenant_seen';

	/**
	 * The store's tenant as last seen, and how many tenant changes the plugin has seen; a change
	 * since the last look is counted now.
	 *
	 * @return array{tenant: string, changes: int}
	 */
	public static function observe(): array {
		$tenant = Settings::tenant();
		$seen   = get_option( self::OPTION, null );
		if ( ! is_array( $seen ) || ! isset( $seen['tenant'] ) ) {
			// First look (a new install, or one from before this was kept): nothing to compare with;
			// an import already done is taken to be for the tenant the store is on now.
			$seen = array(
				'tenant'  => $tenant,
				'changes' => 0,
			);
			update_option( self::OPTION, $seen, true );
		} elseif ( (string) $seen['tenant'] !== $tenant ) {
			$seen = array(
				'tenant'  => $tenant,
				'changes' => (int) ( $seen['changes'] ?? 0 ) + 1,
			);
			update_option( self::OPTION, $seen, true );
		}
		return array(
			'tenant'  => (string) $seen['tenant'],
			'changes' => (int) ( $seen['changes'] ?? 0 ),
		);
	}

	/**
	 * Whether an import run for $tenant (null: from before tenants were recorded, taken to be the
	 * first one seen) when the plugin had seen $changes tenant changes still counts for the store.
	 *
	 * @param string|null                         $tenant  The import's tenant.
	 * @param int                                 $changes Tenant changes seen when it ran.
	 * @param array{tenant: string, changes: int} $seen    observe().
	 */
	public static function still_counts( ?string $tenant, int $changes, array $seen ): bool {
		return ( null === $tenant || $tenant === $seen['tenant'] ) && $changes === $seen['changes'];
	}
}
