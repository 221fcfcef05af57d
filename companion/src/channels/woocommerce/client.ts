/**
 * WooCommerce REST calls through @woocommerce/woocommerce-rest-api (OAuth 1.0a over http,
 * Basic auth over https, or query-string keys when a proxy strips Authorization), and the
 * Stockline plugin's signed stock endpoint. Failures become ChannelErrors: 401/403 → auth,
 * 429 → rate_limited (hosts add limits core lacks), 5xx/network/timeout → transient,
 * 404 → not_found, other 4xx (413 included) → validation.
 */
import WooModule from '@woocommerce/woocommerce-rest-api';
import { ChannelError } from '../port';
import { signStockline } from './signatures';
import { httpRequest, parseJson, type HttpResponse } from '../http';

// The package is Babel-compiled CommonJS: Node's ESM loader (tsx) hands over the exports object,
// bundler-style interop (vitest) the class itself.
const WooCommerceRestApi = ((WooModule as unknown as { default?: typeof WooModule }).default ?? WooModule) as typeof WooModule;
type WooCommerceRestApi = InstanceType<typeof WooModule>;

export interface WooClientOptions {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  queryStringAuth?: boolean;
  timeoutMs?: number;
}

/** What GET /wp-json/stockline/v1 said: whether the plugin runs, and its site id when it says it. */
export interface PluginProbe {
  present: boolean;
  siteId?: string;
}

/** A plugin site id usable as an order-id prefix (the plugin's are `wc` + 8 hex digits). */
const PLUGIN_SITE_ID = /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/;

interface AxiosLikeError {
  response?: { status: number; data?: { code?: string; message?: string }; headers?: Record<string, string> };
  code?: string;
  message?: string;
}

export function wooError(err: unknown, what: string): ChannelError {
  const e = err as AxiosLikeError;
  const status = e.response?.status;
  if (status === undefined) return new ChannelError(`WooCommerce unreachable (${what}): ${e.code ?? e.message ?? 'network error'}`, 'transient', { cause: err });
  const code = e.response?.data?.code;
  const message = `WooCommerce ${status} ${code ?? ''} (${what}): ${e.response?.data?.message ?? ''}`.trim();
  if (status === 401 || status === 403) return new ChannelError(message, 'auth', { status, channelCode: code });
  if (status === 429) {
    const after = Number(e.response?.headers?.['retry-after']);
    return new ChannelError(message, 'rate_limited', { status, channelCode: code, retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : 1000 });
  }
  if (status >= 500) return new ChannelError(message, 'transient', { status, channelCode: code });
  if (status === 404 && !code) {
    // Not WordPress's JSON 404 (rest_no_route): nothing answers at /wp-json/ at all, which is what a
    // store on "Plain" permalinks (or a wrong URL) gives. Say so instead of "not found".
    const hint = 'no WordPress REST API answers under /wp-json/ at STOCKLINE_WOOCOMMERCE_URL: check the URL, and turn on pretty permalinks in WordPress (Settings → Permalinks, anything but "Plain")';
    return new ChannelError(`WooCommerce 404 (${what}): ${hint}`, 'not_found', { status });
  }
  if (status === 404) return new ChannelError(message, 'not_found', { status, channelCode: code });
  return new ChannelError(message, 'validation', { status, channelCode: code });
}

export class WooClient {
  private api: WooCommerceRestApi;
  readonly baseUrl: string;
  private timeoutMs: number;

  constructor(opts: WooClientOptions) {
    this.baseUrl = opts.url.replace(/\/$/, '');
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.api = new WooCommerceRestApi({
      url: this.baseUrl,
      consumerKey: opts.consumerKey,
      consumerSecret: opts.consumerSecret,
      version: 'wc/v3',
      queryStringAuth: opts.queryStringAuth ?? false,
      timeout: this.timeoutMs,
    });
  }

  async get<T>(endpoint: string, params: Record<string, string> = {}): Promise<{ data: T; total: number | null }> {
    try {
      const res = await this.api.get(endpoint, params);
      const total = Number(res.headers?.['x-wp-total']);
      return { data: res.data as T, total: Number.isFinite(total) ? total : null };
    } catch (err) {
      throw wooError(err, `GET ${endpoint}`);
    }
  }

  async post<T>(endpoint: string, body: unknown): Promise<T> {
    try {
      return (await this.api.post(endpoint, body)).data as T;
    } catch (err) {
      throw wooError(err, `POST ${endpoint}`);
    }
  }

  /** GET /wp-json/stockline/v1 (WordPress's namespace index): true when the plugin is active. */
  async probePlugin(): Promise<PluginProbe> {
    let res: HttpResponse;
    try {
      res = await httpRequest(`${this.baseUrl}/wp-json/stockline/v1`, { timeoutMs: this.timeoutMs });
    } catch (err) {
      throw new ChannelError('WooCommerce unreachable (plugin probe)', 'transient', { cause: err });
    }
    if (res.status >= 200 && res.status < 300) {
      // The plugin's index says its site id (plugin/src/Rest/NamespaceIndex.php); older plugins do not.
      const siteId = parseJson<{ siteId?: unknown } | null>(res.text, null)?.siteId;
      return { present: true, ...(typeof siteId === 'string' && PLUGIN_SITE_ID.test(siteId) ? { siteId } : {}) };
    }
    if (res.status === 404) return { present: false };
    throw wooError({ response: { status: res.status } }, 'plugin probe');
  }

  /** A POST to the plugin's routes, signed like every Stockline ↔ plugin call; `what` names it in errors. */
  private async pluginPost(route: string, body: string, secret: string, what: string): Promise<HttpResponse> {
    try {
      return await httpRequest(`${this.baseUrl}/wp-json/stockline/v1/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-stockline-signature': signStockline(body, secret) },
        body,
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      throw new ChannelError(`WooCommerce unreachable (${what})`, 'transient', { cause: err });
    }
  }

  /**
   * Tells the plugin the companion is up: it delivers the events its outbox kept while the
   * companion was away, at once instead of at its next cron run.
   */
  async pluginHello(secret: string): Promise<void> {
    const res = await this.pluginPost('hello', '{}', secret, 'plugin hello');
    if (res.status < 200 || res.status >= 300) throw wooError({ response: { status: res.status, headers: res.headers } }, 'plugin hello');
  }

  /** The plugin's compare-and-set endpoint. */
  async pluginSetStock(
    items: { sku: string; quantity: number; expected: number | null }[],
    secret: string,
  ): Promise<{ sku: string; status: 'ok' | 'stale' | 'not_found'; quantity: number | null; message?: string }[]> {
    const res = await this.pluginPost('stock', JSON.stringify({ items }), secret, 'plugin stock');
    const data = parseJson<{ results?: unknown; code?: string; message?: string }>(res.text, {});
    if (res.status < 200 || res.status >= 300) {
      throw wooError({ response: { status: res.status, data, headers: res.headers } }, 'plugin stock');
    }
    if (!Array.isArray(data.results)) throw new ChannelError('plugin answered without results', 'transient');
    // `message` (plugin ≥ 19th session): why a SKU is not_found, e.g. its stock is counted under its parent's SKU.
    return data.results as { sku: string; status: 'ok' | 'stale' | 'not_found'; quantity: number | null; message?: string }[];
  }
}
