/**
 * Admin GraphQL calls through @shopify/admin-api-client, with every failure turned into a
 * ChannelError whose kind carries the retry decision (channels.md §1 "Errors", §7.5):
 * 401/402/403 → auth, THROTTLED (HTTP 200) or 429 → rate_limited with retryAfterMs from
 * throttleStatus, 5xx/network/timeout → transient, GraphQL errors → validation.
 * The library always builds https://<shop>/admin/api/<v>/graphql.json; `baseUrl` (a sandbox)
 * replaces that origin in a custom fetch so the shop domain stays real-looking.
 */
import { createAdminApiClient, type AdminApiClient } from '@shopify/admin-api-client';
import { httpRequest } from '../http';
import { ChannelError } from '../port';
import { CostBudget, retryAfterFromThrottle, type ThrottleStatus } from './cost-budget';
import { ClientCredentialsToken, fixedToken, type TokenSource } from './token';

export interface ShopifyClientOptions {
  shop: string;
  /** A fixed Admin API token (shpat_…); or give clientId + clientSecret for the client-credentials grant. */
  token?: string;
  clientId?: string;
  clientSecret?: string;
  apiVersion?: string;
  /** Replaces https://<shop> (sandbox or proxy). */
  baseUrl?: string;
  /** Longest wait the client accepts to stay within the cost budget; longer → rate_limited. */
  maxBudgetWaitMs?: number;
  timeoutMs?: number;
}

interface CostExtension {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}
interface GraphQLErrorLike {
  message?: string;
  extensions?: { code?: string };
}

const TOKEN_CARRIER = 'x-stockline-access-token';
/** The share of the cost bucket background requests leave to pushes. */
const PUSH_SHARE = 0.25;

export class ShopifyClient {
  private client: AdminApiClient;
  readonly budget = new CostBudget();
  private maxWaitMs: number;
  private tokens: TokenSource;

  constructor(opts: ShopifyClientOptions) {
    const shopOrigin = `https://${opts.shop.replace(/^https?:\/\//, '').replace(/\/$/, '')}`;
    const base = opts.baseUrl?.replace(/\/$/, '');
    const timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxWaitMs = opts.maxBudgetWaitMs ?? 2_000;
    if (opts.token) this.tokens = fixedToken(opts.token);
    else if (opts.clientId && opts.clientSecret) {
      this.tokens = new ClientCredentialsToken({ origin: base ?? shopOrigin, clientId: opts.clientId, clientSecret: opts.clientSecret, timeoutMs });
    } else throw new Error('Shopify needs an access token, or a client id and secret');
    this.client = createAdminApiClient({
      storeDomain: opts.shop,
      apiVersion: opts.apiVersion ?? '2026-04',
      // Replaced per request in the fetch below (a grant's token changes); the library insists on one here.
      accessToken: opts.token ?? 'from-client-credentials',
      retries: 0,
      logger: () => undefined,
      customFetchApi: async (url: string | URL | Request, init?: RequestInit) => {
        const target = base && typeof url === 'string' && url.startsWith(shopOrigin) ? base + url.slice(shopOrigin.length) : url;
        // The library's own headers win over per-request ones, so the request's token travels in a
        // private header and is moved into X-Shopify-Access-Token here.
        const { [TOKEN_CARRIER]: token, ...headers } = (init?.headers ?? {}) as Record<string, string>;
        if (token) headers['X-Shopify-Access-Token'] = token;
        // The call itself goes over the channels' shared undici client (channels/http.ts): fetch
        // costs ~5× the CPU per call. The library only reads status, headers and the JSON body,
        // which a Response built from the answer carries.
        const res = await httpRequest(String(target), {
          method: init?.method ?? 'POST',
          headers,
          body: typeof init?.body === 'string' ? init.body : undefined,
          timeoutMs,
          signal: init?.signal ?? undefined,
        });
        return new Response(res.status === 204 || res.status === 304 ? null : res.text, { status: res.status, headers: res.headers });
      },
    });
  }

