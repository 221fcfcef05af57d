/**
 * Which methods each route answers, so a request for a route that exists, made with a method it
 * does not take (`GET /v1/events`), hears 405 with an `Allow` header instead of 404 "no such
 * route". Fastify's router only answers "no match", so the routes are recorded as they are added.
 */
import type { FastifyInstance } from 'fastify';

interface RoutePattern {
  path: RegExp;
  methods: Set<string>;
}

/** `/v1/stock/:sku` → /^\/v1\/stock\/[^/]+\/?$/ (a trailing slash is ignored, as the router does). */
function compile(url: string): RegExp {
  const source = url
    .replace(/\/+$/, '')
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Starts recording (call before any route is added); returns the lookup: the methods a path takes. */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const byUrl = new Map<string, RoutePattern>();
  app.addHook('onRoute', (route) => {
    let pattern = byUrl.get(route.url);
    if (!pattern) byUrl.set(route.url, (pattern = { path: compile(route.url), methods: new Set() }));
    for (const m of [route.method].flat()) pattern.methods.add(m);
  });
  return (path) => {
    const methods = new Set<string>();
    for (const p of byUrl.values()) if (p.path.test(path)) p.methods.forEach((m) => methods.add(m));
    return [...methods].sort();
  };
}
