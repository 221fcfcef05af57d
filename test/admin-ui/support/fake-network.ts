/**
 * A fake of the plugin's REST routes behind `fetch`, with no test-runner imports so the
 * screenshot page can use it in a real browser too.
 */
export interface Call {
  method: string;
  /** Route under stockline/v1, e.g. `admin/proxy/v1/channels`. */
  route: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

export type Reply = { status?: number; body?: unknown } | ((call: Call) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>);

/** Routes keyed "METHOD route"; a route with no reply answers 404 so a forgotten mock fails loudly. */
export class FakeNetwork {
  readonly calls: Call[] = [];
  private routes = new Map<string, Reply>();

  on(key: string, reply: Reply): this {
    this.routes.set(key, reply);
    return this;
  }

  /** A JSON answer with status 200. */
  json(key: string, body: unknown): this {
    return this.on(key, { body });
  }

  /** The plugin's proxy cannot reach the companion. */
  unreachable(key: string): this {
    return this.on(key, { status: 502, body: { code: 'companion_unreachable', message: 'Could not connect to http://127.0.0.1:7400', data: { status: 502 } } });
  }

  callsTo(key: string): Call[] {
    const [method, route] = key.split(' ');
    return this.calls.filter((c) => c.method === method && c.route === route);
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const prefix = '/wp-json/stockline/v1/';
    // api-fetch sends PUT/DELETE as POST + X-HTTP-Method-Override, which WordPress's REST server honours.
    const override = new Headers(init.headers).get('X-HTTP-Method-Override');
    const method = (override ?? init.method ?? 'GET').toUpperCase();
    const route = decodeURIComponent(url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname);
    const body = typeof init.body === 'string' && init.body ? JSON.parse(init.body) : undefined;
    const call: Call = { method, route, query: url.searchParams, body, headers: new Headers(init.headers) };
    this.calls.push(call);
    const reply = this.routes.get(`${method} ${route}`);
    const answer = typeof reply === 'function' ? await reply(call) : (reply ?? { status: 404, body: { code: 'rest_no_route', message: `No mock for ${method} ${route}` } });
    const status = answer.status ?? 200;
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(answer.body ?? null), { status, headers: { 'Content-Type': 'application/json' } });
  };
}
