/**
 * The page's only door to the network: @wordpress/api-fetch pointed at the plugin's REST
 * namespace with the nonce the plugin printed. Companion reads and writes go through the
 * plugin's proxy route, so the browser never holds a companion secret.
 */
import apiFetch from '@wordpress/api-fetch';
import type { StocklineAdminGlobals } from './types';

declare global {
  interface Window {
    stocklineAdmin?: StocklineAdminGlobals;
  }
}

const NAMESPACE = 'stockline/v1';

/** A failure the views can show: WordPress and the companion both answer `{ code, message }`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The plugin answers 502 `companion_unreachable` when its proxy cannot reach the companion. */
  get unreachable(): boolean {
    return this.code === 'companion_unreachable' || this.code === 'fetch_error';
  }
}

let configured = false;

/**
 * Installs the root URL and nonce middlewares once. `restRoot` is `rest_url()` (ending in
 * `/wp-json/` or `?rest_route=/`); a root that already names our namespace is accepted too.
 */
export function configureApi(globals: StocklineAdminGlobals | undefined = window.stocklineAdmin): void {
  if (configured || !globals) return;
  configured = true;
  const root = globals.restRoot.replace(/stockline\/v1\/?$/, '');
  apiFetch.use(apiFetch.createRootURLMiddleware(root));
  apiFetch.use(apiFetch.createNonceMiddleware(globals.nonce));
}

function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown; data?: { status?: unknown }; statusCode?: unknown };
    const status = typeof o.data?.status === 'number' ? o.data.status : typeof o.statusCode === 'number' ? o.statusCode : undefined;
    return new ApiError(
      typeof o.message === 'string' && o.message ? o.message : 'Request failed',
      typeof o.code === 'string' ? o.code : 'unknown_error',
      status,
    );
  }
  return new ApiError(String(e), 'unknown_error');
}

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return params.length ? `${path}?${params.join('&')}` : path;
}

async function call<T>(path: string, method: string, data?: unknown): Promise<T> {
  try {
    return (await apiFetch({ path: `${NAMESPACE}/${path}`, method, data: data as Record<string, unknown> | undefined })) as T;
  } catch (e) {
    throw toApiError(e);
  }
}

/** A plugin route (admin/status, admin/settings …). */
export const plugin = {
  get: <T>(path: string, query?: Query) => call<T>(withQuery(path, query), 'GET'),
  post: <T>(path: string, data?: unknown) => call<T>(path, 'POST', data ?? {}),
};

/** A companion route through `admin/proxy/<companion path>`; `path` starts at `v1/…`. */
export const companion = {
  get: <T>(path: string, query?: Query) => call<T>(withQuery(`admin/proxy/${path}`, query), 'GET'),
  post: <T>(path: string, data?: unknown) => call<T>(`admin/proxy/${path}`, 'POST', data ?? {}),
  put: <T>(path: string, data: unknown) => call<T>(`admin/proxy/${path}`, 'PUT', data),
  delete: <T>(path: string) => call<T>(`admin/proxy/${path}`, 'DELETE'),
};
