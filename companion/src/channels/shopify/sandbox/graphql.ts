/**
 * Executes Admin GraphQL requests against the sandbox catalog with graphql-js: parse, validate
 * against the SDL subset, price the query, take the cost from the leaky bucket (THROTTLED when
 * short), then run the resolvers. `@idempotent` keys replay the first result and refuse a
 * different input under the same key, as Shopify documents.
 */
import {
  GraphQLError, execute, getDirectiveValues, parse, validate, type DocumentNode, type GraphQLResolveInfo,
} from 'graphql';
import { TokenBucket } from '../../sandbox-kit/token-bucket';
import type { ShopifyCatalog, SandboxVariant } from './catalog';
import type { ShopifyOrder, ShopifyOrders } from './orders';
import { requestedCost } from './cost';
import { shopifySchema } from './schema';
import { setQuantities, type SetQuantitiesInput, type SetQuantitiesPayload } from './set-quantities';

export interface GraphQLOutcome {
  status: number;
  body: Record<string, unknown>;
  throttled: boolean;
  wrote: number;
}

export interface GraphQLOptions {
  costBucket: { max: number; restoreRate: number };
  throttleStatusCode: 200 | 429;
  applyDelayMs: number;
  throttling: () => boolean;
  /** Runs before each inventorySetQuantities is applied, with the SKUs of its rows (tests: a shopper buying meanwhile). */
  beforeSetQuantities?: (skus: (string | null)[]) => void | Promise<void>;
}

const schema = shopifySchema();
const idempotentDirective = schema.getDirective('idempotent')!;

export class ShopifyGraphQL {
  readonly bucket: TokenBucket;
  private idempotency = new Map<string, { input: string; payload: SetQuantitiesPayload }>();
  private inFlight = new Set<string>();
  private parsed = new Map<string, DocumentNode>();

  constructor(
    private catalog: ShopifyCatalog,
    private opts: GraphQLOptions,
    private orders?: ShopifyOrders,
  ) {
    this.bucket = new TokenBucket(opts.costBucket.restoreRate, opts.costBucket.max);
  }

  private throttleStatus() {
    return {
      maximumAvailable: this.bucket.max,
      currentlyAvailable: Math.floor(this.bucket.available()),
      restoreRate: this.bucket.rate,
    };
  }

