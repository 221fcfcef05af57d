/**
 * One push's rows through inventorySetQuantities, cheap under conflicts.
 *
 * Shopify applies a batch all-or-nothing: a refused batch returns no adjustment group (the one
 * real answer on record, community.shopify.com t/228350, has a userError on row 1 and
 * `inventoryAdjustmentGroup: null`), so one stale row holds back every other row of its call.
 * During a sale on Shopify itself almost every batch has one (Shopify sold a unit since our
 * last acknowledgement). On a refusal:
 * - a row refused for the first time at this changeFromQuantity is answered `stale` unread
 *   (current null): its usual cause is a Shopify sale whose order reaches the ledger moments
 *   later and changes what propagation sends anyway. A read costs ~3 points per item from the
 *   budget the pushes need; under the published limits, reading every stale row of a flash sale
 *   took the whole budget (pushes queued for it, met more sales while queueing, and the lag grew
 *   to seconds: limits-on bench, Shopify converged 58× its floor);
 * - a row refused again at the same changeFromQuantity (no order explained the first refusal: a
 *   manual edit, a restock on Shopify) is read (only those) and settled: at the target → ok;
 *   above it → set again with the value just read as changeFromQuantity (lowering never puts a
 *   sale we have not heard of back on sale, and it is what propagation would push next anyway);
 *   below it → `stale` with that value;
 * - the clean rows go again at once (before the refusal memory has answered), in parts sized to
 *   the refusal rate, as many as the budget pays for now (resendParts), and the rows to lower in
 *   a call of their own once read; a resend refused too sends its rows back to propagation
 *   `unsent`, to leave in its next push
 *   with fresh compare values (the orders of the sales that refused them will have reached the
 *   ledger). Every call is 10 of the 100 points Shopify restores per second, and a resend's
 *   compare values age: while Shopify sells a few units a second per SKU, resending the rest
 *   again and again (or halving it, as before) met a new sale almost every time and spent the
 *   budget on refusals.
 * A resend must go out at once for the same reason: it waits for the budget at most
 * RESEND_WAIT_MS, else its rows go back `unsent` too (queued behind each other for the budget,
 * resends of one or two rows waited 1.5 s each in the limits-on bench).
 * Once Shopify has answered the first call, a resend that fails (network, a throttle Shopify
 * imposes regardless) fails only its own rows: what was already applied is reported as applied.
 */
import { createHash } from 'node:crypto';
import { ChannelError, type PushItem, type PushOutcome } from '../port';
import type { ShopifyClient } from './client';
import { localRefusals, type RefusalMemory } from './refusals';
import { PUSH_OPERATION, READ_LEVELS, SET_QUANTITIES, STOCKLINE_REFERENCE_PREFIX, type ReadLevelsData, type SetQuantitiesData } from './operations';

const STALE = new Set(['CHANGE_FROM_QUANTITY_STALE', 'COMPARE_QUANTITY_STALE']);
/** Shopify's userError code for an inventory item that no longer exists: its cached id is forgotten. */
export const GONE_ITEM = 'INVALID_INVENTORY_ITEM';
const NOT_FOUND = new Set([GONE_ITEM, 'INVALID_LOCATION', 'ITEM_NOT_STOCKED_AT_LOCATION']);
/**
 * Longest a resend may queue for the cost budget before its rows go back to propagation
 * (unsent). The first call keeps the client's limit: its throttle goes to propagation, which
 * pauses the channel.
 */
const RESEND_WAIT_MS = 250;
const READ_CHUNK = 100;
/** A resend part's wanted chance of meeting a new sale (see resendParts), its fewest rows, and the most parts. */
const RESEND_RISK = 0.25;
const MIN_RESEND_PART = 4;
const MAX_RESEND_PARTS = 8;
/**
 * A push while the budget is tight (see pushSize): its chance of meeting a new sale (higher than a
 * resend's: here every point counts, so more rows per call), its fewest rows, and the points
 * (ten pushes) above which the budget is not tight.
 */
const TIGHT_PUSH_RISK = 0.5;
const MIN_TIGHT_PUSH = 10;
const PLENTY_POINTS = 100;
/** Weight of the latest first call in the recent refused share (what pushSize sizes pushes by). */
const SHARE_WEIGHT = 0.2;

