/**
 * The SP-API transport: LWA token in `x-amz-access-token` (no SigV4), one refresh-and-retry on
 * 403 Unauthorized, and the error classification of shared/channels.md §7.5. Operations the
 * adapter, feed and ingestion need are thin methods over `call`.
 */
import { ChannelError } from '../port';
import { LwaTokens, type LwaOptions } from './lwa';
import type {
  Feed,
  FeedDocumentCreated,
  GetOrderItemsResponse,
  GetOrdersResponse,
  JsonListingsFeedReport,
  ListingsItem,
  ListingsItemPatchRequest,
  ListingsItemSubmissionResponse,
  SpApiErrorBody,
} from './wire';
import { untilAborted } from '../poll-kit';
import { httpRequest, type HttpAnswer } from './transport';

export interface SpApiClientOptions extends LwaOptions {
  url: string;
  sellerId: string;
  marketplaceIds: string[];
  timeoutMs?: number;
}

export interface SpApiResponse<T> {
  status: number;
  body: T;
  headers: HttpAnswer['headers'];
}

type Query = Record<string, string | string[] | undefined>;

export class SpApiClient {
  readonly tokens: LwaTokens;
  /** Last rate (requests/s) Amazon declared per operation in x-amzn-RateLimit-Limit. */
  readonly declaredRates = new Map<string, number>();
  private readonly base: string;

  constructor(readonly opts: SpApiClientOptions) {
    this.tokens = new LwaTokens(opts);
    this.base = opts.url.replace(/\/$/, '');
  }