  /**
   * Runs one operation. `operation` names it for the cost estimate; `fallbackCost` is the
   * estimate before Shopify has priced it once; `maxWaitMs` overrides how long this call may
   * queue for the cost budget (a push that already applied rows waits longer than a new one).
   */
  async request<T>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    fallbackCost = 10,
    maxWaitMs = this.maxWaitMs,
    opts: { background?: boolean } = {},
  ): Promise<T> {
    try {
      return await this.once<T>(operation, query, variables, fallbackCost, maxWaitMs, opts.background === true);
    } catch (err) {
      // An expired or revoked grant token: fetch a new one and try once more.
      if (err instanceof ChannelError && err.kind === 'auth' && err.options.status === 401 && this.tokens.invalidate()) {
        return this.once<T>(operation, query, variables, fallbackCost, maxWaitMs, opts.background === true);
      }
      throw err;
    }
  }

  /** How long background work waits before a quarter of the bucket is left for pushes after it (0: go). */
  private roomWait(estimate: number): number {
    return this.budget.waitMs(estimate + this.budget.capacity() * PUSH_SHARE);
  }

  private async once<T>(operation: string, query: string, variables: Record<string, unknown>, fallbackCost: number, maxWaitMs: number, background: boolean): Promise<T> {
    const estimate = this.budget.estimate(operation, fallbackCost);
    // Background work (the listings check) goes only while a quarter of the bucket stays for
    // pushes, and reserves nothing while it waits, so pushes never queue behind it (before, the
    // check's searches reserved the budget ahead of every push, and a sale reached Shopify 65-80 s
    // late during a check). The last look and the reservation below are one synchronous step:
    // concurrent searches cannot all pass the look before any of them reserves.
    const deadline = Date.now() + maxWaitMs;
    for (let room = background ? this.roomWait(estimate) : 0; room > 0; room = this.roomWait(estimate)) {
      if (Date.now() + room > deadline) {
        throw new ChannelError('Shopify cost budget kept for stock pushes; background work waits', 'rate_limited', { retryAfterMs: room, channelCode: 'BUDGET' });
      }
      await new Promise((r) => setTimeout(r, Math.min(room, 500)));
    }
    const wait = this.budget.waitMs(estimate);
    if (wait > maxWaitMs) {
      throw new ChannelError(`Shopify cost budget exhausted (needs ${estimate} points)`, 'rate_limited', { retryAfterMs: wait, channelCode: 'BUDGET' });
    }
    // Reserve before waiting, so concurrent calls queue behind this one instead of all waking at once.
    this.budget.spend(estimate);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const token = await this.tokens.token();
    const res = await this.client.request<T>(query, { variables, headers: { [TOKEN_CARRIER]: token } });
    const cost = (res.extensions as { cost?: CostExtension } | undefined)?.cost;
    this.budget.observe(cost?.throttleStatus, operation, cost?.requestedQueryCost);
    if (!res.errors) {
      if (res.data === undefined) throw new ChannelError('Shopify answered without data', 'transient');
      return res.data as T;
    }
    const status = res.errors.networkStatusCode;
    const gqlErrors = (res.errors.graphQLErrors ?? []) as GraphQLErrorLike[];
    if (status === undefined) {
      throw new ChannelError(`Shopify unreachable: ${res.errors.message ?? 'network error'}`, 'transient', { cause: res.errors });
    }
    if (status === 401) throw new ChannelError('Shopify refused the access token (401)', 'auth', { status, channelCode: '401' });
    if (status === 402) throw new ChannelError('Shopify shop is frozen or unpaid (402)', 'auth', { status, channelCode: '402' });
    if (status === 403) throw new ChannelError('Shopify access token lacks a scope (403)', 'auth', { status, channelCode: '403' });
    if (status === 429) {
      const body = await readJson(res.errors.response);
      const c = (body?.extensions as { cost?: CostExtension } | undefined)?.cost;
      this.budget.refund(estimate);
      this.budget.observe(c?.throttleStatus, operation, c?.requestedQueryCost);
      const header = Number(res.errors.response?.headers.get('retry-after'));
      const fromCost = c?.throttleStatus ? retryAfterFromThrottle(c.requestedQueryCost ?? estimate, c.throttleStatus) : undefined;
      const retryAfterMs = fromCost ?? (Number.isFinite(header) && header > 0 ? header * 1000 : 1000);
      throw new ChannelError('Shopify throttled the call (429)', 'rate_limited', { status, retryAfterMs, channelCode: 'THROTTLED' });
    }
    if (status >= 500) throw new ChannelError(`Shopify failed (${status})`, 'transient', { status, channelCode: String(status) });
    if (gqlErrors.some((e) => e.extensions?.code === 'THROTTLED')) {
      // Not charged: take our reservation back, and Shopify's figure (observed above) stands.
      this.budget.refund(estimate);
      this.budget.observe(cost?.throttleStatus, operation, cost?.requestedQueryCost);
      throw new ChannelError('Shopify throttled the call (THROTTLED)', 'rate_limited', {
        status,
        channelCode: 'THROTTLED',
        retryAfterMs: retryAfterFromThrottle(cost?.requestedQueryCost ?? estimate, cost?.throttleStatus),
      });
    }
    if (gqlErrors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
      throw new ChannelError('Shopify internal error', 'transient', { status, channelCode: 'INTERNAL_SERVER_ERROR' });
    }
    const first = gqlErrors[0];
    throw new ChannelError(`Shopify refused the request: ${first?.message ?? res.errors.message ?? status}`, 'validation', {
      status,
      channelCode: first?.extensions?.code,
    });
  }
}

async function readJson(response: Response | undefined): Promise<Record<string, unknown> | undefined> {
  try {
    return (await response?.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
