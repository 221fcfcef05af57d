/**
 * Login with Amazon access tokens: refresh-token exchange, cached for the token's life and
 * refreshed early (5 minutes before expiry, or halfway for short test tokens), one exchange in
 * flight at a time however many calls need a token.
 */
import { ChannelError } from '../port';
import type { LwaErrorBody, LwaTokenResponse } from './wire';

export interface LwaOptions {
  lwaUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  timeoutMs?: number;
  now?: () => number;
}

const EARLY_MS = 5 * 60_000;

/** `lwaUrl` may be the LWA origin (https://api.amazon.com) or the full token URL (…/auth/o2/token). */
export function tokenUrl(lwaUrl: string): string {
  const base = lwaUrl.replace(/\/+$/, '');
  return base.endsWith('/auth/o2/token') ? base : `${base}/auth/o2/token`;
}

export class LwaTokens {
  private token: string | null = null;
  private refreshAt = 0;
  private inflight: Promise<string> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: LwaOptions) {
    this.now = opts.now ?? Date.now;
  }

  async get(): Promise<string> {
    if (this.token && this.now() < this.refreshAt) return this.token;
    return this.refresh();
  }

  /** Drops a token the API refused, so the next get() exchanges again (once, shared). */
  invalidate(token: string): void {
    if (this.token === token) this.token = null;
  }

  private refresh(): Promise<string> {
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async exchange(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: this.opts.refreshToken,
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret,
    });
    let res: Response;
    try {
      res = await fetch(tokenUrl(this.opts.lwaUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ChannelError(`Login with Amazon unreachable: ${(err as Error).message}`, 'transient', { cause: err });
    }
    const json = (await res.json().catch(() => ({}))) as Partial<LwaTokenResponse & LwaErrorBody>;
    if (res.ok && json.access_token) {
      const ttlMs = (json.expires_in ?? 3600) * 1000;
      this.token = json.access_token;
      this.refreshAt = this.now() + ttlMs - Math.min(EARLY_MS, ttlMs / 2);
      return this.token;
    }
    if (res.status >= 500) throw new ChannelError(`Login with Amazon answered ${res.status}`, 'transient', { status: res.status });
    if (json.error === 'invalid_client') {
      throw new ChannelError(
        'Login with Amazon refused the client credentials (invalid_client): the LWA client secret has most likely expired — it must be rotated every 180 days in Seller Central / Solution Provider Portal.',
        'auth',
        { status: res.status, channelCode: 'invalid_client' },
      );
    }
    throw new ChannelError(
      `Login with Amazon refused the refresh token (${json.error ?? res.status}): ${json.error_description ?? 'reauthorize the app'}`,
      'auth',
      { status: res.status, channelCode: json.error },
    );
  }
}
