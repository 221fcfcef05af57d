/**
 * The Flipkart Seller API transport: client-credentials token (Basic appId:appSecret) cached until
 * shortly before expiry, Bearer calls, one refresh-and-retry on 401 (an expired token), error
 * classification (429 → rate_limited, 5xx/network/timeout → transient). Timeouts follow
 * Flipkart's advice: at least 10 s for listings, 60 s for orders.
 */
import { ChannelError } from '../port';
import type {
  InventoryUpdateRequest,
  InventoryUpdateResponse,
  ListingsResponse,
  OAuthError,
  RequestErrorBody,
  ShipmentFilterRequest,
  ShipmentFilterResponse,
  TokenResponse,
} from './wire';
import { untilAborted } from '../poll-kit';
import { httpRequest, parseJson, type HttpResponse } from '../http';

export interface FlipkartClientOptions {
  url: string;
  appId: string;
  appSecret: string;
  now?: () => number;
}

const EARLY_MS = 24 * 3600_000;

export class FlipkartClient {
  private token: string | null = null;
  private refreshAt = 0;
  private inflight: Promise<string> | null = null;
  private readonly base: string;
  private readonly now: () => number;
  /** How many token exchanges happened (observability; tests check expiry handling). */
  tokenExchanges = 0;

  constructor(readonly opts: FlipkartClientOptions) {
    // The API lives under <origin>/sellers and the token endpoint under <origin>/oauth-service;
    // accept either the origin or the …/sellers base (config's default) as `url`.
    this.base = opts.url.replace(/\/+$/, '').replace(/\/sellers$/, '');
    this.now = opts.now ?? Date.now;
  }

  private async getToken(): Promise<string> {
    if (this.token && this.now() < this.refreshAt) return this.token;
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async exchange(): Promise<string> {
    const basic = Buffer.from(`${this.opts.appId}:${this.opts.appSecret}`).toString('base64');
    let res: HttpResponse;
    try {
      res = await httpRequest(`${this.base}/oauth-service/oauth/token?grant_type=client_credentials&scope=Seller_Api`, {
        headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
        timeoutMs: 10_000,
      });
    } catch (err) {
      throw new ChannelError(`Flipkart token endpoint unreachable: ${(err as Error).message}`, 'transient', { cause: err });
    }
    const json = parseJson<Partial<TokenResponse & OAuthError>>(res.text, {});
    if (res.status >= 200 && res.status < 300 && json.access_token) {
      this.tokenExchanges += 1;
      const ttlMs = (json.expires_in ?? 3600) * 1000;
      this.token = json.access_token;
      // ~60-day tokens: renew a day early; short ones halfway.
      this.refreshAt = this.now() + ttlMs - Math.min(EARLY_MS, ttlMs / 2);
      return this.token;
    }
    if (res.status >= 500) throw new ChannelError(`Flipkart token endpoint answered ${res.status}`, 'transient', { status: res.status });
    throw new ChannelError(
      `Flipkart refused the app credentials (${json.error ?? res.status}: ${json.error_description ?? 'no description'}); check the app id and secret in Seller Hub`,
      'auth',
      { status: res.status, channelCode: json.error },
    );
  }

  /** One Seller API call; returns 2xx and 400 answers, throws ChannelError for the rest. */
  async call<T>(op: string, method: string, path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; body: T }> {
    for (let attempt = 0; ; attempt++) {
      const token = await untilAborted(this.getToken(), signal);
      let res: HttpResponse;
      try {
        res = await httpRequest(`${this.base}/sellers${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          timeoutMs,
          signal,
        });
      } catch (err) {
        throw new ChannelError(`Flipkart ${op} failed: ${(err as Error).message}`, 'transient', { cause: err });
      }
      const text = res.text;
      const ok = res.status >= 200 && res.status < 300;
      let json: unknown = {};
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        json = { errors: [{ severity: 'ERROR', code: 'UNPARSEABLE', description: text.slice(0, 200) }] };
      }
      if (ok || res.status === 400) return { status: res.status, body: json as T };
      if (res.status === 401 && attempt === 0) {
        // Expired (or revoked) token: exchange once and retry the same call.
        if (this.token === token) this.token = null;
        continue;
      }
      const detail = describe(json) ?? `HTTP ${res.status}`;
      if (res.status === 401 || res.status === 403) {
        throw new ChannelError(`Flipkart ${op} refused our token: ${detail}`, 'auth', { status: res.status });
      }
      if (res.status === 429) {
        const after = Number(res.headers['retry-after']);
        throw new ChannelError(`Flipkart ${op} throttled: ${detail}`, 'rate_limited', { status: 429, retryAfterMs: after > 0 ? after * 1000 : 1000 });
      }
      throw new ChannelError(`Flipkart ${op} failed: ${detail}`, res.status === 404 ? 'not_found' : 'transient', { status: res.status });
    }
  }

  updateInventory(req: InventoryUpdateRequest) {
    return this.call<InventoryUpdateResponse | RequestErrorBody>('updateInventory', 'POST', '/listings/v3/update/inventory', req, 10_000);
  }

  async getListings(skus: string[]): Promise<ListingsResponse> {
    const r = await this.call<ListingsResponse | RequestErrorBody>('getListings', 'GET', `/listings/v3/${skus.map(encodeURIComponent).join(',')}`, undefined, 10_000);
    if (r.status !== 200) throw new ChannelError(`Flipkart getListings refused: ${describe(r.body) ?? r.status}`, 'validation', { status: r.status });
    return r.body as ListingsResponse;
  }

  async filterShipments(req: ShipmentFilterRequest, signal?: AbortSignal): Promise<ShipmentFilterResponse> {
    const r = await this.call<ShipmentFilterResponse | RequestErrorBody>('filterShipments', 'POST', '/v3/shipments/filter', req, 60_000, signal);
    if (r.status !== 200) throw new ChannelError(`Flipkart shipments filter refused: ${describe(r.body) ?? r.status}`, 'validation', { status: r.status });
    return r.body as ShipmentFilterResponse;
  }

  /** nextPageUrl is relative to /sellers and fetched with GET. */
  async nextShipments(nextPageUrl: string, signal?: AbortSignal): Promise<ShipmentFilterResponse> {
    const r = await this.call<ShipmentFilterResponse | RequestErrorBody>('filterShipments', 'GET', nextPageUrl, undefined, 60_000, signal);
    if (r.status !== 200) throw new ChannelError(`Flipkart shipments page refused: ${describe(r.body) ?? r.status}`, 'validation', { status: r.status });
    return r.body as ShipmentFilterResponse;
  }
}

export function describe(body: unknown): string | undefined {
  const b = body as Partial<RequestErrorBody & OAuthError> | undefined;
  if (b?.errors?.length) return b.errors.map((e) => `${e.code}: ${e.description}`).join('; ');
  if (b?.error) return `${b.error}: ${b.error_description ?? ''}`;
  return undefined;
}
