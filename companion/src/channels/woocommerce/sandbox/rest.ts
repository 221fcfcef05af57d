/**
 * The WooCommerce REST v3 subset the sandbox serves: product lookup by SKU, products and
 * variations reads, single PUT and batch updates (≤ 100 items in total, 413
 * woocommerce_rest_request_entity_too_large beyond), per-item errors in a 200 batch answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxStats } from '../../sandbox-kit/types';
import type { WooAuth, WooAuthError } from './auth';
import type { WooProduct, WooStore, WooVariation } from './store';

const wpError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => ({
  code,
  message,
  data: { status, ...extra },
});
const notAllowed = (code: string, message: string): WooAuthError => ({ status: 401, body: wpError(401, code, message) });
const CANNOT_VIEW = notAllowed('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
const CANNOT_EDIT = notAllowed('woocommerce_rest_cannot_edit', 'Sorry, you are not allowed to edit this resource.');
const CANNOT_BATCH = notAllowed('woocommerce_rest_cannot_batch', 'Sorry, you are not allowed to batch manipulate this resource.');

type Query = Record<string, string | string[] | undefined>;
/** Last value of a repeated query key, as PHP's $_GET has it. */
const last = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
interface BatchBody {
  create?: unknown[];
  update?: { id?: unknown; stock_quantity?: unknown; manage_stock?: unknown }[];
  delete?: unknown[];
}

function productJson(p: WooProduct) {
  return { id: p.id, name: p.name, sku: p.sku, type: p.type, parent_id: 0, manage_stock: p.manage_stock, stock_quantity: p.stock_quantity, stock_status: p.stock_status, variations: p.variations, date_modified_gmt: p.date_modified_gmt };
}
function variationJson(v: WooVariation) {
  return { id: v.id, parent_id: v.parent_id, sku: v.sku, manage_stock: v.manage_stock, stock_quantity: v.stock_quantity, stock_status: v.stock_status, date_modified_gmt: v.date_modified_gmt };
}

function page<T>(reply: FastifyReply, all: T[], q: Query): T[] | FastifyReply {
  const perPage = last(q.per_page) === undefined ? 10 : Number(last(q.per_page));
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    return reply.code(400).send(wpError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page', { params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } }));
  }
  const n = Math.max(1, Number(last(q.page) ?? 1) || 1);
  reply.header('x-wp-total', String(all.length)).header('x-wp-totalpages', String(Math.ceil(all.length / perPage)));
  return all.slice((n - 1) * perPage, n * perPage);
}

const list = (v: string | string[] | undefined) => {
  const s = last(v);
  return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
};

/** stock_quantity must be an integer (WordPress also accepts an integer-looking string). */
function parseQuantity(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return null;
}

