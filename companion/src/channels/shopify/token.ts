/**
 * Access tokens for the Shopify client. Either a fixed Admin API token (custom apps), or the
 * client-credentials grant for an organisation's own app on its own stores (channels.md §1):
 * `POST /admin/oauth/access_token` with grant_type=client_credentials → a `shpat_` token valid
 * 24 h, cached and renewed `refreshMarginMs` before it expires; a 401 drops it so the next call
 * fetches a fresh one. Concurrent callers share one grant request.
 */
import { ChannelError } from '../port';

export interface TokenSource {
  token(): Promise<string>;
  /** The token was refused: forget it (fixed tokens cannot be renewed → false). */
  invalidate(): boolean;
}

export function fixedToken(token: string): TokenSource {
  return { token: async () => token, invalidate: () => false };
}

export class ClientCredentialsToken implements TokenSource {
  private current: { token: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private opts: { origin: string; clientId: string; clientSecret: string; refreshMarginMs?: number; timeoutMs?: number; now?: () => number },
  ) {}

  async token(): Promise<string> {
    const now = (this.opts.now ?? Date.now)();
    if (this.current && now < this.current.expiresAt - (this.opts.refreshMarginMs ?? 300_000)) return this.current.token;
    this.pending ??= this.grant().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  invalidate(): boolean {
    this.current = null;
    return true;
  }

  private async grant(): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.origin}/admin/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.opts.clientId, client_secret: this.opts.clientSecret }).toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ChannelError('Shopify token endpoint unreachable', 'transient', { cause: err });
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
    if (res.status >= 500) throw new ChannelError(`Shopify token endpoint failed (${res.status})`, 'transient', { status: res.status });
    if (!res.ok || !body.access_token) {
      throw new ChannelError(`Shopify refused the app credentials (${res.status} ${body.error ?? ''})`.trim(), 'auth', {
        status: res.status,
        channelCode: body.error,
      });
    }
    const now = (this.opts.now ?? Date.now)();
    this.current = { token: body.access_token, expiresAt: now + (body.expires_in ?? 86_400) * 1000 };
    return body.access_token;
  }
}
