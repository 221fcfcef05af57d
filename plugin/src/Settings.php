<?php
/**
 * Stockline's settings: options from the settings screen, overridden by wp-config.php
 * constants (STOCKLINE_COMPANION_URL, STOCKLINE_SECRET, STOCKLINE_ADMIN_TOKEN, STOCKLINE_TENANT)
 * so deployments can pin them. Secrets are write-only: nothing here returns them to a page.
 *
 * @package Stockline
 */

declare( strict_types = 1 );

namespace Stockline;

defined( 'ABSPATH' ) || exit;

/**
 * Reads and writes the settings.
 */
final class Settings {

	public const OPTION       = 'stockline_settings';
	public const SECRET       = 'stockline_secret';
	public const ADMIN_TOKEN  = 'stockline_admin_token';
	public const SITE_ID      = 'stockline_site_id';
	public const DEFAULT_URL  = 'http://127.0.0.1:7400';
	public const TIMEOUT_MIN  = 100;
	public const TIMEOUT_MAX  = 5000;
	public const TENANT_REGEX = '/^[a-z0-9][a-z0-9_-]{0,62}$/D'; // D: no trailing newline, as the companion's pattern.

	/**
	 * Setting name => wp-config.php constant that wins over it.
	 */
	public const CONSTANTS = array(
		'companionUrl' => 'STOCKLINE_COMPANION_URL',
		'secret'       => 'STOCKLINE_SECRET',
		'adminToken'   => 'STOCKLINE_ADMIN_TOKEN',
		'tenant'       => 'STOCKLINE_TENANT',
	);

	/**
	 * Companion base URL without a trailing slash.
	 */
	public static function companion_url(): string {
		$url = self::constant( 'companionUrl' ) ?? (string) ( self::options()['companionUrl'] ?? '' );
		return untrailingslashit( '' === $url ? self::DEFAULT_URL : $url );
	}

	/**
	 * The tenant's signing secret ('' when not set).
	 */
	public static function secret(): string {
		return self::constant( 'secret' ) ?? (string) get_option( self::SECRET, '' );
	}

	/**
	 * Bearer token for the companion's admin API ('' when not set).
	 */
	public static function admin_token(): string {
		return self::constant( 'adminToken' ) ?? (string) get_option( self::ADMIN_TOKEN, '' );
	}

	/**
	 * Tenant id sent with every event ('default' when not set).
	 */
	public static function tenant(): string {
		$tenant = self::constant( 'tenant' ) ?? (string) ( self::options()['tenant'] ?? '' );
		return '' === $tenant ? 'default' : $tenant;
	}

	/**
	 * Whether checkout reserves through the companion before the order is placed (on by default).
	 */
	public static function checkout_guard(): bool {
		$options = self::options();
		return ! array_key_exists( 'checkoutGuard', $options ) || (bool) $options['checkoutGuard'];
	}

	/**
	 * How long checkout waits for the companion before failing open, in milliseconds.
	 */
	public static function checkout_timeout_ms(): int {
		$ms = (int) ( self::options()['checkoutTimeoutMs'] ?? 500 );
		return max( self::TIMEOUT_MIN, min( self::TIMEOUT_MAX, $ms ) );
	}

	/**
	 * Whether events can be signed and sent at all: a secret, a URL, and nothing the companion
	 * would refuse every event for (see problem()).
	 */
	public static function is_configured(): bool {
		return '' !== self::secret() && '' !== self::companion_url() && null === self::problem();
	}

	/**
	 * What makes every event unacceptable to the companion, as a sentence for the owner; null
	 * when nothing does. While there is one, nothing is sent: the outbox keeps the events
	 * instead of having each one refused and set aside.
	 */
	public static function problem(): ?string {
		$tenant = self::tenant();
		if ( preg_match( self::TENANT_REGEX, $tenant ) ) {
			return null;
		}
		$suggestion = substr( trim( (string) preg_replace( '/[^a-z0-9_-]+/', '-', strtolower( $tenant ) ), '-_' ), 0, 63 );
		return sprintf(
			/* translators: 1: where the tenant is set, 2: its value, 3: a valid example. */
			__( '%1$s is "%2$s", which is not a tenant name: use 1–63 lower-case letters, digits, "-" or "_", starting with a letter or digit (for example "%3$s"). Stockline keeps every store change in its outbox and sends nothing until this is fixed.', 'stockline' ),
			null !== self::constant( 'tenant' ) ? 'STOCKLINE_TENANT ' . __( 'in wp-config.php', 'stockline' ) : __( 'The tenant in the Stockline settings', 'stockline' ),
			$tenant,
			'' !== $suggestion ? $suggestion : 'default'
		);
	}

	/**
	 * Names of the wp-config.php constants currently defined (those settings are locked).
	 *
	 * @return string[]
	 */
	public static function locked_constants(): array {
		return array_values( array_filter( self::CONSTANTS, 'defined' ) );
	}

	/**
	 * The settings as the admin page sees them: secrets only as "is set".
	 *
	 * @return array<string, mixed>
	 */
	public static function to_public(): array {
		return array(
			'companionUrl'      => self::companion_url(),
			'tenant'            => self::tenant(),
			'checkoutGuard'     => self::checkout_guard(),
			'checkoutTimeoutMs' => self::checkout_timeout_ms(),
			'secretSet'         => '' !== self::secret(),
			'adminTokenSet'     => '' !== self::admin_token(),
			'constants'         => self::locked_constants(),
		);
	}