export function registerWooRest(app: FastifyInstance, store: WooStore, auth: WooAuth, stats: SandboxStats, batchLimit: number): void {
  const guard = (request: FastifyRequest, reply: FastifyReply, denied: WooAuthError): boolean => {
    stats.calls++;
    const err = auth.check(request, denied);
    if (err) reply.code(err.status).send(err.body);
    return !err;
  };

  app.get<{ Querystring: Query }>('/wp-json/wc/v3/products', async (request, reply) => {
    if (!guard(request, reply, CANNOT_VIEW)) return reply;
    const q = request.query;
    const skus = list(q.sku);
    const include = list(q.include).map(Number);
    const products = [...store.products.values()].map(productJson);
    // As WooCommerce does: a SKU filter searches variations too (post types product and
    // product_variation), and they come back as type 'variation' with their parent_id.
    const variations = skus.length ? [...store.variations.values()].map((v) => ({ ...variationJson(v), name: v.sku, type: 'variation', variations: [] as number[] })) : [];
    const all = [...products, ...variations].filter(
      (p) => (!skus.length || skus.includes(p.sku)) && (!last(q.type) || p.type === last(q.type)) && (!include.length || include.includes(p.id)),
    );
    return page(reply, all, q);
  });

  app.get<{ Params: { id: string } }>('/wp-json/wc/v3/products/:id', async (request, reply) => {
    if (!guard(request, reply, CANNOT_VIEW)) return reply;
    const p = store.products.get(Number(request.params.id));
    return p ? productJson(p) : reply.code(404).send(wpError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.'));
  });

  const updateOne = (target: WooProduct | WooVariation | undefined, body: { stock_quantity?: unknown; manage_stock?: unknown }, invalidId: string) => {
    if (!target) return { error: wpError(400, invalidId, 'Invalid ID.') };
    if (body.stock_quantity !== undefined) {
      const q = parseQuantity(body.stock_quantity);
      if (q === null) {
        return { error: wpError(400, 'rest_invalid_param', 'Invalid parameter(s): stock_quantity', { params: { stock_quantity: 'stock_quantity is not of type integer.' } }) };
      }
      store.setStock(target, q);
      stats.rowsWritten++;
    }
    if (body.manage_stock === false) target.manage_stock = false;
    return { ok: 'parent_id' in target ? variationJson(target) : productJson(target) };
  };

  app.put<{ Params: { id: string }; Body: { stock_quantity?: unknown; manage_stock?: unknown } }>('/wp-json/wc/v3/products/:id', async (request, reply) => {
    if (!guard(request, reply, CANNOT_EDIT)) return reply;
    const p = store.products.get(Number(request.params.id));
    const r = updateOne(p?.type === 'simple' ? p : undefined, request.body ?? {}, 'woocommerce_rest_product_invalid_id');
    if (r.error) return reply.code(r.error.data.status).send(r.error);
    stats.writes++;
    return r.ok;
  });

  const batch = (
    request: FastifyRequest<{ Body: BatchBody }>,
    reply: FastifyReply,
    find: (id: number) => WooProduct | WooVariation | undefined,
    invalidId: string,
  ) => {
    const body = request.body ?? {};
    const total = (body.create?.length ?? 0) + (body.update?.length ?? 0) + (body.delete?.length ?? 0);
    if (total > batchLimit) {
      return reply.code(413).send(wpError(413, 'woocommerce_rest_request_entity_too_large', `Unable to accept more than ${batchLimit} items for this request.`));
    }
    const unsupported = (id: unknown) => ({ id: Number(id) || 0, error: wpError(400, 'woocommerce_rest_sandbox_unsupported', 'The sandbox only updates stock.') });
    const update = (body.update ?? []).map((u) => {
      // WooCommerce's products endpoints refuse a variation's id with this error (404), not "invalid id".
      if (invalidId === 'woocommerce_rest_product_invalid_id' && store.variations.has(Number(u?.id))) {
        const message = 'To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.';
        return { id: Number(u?.id), error: wpError(404, 'woocommerce_rest_invalid_product_id', message) };
      }
      const r = updateOne(find(Number(u?.id)), u ?? {}, invalidId);
      return r.error ? { id: Number(u?.id) || 0, error: r.error } : r.ok;
    });
    if (update.some((u) => !('error' in u))) stats.writes++;
    return {
      ...(body.create ? { create: body.create.map(() => unsupported(0)) } : {}),
      ...(body.update ? { update } : {}),
      ...(body.delete ? { delete: body.delete.map(unsupported) } : {}),
    };
  };

  app.post<{ Body: BatchBody }>('/wp-json/wc/v3/products/batch', async (request, reply) => {
    if (!guard(request, reply, CANNOT_BATCH)) return reply;
    return batch(request, reply, (id) => {
      const p = store.products.get(id);
      return p?.type === 'simple' ? p : undefined;
    }, 'woocommerce_rest_product_invalid_id');
  });

  app.get<{ Params: { pid: string }; Querystring: Query }>('/wp-json/wc/v3/products/:pid/variations', async (request, reply) => {
    if (!guard(request, reply, CANNOT_VIEW)) return reply;
    const parent = store.products.get(Number(request.params.pid));
    if (!parent) return reply.code(404).send(wpError(404, 'woocommerce_rest_product_invalid_id', 'Invalid ID.'));
    const skus = list(request.query.sku);
    const include = list(request.query.include).map(Number);
    const all = parent.variations
      .map((id) => store.variations.get(id)!)
      .filter((v) => (!skus.length || skus.includes(v.sku)) && (!include.length || include.includes(v.id)));
    const out = page(reply, all, request.query);
    return Array.isArray(out) ? out.map(variationJson) : out;
  });

  // Orders, for reconciliation polls: modified_after (GMT with dates_are_gmt=true), oldest first.
  app.get<{ Querystring: Query }>('/wp-json/wc/v3/orders', async (request, reply) => {
    if (!guard(request, reply, CANNOT_VIEW)) return reply;
    const after = last(request.query.modified_after);
    const all = [...store.orders.values()]
      .filter((o) => !after || o.date_modified_gmt > after.replace(/Z$|\.\d+Z?$/, ''))
      .sort((a, b) => (a.date_modified_gmt < b.date_modified_gmt ? -1 : a.date_modified_gmt > b.date_modified_gmt ? 1 : a.id - b.id));
    if (last(request.query.order) === 'desc') all.reverse();
    return page(reply, all, request.query);
  });

  app.post<{ Params: { pid: string }; Body: BatchBody }>('/wp-json/wc/v3/products/:pid/variations/batch', async (request, reply) => {
    if (!guard(request, reply, CANNOT_BATCH)) return reply;
    const pid = Number(request.params.pid);
    return batch(request, reply, (id) => {
      const v = store.variations.get(id);
      return v?.parent_id === pid ? v : undefined;
    }, 'woocommerce_rest_product_variation_invalid_id');
  });
}