/**
 * Rows worth one call at a refused share f: a call of n rows is refused when any of them sold on
 * Shopify meanwhile, so a call of ~risk / f rows is refused about `risk` of the time.
 */
const rowsWorthACall = (share: number, risk: number, fewest: number) => Math.max(fewest, Math.ceil(risk / share));

export interface Row {
  index: number;
  item: PushItem;
  inventoryItemId: string;
}
type UserError = NonNullable<SetQuantitiesData['inventorySetQuantities']>['userErrors'][number];

/** A UUID-shaped key derived from the push's item keys: stable across retries of the same push to the same items. */
export function pushKey(itemKeys: string[], salt = ''): string {
  const h = createHash('sha256').update(`${salt}|${itemKeys.join('\n')}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const unsent = (r: Row): PushOutcome => ({ sku: r.item.sku, status: 'unsent' });

/** A row a resend or a read could not carry: unsent when our own budget said wait (not a failure), else failed as the call did. */
const notApplied = (r: Row, err: ChannelError): PushOutcome =>
  err.options.channelCode === 'BUDGET' ? unsent(r) : failed(r.item.sku, err.kind, err.message, { channelCode: err.options.channelCode, retryAfterMs: err.retryAfterMs });

export function failed(sku: string, kind: ChannelError['kind'], message: string, opts: { channelCode?: string; retryAfterMs?: number } = {}): PushOutcome {
  return { sku, status: 'failed', error: new ChannelError(message, kind, opts) };
}

export class RowSetter {
  /** Share of rows Shopify refused in recent first calls (an exponential average, weight SHARE_WEIGHT). */
  private refusedShare = 0;

  constructor(
    private client: ShopifyClient,
    private locationId: string,
    /** Called with SKUs whose inventory item Shopify no longer knows (the mapping forgets them). */
    private forget: (skus: string[]) => Promise<void>,
    /** Which compares Shopify refused before (shared through Redis by every worker process). */
    private refusals: RefusalMemory = localRefusals(),
  ) {}

  /** Sets `rows`, writing one outcome per row into `out[row.index]`. Errors of the first call are thrown. */
  run(rows: Row[], out: PushOutcome[]): Promise<void> {
    return this.setRows(rows, out, 0, false);
  }

  private async setRows(rows: Row[], out: PushOutcome[], round: number, renewed: boolean): Promise<void> {
    const salt = `${renewed ? 'retry' : ''}${round ? `round${round}` : ''}`;
    // The inventory item ids are part of the key: a retried push whose SKU now maps to another
    // item (deleted and re-created; a stale mapping) is another request to Shopify, and reusing
    // the key would be refused as IDEMPOTENCY_KEY_PARAMETER_MISMATCH (a trial dead-lettered 600).
    const key = pushKey(rows.map((r) => `${r.item.idempotencyKey}@${r.inventoryItemId}`), salt);
    const input = {
      name: 'available',
      reason: 'correction',
      referenceDocumentUri: `${STOCKLINE_REFERENCE_PREFIX}${key}`,
      quantities: rows.map((r) => ({
        inventoryItemId: r.inventoryItemId,
        locationId: this.locationId,
        quantity: r.item.quantity,
        // 2026-04 requires the field on every row; explicit null = "unknown, do not compare".
        changeFromQuantity: r.item.expected ?? null,
      })),
    };
    let data: SetQuantitiesData;
    try {
      data = await this.client.request<SetQuantitiesData>(PUSH_OPERATION, SET_QUANTITIES, { input, key }, 10, round === 0 ? undefined : RESEND_WAIT_MS);
    } catch (err) {
      if (round === 0 || !(err instanceof ChannelError)) throw err;
      for (const r of rows) out[r.index] = notApplied(r, err);
      return;
    }
    const payload = data.inventorySetQuantities;
    if (!payload) {
      const message = 'Shopify returned no inventorySetQuantities payload';
      if (round === 0) throw new ChannelError(message, 'transient');
      for (const r of rows) out[r.index] = failed(r.item.sku, 'transient', message);
      return;
    }
    if (round === 0) {
      const stale = payload.userErrors.filter((e) => STALE.has(e.code ?? '')).length;
      this.refusedShare += SHARE_WEIGHT * (stale / rows.length - this.refusedShare);
    }
    if (payload.userErrors.length === 0) {
      for (const r of rows) out[r.index] = { sku: r.item.sku, status: 'ok', quantity: r.item.quantity };
      this.refusals.landed(rows.map((r) => r.inventoryItemId));
      return;
    }

    const byRow = new Map<number, UserError>();
    const general: UserError[] = [];
    for (const e of payload.userErrors) {
      const f = e.field ?? [];
      const i = f[0] === 'input' && f[1] === 'quantities' ? Number(f[2]) : NaN;
      if (Number.isInteger(i) && rows[i]) byRow.set(i, e);
      else general.push(e);
    }
    const codes = new Set(general.map((e) => e.code));
    if (codes.has('IDEMPOTENCY_CONCURRENT_REQUEST')) {
      const err = new ChannelError('Shopify is still applying this push (IDEMPOTENCY_CONCURRENT_REQUEST)', 'transient', {
        channelCode: 'IDEMPOTENCY_CONCURRENT_REQUEST',
        retryAfterMs: 500,
      });
      if (round === 0) throw err;
      for (const r of rows) out[r.index] = failed(r.item.sku, 'transient', err.message, { channelCode: 'IDEMPOTENCY_CONCURRENT_REQUEST', retryAfterMs: 500 });
      return;
    }
    if (codes.has('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED') && !renewed) {
      // Shopify asks for a new key; derive one so a transport retry of this push still lands on it.
      return this.setRows(rows, out, round, true);
    }
    if (general.length) {
      const e = general[0]!;
      for (const r of rows) out[r.index] = failed(r.item.sku, 'validation', `${e.code ?? 'ERROR'}: ${e.message}`, { channelCode: e.code ?? undefined });
      return;
    }

    const stale: Row[] = [];
    const clean: Row[] = [];
    const gone: string[] = [];
    rows.forEach((r, i) => {
      const e = byRow.get(i);
      if (!e) clean.push(r);
      else if (STALE.has(e.code ?? '')) stale.push(r);
      else {
        if (e.code === GONE_ITEM) gone.push(r.item.sku);
        out[r.index] = failed(r.item.sku, NOT_FOUND.has(e.code ?? '') ? 'not_found' : 'validation', `${e.code}: ${e.message}`, { channelCode: e.code ?? undefined });
      }
    });
    // The clean rows go again at once, while the refusal memory is asked (a Redis round trip) and
    // repeated refusals are read: every ms before the resend is a ms more for Shopify to sell one
    // of its rows. Rows to lower, found by the read, go in a call of their own.
    const refusedShare = stale.length / rows.length;
    const resent = round === 0 && clean.length ? Promise.all(this.resendParts(clean, refusedShare).map((part) => this.setRows(part, out, 1, renewed))) : undefined;
    if (round > 0) for (const r of clean) out[r.index] = unsent(r);
    const toRead: Row[] = [];
    const repeated = await this.repeatedRefusals(stale);
    stale.forEach((r, i) => {
      if (repeated[i]) toRead.push(r);
      else out[r.index] = { sku: r.item.sku, status: 'stale', current: null };
    });
    const [lower] = await Promise.all([toRead.length ? this.settleStale(toRead, out) : [], gone.length ? this.forget(gone) : undefined]);
    if (round > 0) for (const r of lower) out[r.index] = unsent(r);
    else if (lower.length) await this.setRows(lower, out, 1, renewed);
    await resent;
  }

  /**
   * The resend, split into calls that each stand a good chance: a call of n rows is refused when
   * any of them sold on Shopify meanwhile, so at the first call's refused share f a part of
   * ~RESEND_RISK / f rows is refused about RESEND_RISK of the time. Only as many parts as the
   * cost budget pays for now (at most MAX_RESEND_PARTS): under the published limits during a sale
   * that is one call, as before; unlimited, a 100-row resend at f = 2.5% goes as 8 calls of 12-13
   * rows instead of one that was refused ~90% of the time (limits-off bench: rows left unsent
   * round after round were Shopify's lag p99).
   */
  private resendParts(rows: Row[], refusedShare: number): Row[][] {
    if (refusedShare <= 0 || rows.length <= MIN_RESEND_PART) return [rows];
    const wanted = Math.ceil(rows.length / rowsWorthACall(refusedShare, RESEND_RISK, MIN_RESEND_PART));
    const affordable = Math.floor(this.client.budget.available() / this.client.budget.estimate(PUSH_OPERATION, 10));
    const parts = Math.max(1, Math.min(wanted, MAX_RESEND_PARTS, affordable));
    const size = Math.ceil(rows.length / parts);
    return chunk(rows, size);
  }

  /**
   * Rows the next push should carry: all it may while the cost budget has points to spare; near
   * it, as many as the recent refused share makes worth a call. A call costs 10 points however many
   * rows it carries and one row sold meanwhile refuses them all, so a 250-row call during a sale
   * almost never lands (limits-on bench: Shopify lag p99 4.0 s → 1.6 s with this).
   */
  pushSize(batchSize: number): number {
    if (this.refusedShare <= 0 || this.client.budget.available() >= PLENTY_POINTS) return batchSize;
    return Math.min(batchSize, rowsWorthACall(this.refusedShare, TIGHT_PUSH_RISK, MIN_TIGHT_PUSH));
  }

  /**
   * Per row: was this compare refused before (the row is read now)? Otherwise it is remembered and
   * answered stale unread. When the memory cannot answer (Redis down), every row counts as a first
   * refusal: what Shopify already applied must still be reported as applied.
   */
  private async repeatedRefusals(rows: Row[]): Promise<boolean[]> {
    if (!rows.length) return [];
    try {
      return await this.refusals.repeated(rows.map((r) => ({ id: r.inventoryItemId, expected: r.item.expected ?? null })));
    } catch {
      return rows.map(() => false);
    }
  }

  /** Reads the stale rows and settles each (see the file comment); returns the rows to lower now. */
  private async settleStale(rows: Row[], out: PushOutcome[]): Promise<Row[]> {
    const lower: Row[] = [];
    await Promise.all(
      chunk(rows, READ_CHUNK).map(async (part) => {
        let current: Map<string, number | null>;
        try {
          current = await this.readIds(part.map((r) => r.inventoryItemId), RESEND_WAIT_MS);
        } catch (err) {
          if (!(err instanceof ChannelError)) throw err;
          for (const r of part) out[r.index] = notApplied(r, err);
          return;
        }
        for (const r of part) {
          const now = current.get(r.inventoryItemId) ?? null;
          if (now === null) out[r.index] = failed(r.item.sku, 'not_found', 'item no longer stocked');
          else if (now === r.item.quantity) out[r.index] = { sku: r.item.sku, status: 'ok', quantity: now };
          else if (now > r.item.quantity) lower.push({ ...r, item: { ...r.item, expected: now, idempotencyKey: `${r.item.idempotencyKey}:from${now}` } });
          else out[r.index] = { sku: r.item.sku, status: 'stale', current: now };
        }
      }),
    );
    return lower;
  }

  /** `available` per inventory item (null: not stocked at the location), READ_CHUNK ids per query, in parallel. */
  async read(itemIds: string[]): Promise<Map<string, number | null>> {
    const maps = await Promise.all(chunk(itemIds, READ_CHUNK).map((ids) => this.readIds(ids)));
    return new Map(maps.flatMap((m) => [...m]));
  }

  private async readIds(ids: string[], maxWaitMs?: number): Promise<Map<string, number | null>> {
    // Priced per size: a read's cost grows with its ids, so one size's price is no estimate for another's.
    const data = await this.client.request<ReadLevelsData>(`read:${ids.length}`, READ_LEVELS, { ids, locationId: this.locationId }, ids.length * 3, maxWaitMs);
    return new Map(
      ids.map((id, k) => {
        const q = data.nodes[k]?.inventoryLevel?.quantities.find((x) => x.name === 'available');
        return [id, q ? q.quantity : null];
      }),
    );
  }

}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