  async run(query: unknown, variables: unknown, operationName: unknown, version: string): Promise<GraphQLOutcome> {
    if (typeof query !== 'string' || !query.trim()) {
      return { status: 400, body: { errors: { query: ['Required parameter missing or invalid'] } }, throttled: false, wrote: 0 };
    }
    const vars = (variables && typeof variables === 'object' ? variables : {}) as Record<string, unknown>;
    let doc = this.parsed.get(query);
    if (!doc) {
      try {
        doc = parse(query);
      } catch (e) {
        return { status: 200, body: { errors: [(e as GraphQLError).toJSON()] }, throttled: false, wrote: 0 };
      }
      const problems = validate(schema, doc);
      if (problems.length) return { status: 200, body: { errors: problems.map((p) => p.toJSON()) }, throttled: false, wrote: 0 };
      if (this.parsed.size < 500) this.parsed.set(query, doc);
    }
    const cost = requestedCost(doc, typeof operationName === 'string' ? operationName : undefined, vars);
    if (this.opts.throttling() && !this.bucket.tryTake(cost)) {
      return {
        status: this.opts.throttleStatusCode,
        throttled: true,
        wrote: 0,
        body: {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
          extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: this.throttleStatus() } },
        },
      };
    }
    const strict = version === 'unstable' || version >= '2026-04';
    const ctx = { wrote: 0 };
    const result = await execute({
      schema,
      document: doc,
      variableValues: vars,
      operationName: typeof operationName === 'string' ? operationName : undefined,
      rootValue: this.root(strict),
      contextValue: ctx,
    });
    const body: Record<string, unknown> = {};
    if (result.errors?.length) body.errors = result.errors.map((e) => e.toJSON());
    if (result.data !== undefined) body.data = result.data;
    body.extensions = { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: this.throttleStatus() } };
    return { status: 200, body, throttled: false, wrote: ctx.wrote };
  }

  private variantNode(v: SandboxVariant): Record<string, unknown> {
    const item = (): Record<string, unknown> => this.itemNode(v);
    return {
      __typename: 'ProductVariant',
      id: v.variantId,
      sku: v.sku,
      title: 'Default Title',
      product: { __typename: 'Product', id: v.productId, title: v.sku },
      inventoryItem: item,
    };
  }

  private itemNode(v: SandboxVariant): Record<string, unknown> {
    const level = (locationId: string) => {
      if (!v.levels.has(locationId)) return null;
      return {
        __typename: 'InventoryLevel',
        id: `gid://shopify/InventoryLevel/${v.inventoryItemId.split('/').pop()}?inventory_item_id=${locationId.split('/').pop()}`,
        location: { __typename: 'Location', id: locationId, name: 'Shop location' },
        item: () => this.itemNode(v),
        quantities: ({ names }: { names: string[] }) =>
          names
            .filter((n) => n === 'available' || n === 'on_hand')
            .map((name) => ({ id: `${v.inventoryItemId}/${name}`, name, quantity: v.levels.get(locationId) ?? 0, updatedAt: null })),
      };
    };
    return {
      __typename: 'InventoryItem',
      id: v.inventoryItemId,
      sku: v.sku,
      tracked: true,
      variant: () => this.variantNode(v),
      inventoryLevel: ({ locationId }: { locationId: string }) => level(locationId),
      inventoryLevels: () => ({ nodes: [...v.levels.keys()].map(level) }),
    };
  }

  private root(strict: boolean) {
    return {
      productVariants: ({ first, query }: { first?: number | null; query?: string | null }) => {
        if (first == null) throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
        if (first > 250) throw new GraphQLError('The first argument exceeds the maximum of 250.', { extensions: { code: 'MAX_COST_EXCEEDED' } });
        const found = this.catalog.search(query ?? undefined);
        return { nodes: found.slice(0, first).map((v) => this.variantNode(v)), pageInfo: { hasNextPage: found.length > first, endCursor: null } };
      },
      inventoryItem: ({ id }: { id: string }) => {
        const v = this.catalog.byItem.get(id);
        return v ? this.itemNode(v) : null;
      },
      location: ({ id }: { id?: string | null }) => {
        const lid = id ?? this.catalog.locationId;
        return this.catalog.locations.includes(lid) ? { id: lid, name: 'Shop location' } : null;
      },
      nodes: ({ ids }: { ids: string[] }) =>
        ids.map((id) => {
          const v = this.catalog.byItem.get(id);
          if (v) return this.itemNode(v);
          const variant = [...this.catalog.byItem.values()].find((x) => x.variantId === id);
          return variant ? this.variantNode(variant) : null;
        }),
      orders: (args: { first?: number | null; after?: string | null; query?: string | null; sortKey?: string | null; reverse?: boolean | null }) =>
        this.listOrders(args),
      inventorySetQuantities: (args: { input: SetQuantitiesInput }, ctx: { wrote: number }, info: GraphQLResolveInfo) =>
        this.setQuantities(args.input, strict, ctx, info),
    };
  }

  /** Orders search: `updated_at:>=…` / `>…` / `created_at:…` filters, sorted, cursor = offset. */
  private listOrders(args: { first?: number | null; after?: string | null; query?: string | null; sortKey?: string | null; reverse?: boolean | null }) {
    if (args.first == null) throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
    let all = [...(this.orders?.byId.values() ?? [])];
    for (const m of (args.query ?? '').matchAll(/(updated_at|created_at):(>=|<=|>|<)'?"?([^'"\s]+)'?"?/g)) {
      const field = m[1] === 'updated_at' ? 'updated_at' : 'created_at';
      const at = Date.parse(m[3]!);
      const cmp = { '>=': (x: number) => x >= at, '<=': (x: number) => x <= at, '>': (x: number) => x > at, '<': (x: number) => x < at }[m[2] as '>='];
      all = all.filter((o) => cmp(Date.parse(o[field])));
    }
    const key = args.sortKey === 'UPDATED_AT' ? 'updated_at' : args.sortKey === 'CREATED_AT' ? 'created_at' : 'id';
    all.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id));
    if (args.reverse) all.reverse();
    const start = args.after ? Number(Buffer.from(args.after, 'base64').toString()) : 0;
    const slice = all.slice(start, start + args.first);
    const end = start + slice.length;
    return {
      nodes: slice.map((o) => this.orderNode(o)),
      pageInfo: { hasNextPage: end < all.length, endCursor: slice.length ? Buffer.from(String(end)).toString('base64') : null },
    };
  }

  private orderNode(o: ShopifyOrder): Record<string, unknown> {
    return {
      __typename: 'Order',
      id: o.admin_graphql_api_id,
      legacyResourceId: String(o.id),
      name: o.name,
      createdAt: o.created_at,
      updatedAt: o.updated_at,
      cancelledAt: o.cancelled_at,
      lineItems: ({ first }: { first?: number | null }) => ({
        nodes: o.line_items.slice(0, first ?? 50).map((l) => ({ id: `gid://shopify/LineItem/${l.id}`, sku: l.sku, quantity: l.quantity })),
        pageInfo: { hasNextPage: o.line_items.length > (first ?? 50), endCursor: null },
      }),
    };
  }

  private async setQuantities(input: SetQuantitiesInput, strict: boolean, ctx: { wrote: number }, info: GraphQLResolveInfo) {
    if (input.quantities.length > 250) {
      throw new GraphQLError(`The input array size of ${input.quantities.length} is greater than the maximum allowed of 250.`, {
        extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
      });
    }
    const directive = getDirectiveValues(idempotentDirective, info.fieldNodes[0]!, info.variableValues) as { key?: string } | undefined;
    const key = directive?.key;
    if (!key) {
      if (strict) {
        throw new GraphQLError('The @idempotent directive is required for this mutation.', { extensions: { code: 'BAD_REQUEST' } });
      }
      return this.apply(input, strict, ctx);
    }
    const fingerprint = JSON.stringify(input);
    const previous = this.idempotency.get(key);
    if (previous) {
      if (previous.input !== fingerprint) {
        return {
          inventoryAdjustmentGroup: null,
          userErrors: [{ code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH', field: ['idempotencyKey'], message: 'The same idempotency key was used with different parameters.' }],
        };
      }
      return previous.payload;
    }
    if (this.inFlight.has(key)) {
      return {
        inventoryAdjustmentGroup: null,
        userErrors: [{ code: 'IDEMPOTENCY_CONCURRENT_REQUEST', field: ['idempotencyKey'], message: 'A request with this idempotency key is already in progress.' }],
      };
    }
    this.inFlight.add(key);
    try {
      if (this.opts.applyDelayMs > 0) await new Promise((r) => setTimeout(r, this.opts.applyDelayMs));
      await this.opts.beforeSetQuantities?.(input.quantities.map((q) => this.catalog.byItem.get(q.inventoryItemId)?.sku ?? null));
      const payload = this.apply(input, strict, ctx);
      this.idempotency.set(key, { input: fingerprint, payload });
      return payload;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private apply(input: SetQuantitiesInput, strict: boolean, ctx: { wrote: number }): SetQuantitiesPayload {
    const payload = setQuantities(this.catalog, input, strict);
    if (!payload.userErrors.length) ctx.wrote += input.quantities.length;
    return payload;
  }
}