	/**
	 * The connection fields $input would change: the companion URL (when it differs from the
	 * current one), the secret and the admin token (whenever given: comparing them would tell the
	 * caller whether a guess is the secret). Fields pinned by a constant are not changed by anyone.
	 * Together they decide where the admin token is sent, so only an administrator may change them.
	 *
	 * @param array<string, mixed> $input Fields to change.
	 * @return string[]
	 */
	public static function connection_changes( array $input ): array {
		$changes = array();
		if ( array_key_exists( 'companionUrl', $input ) && null === self::constant( 'companionUrl' ) ) {
			$url = untrailingslashit( trim( (string) $input['companionUrl'] ) );
			if ( ( '' === $url ? self::DEFAULT_URL : $url ) !== self::companion_url() ) {
				$changes[] = 'companionUrl';
			}
		}
		foreach ( array( 'secret', 'adminToken' ) as $field ) {
			if ( array_key_exists( $field, $input ) && null === self::constant( $field ) ) {
				$changes[] = $field;
			}
		}
		// The tenant decides whose stock, audit trail and dead letters the admin page shows (the
		// proxy asks for it), so moving the store to another tenant is a connection change too.
		if ( array_key_exists( 'tenant', $input ) && null === self::constant( 'tenant' ) ) {
			$tenant = trim( (string) $input['tenant'] );
			if ( ( '' === $tenant ? 'default' : $tenant ) !== self::tenant() ) {
				$changes[] = 'tenant';
			}
		}
		return $changes;
	}

	/**
	 * Applies changes from the settings screen. Fields pinned by a constant are left alone.
	 *
	 * @param array<string, mixed> $input Fields to change.
	 * @return true|\WP_Error
	 */
	public static function update( array $input ) {
		$options = self::options();
		if ( array_key_exists( 'companionUrl', $input ) && null === self::constant( 'companionUrl' ) ) {
			$url   = trim( (string) $input['companionUrl'] );
			$parts = wp_parse_url( $url );
			// Not wp_http_validate_url(): the companion usually sits on a private address or loopback.
			if ( '' !== $url && ( ! is_array( $parts ) || ! in_array( $parts['scheme'] ?? '', array( 'http', 'https' ), true ) || empty( $parts['host'] ) ) ) {
				return new \WP_Error( 'stockline_invalid_url', __( 'The companion URL must be an http(s) address.', 'stockline' ), array( 'status' => 400 ) );
			}
			$options['companionUrl'] = esc_url_raw( untrailingslashit( $url ) );
		}
		if ( array_key_exists( 'tenant', $input ) && null === self::constant( 'tenant' ) ) {
			$tenant = trim( (string) $input['tenant'] );
			if ( '' !== $tenant && ! preg_match( self::TENANT_REGEX, $tenant ) ) {
				return new \WP_Error( 'stockline_invalid_tenant', __( 'The tenant is 1–63 lowercase letters, digits, "-" or "_".', 'stockline' ), array( 'status' => 400 ) );
			}
			$options['tenant'] = $tenant;
		}
		if ( array_key_exists( 'checkoutGuard', $input ) ) {
			$options['checkoutGuard'] = (bool) $input['checkoutGuard'];
		}
		if ( array_key_exists( 'checkoutTimeoutMs', $input ) ) {
			$options['checkoutTimeoutMs'] = max( self::TIMEOUT_MIN, min( self::TIMEOUT_MAX, (int) $input['checkoutTimeoutMs'] ) );
		}
		update_option( self::OPTION, $options, true );
		// Secrets: a non-empty string replaces, an empty string clears, absent leaves as is.
		foreach ( array( 'secret' => self::SECRET, 'adminToken' => self::ADMIN_TOKEN ) as $field => $option ) {
			if ( array_key_exists( $field, $input ) && null === self::constant( $field ) ) {
				update_option( $option, trim( (string) $input[ $field ] ), false );
			}
		}
		return true;
	}

	/**
	 * A short id for this site, stable even if the site's address changes later; it prefixes
	 * every event id ({site}:{order}:{transition}) so two stores on one tenant never collide.
	 */
	public static function site_id(): string {
		$id = (string) get_option( self::SITE_ID, '' );
		if ( '' === $id ) {
			$id = 'wc' . substr( md5( home_url() . '|' . get_current_blog_id() ), 0, 8 );
			add_option( self::SITE_ID, $id, '', true ); // Autoloaded: every event id needs it.
		}
		return $id;
	}

	/**
	 * Value of the constant pinning a setting, or null.
	 *
	 * @param string $setting Key of self::CONSTANTS.
	 */
	private static function constant( string $setting ): ?string {
		$name = self::CONSTANTS[ $setting ];
		return defined( $name ) ? (string) constant( $name ) : null;
	}

	/**
	 * The stored options array.
	 *
	 * @return array<string, mixed>
	 */
	private static function options(): array {
		$options = get_option( self::OPTION, array() );
		return is_array( $options ) ? $options : array();
	}
}