  /**
   * One SP-API call. Returns 2xx/400/404 answers for the caller to interpret; throws
   * ChannelError for auth (after one refresh), throttling, 5xx and network failures.
   */
  async call<T>(op: string, method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<SpApiResponse<T>> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, Array.isArray(v) ? v.join(',') : v);
    }
    for (let attempt = 0; ; attempt++) {
      const token = await untilAborted(this.tokens.get(), opts.signal);
      let res: HttpAnswer;
      try {
        res = await httpRequest(url, {
          method,
          headers: {
            'x-amz-access-token': token,
            accept: 'application/json',
            ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
          // A caller's signal (shutdown) ends the call as well as our timeout.
          timeoutMs: this.opts.timeoutMs ?? 15_000,
          signal: opts.signal,
        });
      } catch (err) {
        throw new ChannelError(`Amazon ${op} failed: ${(err as Error).message}`, 'transient', { cause: err });
      }
      const limit = Number(res.headers.get('x-amzn-ratelimit-limit'));
      if (limit > 0) this.declaredRates.set(op, limit);
      const body = (res.text ? safeJson(res.text) : {}) as T & Partial<SpApiErrorBody>;
      const ok = res.status >= 200 && res.status < 300;
      if (ok || res.status === 400 || res.status === 404) return { status: res.status, body, headers: res.headers };
      const first = body.errors?.[0];
      const detail = first ? `${first.code}: ${first.message}${first.details ? ` (${first.details})` : ''}` : `HTTP ${res.status}`;
      if (res.status === 403 && first?.code !== 'MissingAuthenticationToken' && attempt === 0) {
        // Expired or revoked token (Amazon says 403, not 401): exchange once and retry.
        this.tokens.invalidate(token);
        continue;
      }
      if (res.status === 403 || res.status === 401) {
        throw new ChannelError(`Amazon ${op} refused our credentials: ${detail}`, 'auth', { status: res.status, channelCode: first?.code });
      }
      if (res.status === 429) {
        const rate = this.declaredRates.get(op);
        throw new ChannelError(`Amazon ${op} throttled: ${detail}`, 'rate_limited', {
          status: 429,
          channelCode: first?.code ?? 'QuotaExceeded',
          retryAfterMs: rate ? Math.ceil(1000 / rate) : 1000,
        });
      }
      if (res.status === 413 || res.status === 415) {
        throw new ChannelError(`Amazon ${op} refused the request: ${detail}`, 'validation', { status: res.status, channelCode: first?.code });
      }
      throw new ChannelError(`Amazon ${op} failed: ${detail}`, 'transient', { status: res.status, channelCode: first?.code });
    }
  }

  patchListingsItem(sku: string, body: ListingsItemPatchRequest, opts: { preview?: boolean } = {}) {
    return this.call<ListingsItemSubmissionResponse>('patchListingsItem', 'PATCH', this.itemPath(sku), {
      query: { marketplaceIds: this.opts.marketplaceIds, includedData: 'issues', mode: opts.preview ? 'VALIDATION_PREVIEW' : undefined },
      body,
    });
  }

  getListingsItem(sku: string, includedData: string[]) {
    return this.call<ListingsItem>('getListingsItem', 'GET', this.itemPath(sku), {
      query: { marketplaceIds: this.opts.marketplaceIds, includedData },
    });
  }

  async createFeedDocument(): Promise<FeedDocumentCreated> {
    const r = await this.call<FeedDocumentCreated>('createFeedDocument', 'POST', '/feeds/2021-06-30/documents', {
      body: { contentType: 'application/json; charset=UTF-8' },
    });
    return this.expectOk(r, 'createFeedDocument');
  }

  /** PUT to the presigned URL: no SP-API token, plain HTTP status. */
  async uploadFeedDocument(url: string, content: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: content,
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      throw new ChannelError(`Amazon feed upload failed: ${(err as Error).message}`, 'transient', { cause: err });
    }
    if (!res.ok) throw new ChannelError(`Amazon feed upload answered ${res.status}`, res.status >= 500 ? 'transient' : 'validation', { status: res.status });
  }

  async createFeed(inputFeedDocumentId: string): Promise<string> {
    const r = await this.call<{ feedId: string }>('createFeed', 'POST', '/feeds/2021-06-30/feeds', {
      body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: this.opts.marketplaceIds, inputFeedDocumentId },
    });
    return this.expectOk(r, 'createFeed').feedId;
  }

  async getFeed(feedId: string): Promise<Feed> {
    return this.expectOk(await this.call<Feed>('getFeed', 'GET', `/feeds/2021-06-30/feeds/${encodeURIComponent(feedId)}`), 'getFeed');
  }

  async getFeedReport(feedDocumentId: string): Promise<JsonListingsFeedReport> {
    const doc = this.expectOk(
      await this.call<{ url: string }>('getFeedDocument', 'GET', `/feeds/2021-06-30/documents/${encodeURIComponent(feedDocumentId)}`),
      'getFeedDocument',
    );
    let res: Response;
    try {
      res = await fetch(doc.url, { signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new ChannelError(`Amazon feed report download failed: ${(err as Error).message}`, 'transient', { cause: err });
    }
    if (!res.ok) throw new ChannelError(`Amazon feed report download answered ${res.status}`, 'transient', { status: res.status });
    return (await res.json()) as JsonListingsFeedReport;
  }

  async getOrders(query: Query, signal?: AbortSignal): Promise<GetOrdersResponse> {
    const r = await this.call<GetOrdersResponse>('getOrders', 'GET', '/orders/v0/orders', { query, signal });
    return this.expectOk(r, 'getOrders');
  }

  async getOrderItems(orderId: string, signal?: AbortSignal): Promise<GetOrderItemsResponse> {
    const r = await this.call<GetOrderItemsResponse>('getOrderItems', 'GET', `/orders/v0/orders/${encodeURIComponent(orderId)}/orderItems`, { signal });
    return this.expectOk(r, 'getOrderItems');
  }

  private itemPath(sku: string): string {
    return `/listings/2021-08-01/items/${encodeURIComponent(this.opts.sellerId)}/${encodeURIComponent(sku)}`;
  }

  private expectOk<T>(r: SpApiResponse<T>, op: string): T {
    if (r.status >= 200 && r.status < 300) return r.body;
    const first = (r.body as Partial<SpApiErrorBody>).errors?.[0];
    throw new ChannelError(`Amazon ${op} refused the request: ${first ? `${first.code}: ${first.message}` : `HTTP ${r.status}`}`, r.status === 404 ? 'not_found' : 'validation', {
      status: r.status,
      channelCode: first?.code,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ code: 'UnparseableResponse', message: text.slice(0, 200) }] };
  }
}
