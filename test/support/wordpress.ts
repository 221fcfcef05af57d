/**
 * Talking to the test WordPress the way a browser and a shop manager do: wp-login.php for the
 * cookie, the REST nonce from admin-ajax.php?action=rest-nonce, and REST calls with both.
 *
 * Playground logs every cookie-less visitor in as admin (its --login flag) unless the
 * `playground_auto_login_already_happened` cookie is sent; every request here sends it, so an
 * "anonymous" request really is anonymous.
 */
import { inject } from 'vitest';
import type { WordPressContext } from './global-wordpress';

const NO_AUTO_LOGIN = 'playground_auto_login_already_happened=1';

export interface Session {
  cookie: string;
  nonce: string;
}

let given: WordPressContext | undefined;

/** Outside vitest (the benchmark), say which WordPress to talk to. */
export function useWordPress(context: WordPressContext) {
  given = context;
}

export function wp(): WordPressContext {
  return given ?? inject('wordpress');
}

function mergeCookies(jar: Map<string, string>, res: Response) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
  }
}

/** The admin session the global setup logged in once for the run (or a fresh login). */
export async function adminSession(): Promise<Session> {
  return wp().adminSession ?? (await login());
}

/** Logs in through wp-login.php and fetches a REST nonce for that user. */
export async function login(user = wp().user, password = wp().password): Promise<Session> {
  const jar = new Map<string, string>([['playground_auto_login_already_happened', '1'], ['wordpress_test_cookie', 'WP%20Cookie%20check']]);
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${wp().url}/wp-login.php`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
    body: new URLSearchParams({ log: user, pwd: password, 'wp-submit': 'Log In', testcookie: '1' }),
  });
  mergeCookies(jar, res);
  if (![...jar.keys()].some((k) => k.startsWith('wordpress_logged_in_'))) {
    throw new Error(`login as ${user} failed (HTTP ${res.status})`);
  }
  const nonceRes = await fetch(`${wp().url}/wp-admin/admin-ajax.php?action=rest-nonce`, { headers: { cookie: cookieHeader() } });
  const nonce = (await nonceRes.text()).trim();
  if (!/^[0-9a-f]{10}$/.test(nonce)) throw new Error(`no REST nonce for ${user}: ${nonce.slice(0, 200)}`);
  return { cookie: cookieHeader(), nonce };
}

export interface RestResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A REST call under /wp-json. `session` adds the login cookie and (unless nonce: false) the nonce. */
export async function rest<T = any>(
  method: string,
  path: string,
  opts: { session?: Session; nonce?: boolean; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<RestResult<T>> {
  const headers: Record<string, string> = { cookie: NO_AUTO_LOGIN, ...opts.headers };
  if (opts.session) {
    headers.cookie = opts.session.cookie;
    if (opts.nonce !== false) headers['x-wp-nonce'] = opts.session.nonce;
  }
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${wp().url}/wp-json/${path.replace(/^\//, '')}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a PHP fatal, for instance): keep the text so the assertion shows it.
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Calls a test-only route (stockline-test/v1), failing loudly on anything but 2xx. */
export async function testApi<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await rest<T>(method, `stockline-test/v1/${path.replace(/^\//, '')}`, {
    body,
    headers: { 'x-stockline-test': wp().testToken },
  });
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

/** Fetches a wp-admin page as the session's user. */
export async function adminPage(path: string, session: Session): Promise<{ status: number; html: string; location: string | null }> {
  const res = await fetch(`${wp().url}/wp-admin/${path.replace(/^\//, '')}`, { headers: { cookie: session.cookie }, redirect: 'manual' });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

/**
 * Runs due WP-Cron events once, the way a system cron job calling wp-cron.php does (without
 * `doing_wp_cron`, wp-cron.php takes the cron lock itself). The lock a previous run (or the
 * site's install) left is cleared first: wp-cron.php returns without running anything while a
 * lock younger than a minute exists, which made a test that runs cron soon after another fail.
 */
export async function runCron(): Promise<void> {
  await testApi('POST', 'options', { delete: ['_transient_doing_cron', '_transient_timeout_doing_cron'] });
  const res = await fetch(`${wp().url}/wp-cron.php`, { headers: { cookie: NO_AUTO_LOGIN } });
  await res.text();
}

/** Activates the plugin through the Plugins screen, with its nonce, like an admin clicking "Activate". */
export async function activatePlugin(session: Session, pluginFile = wp().pluginFile): Promise<void> {
  const page = await adminPage('plugins.php', session);
  const m = new RegExp(`plugins\\.php\\?action=activate&(?:amp;)?plugin=${encodeURIComponent(pluginFile).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^"]*`).exec(page.html);
  if (!m) {
    if (page.html.includes(`action=deactivate&amp;plugin=${encodeURIComponent(pluginFile)}`)) return;
    throw new Error(`no Activate link for ${pluginFile} on plugins.php (HTTP ${page.status})`);
  }
  const href = m[0].replace(/&amp;/g, '&');
  const res = await adminPage(href, session);
  if (res.status !== 302 || !res.location?.includes('activate=true')) {
    throw new Error(`activating ${pluginFile} failed: HTTP ${res.status} → ${res.location} ${res.html.slice(0, 500)}`);
  }
}
