/**
 * inventorySetQuantities as Shopify documents it (channels.md §1): validation with userErrors
 * at HTTP 200, compare-and-set on changeFromQuantity (required from 2026-04, explicit null opts
 * out), all-or-nothing application, and an adjustment group carrying referenceDocumentUri.
 */
import type { AdjustmentGroup, ShopifyCatalog } from './catalog';

export const ALLOWED_REASONS = new Set([
  'correction', 'cycle_count_available', 'damaged', 'movement_created', 'movement_updated', 'movement_received',
  'movement_canceled', 'other', 'promotion', 'quality_control', 'received', 'reservation_created',
  'reservation_deleted', 'reservation_updated', 'restock', 'safety_stock', 'shrinkage',
]);
const MAX_QUANTITY = 1_000_000_000;

export interface QuantityRow {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  compareQuantity?: number | null;
  changeFromQuantity?: number | null;
}
export interface SetQuantitiesInput {
  name: string;
  reason: string;
  referenceDocumentUri?: string | null;
  ignoreCompareQuantity?: boolean | null;
  quantities: QuantityRow[];
}
export interface UserError {
  code: string;
  field: string[];
  message: string;
}
export interface SetQuantitiesPayload {
  inventoryAdjustmentGroup: Record<string, unknown> | null;
  userErrors: UserError[];
}

/** `strict` = 2026-04 semantics (changeFromQuantity required on every row). */
export function setQuantities(catalog: ShopifyCatalog, input: SetQuantitiesInput, strict: boolean): SetQuantitiesPayload {
  const errors: UserError[] = [];
  const err = (code: string, field: string[], message: string) => errors.push({ code, field, message });
  if (input.name !== 'available' && input.name !== 'on_hand') err('INVALID_NAME', ['input', 'name'], 'The quantity name must be either "available" or "on_hand".');
  if (!ALLOWED_REASONS.has(input.reason)) err('INVALID_REASON', ['input', 'reason'], 'The specified reason is invalid.');
  if (input.referenceDocumentUri != null && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(input.referenceDocumentUri)) {
    err('INVALID_REFERENCE_DOCUMENT', ['input', 'referenceDocumentUri'], 'The reference document URI is invalid.');
  }
  const seen = new Set<string>();
  input.quantities.forEach((row, i) => {
    const f = (name: string) => ['input', 'quantities', String(i), name];
    const variant = catalog.byItem.get(row.inventoryItemId);
    if (!variant) return err('INVALID_INVENTORY_ITEM', f('inventoryItemId'), 'The specified inventory item could not be found.');
    if (!catalog.locations.includes(row.locationId)) return err('INVALID_LOCATION', f('locationId'), 'The specified location could not be found.');
    if (!variant.levels.has(row.locationId)) return err('ITEM_NOT_STOCKED_AT_LOCATION', f('locationId'), 'The specified inventory item is not stocked at the location.');
    if (!variant.mutable) return err('NON_MUTABLE_INVENTORY_ITEM', f('inventoryItemId'), 'The inventory item cannot be adjusted directly.');
    const pair = `${row.inventoryItemId}|${row.locationId}`;
    if (seen.has(pair)) return err('NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR', f('inventoryItemId'), 'The combination of inventoryItemId and locationId must be unique.');
    seen.add(pair);
    if (row.quantity < 0) return err('INVALID_QUANTITY_NEGATIVE', f('quantity'), 'The quantity can\'t be negative.');
    if (row.quantity > MAX_QUANTITY) return err('INVALID_QUANTITY_TOO_HIGH', f('quantity'), 'The quantity can\'t be higher than 1,000,000,000.');
    const current = variant.levels.get(row.locationId) ?? 0;
    // 2026-01+: any changeFromQuantity given (even null) overrides compareQuantity/ignoreCompareQuantity.
    if ('changeFromQuantity' in row) {
      if (row.changeFromQuantity != null && row.changeFromQuantity !== current) {
        return err('CHANGE_FROM_QUANTITY_STALE', f('changeFromQuantity'), 'The current quantity does not match the changeFromQuantity value.');
      }
    } else if (strict) {
      return err('COMPARE_QUANTITY_REQUIRED', f('changeFromQuantity'), 'changeFromQuantity is required; pass null to skip the check.');
    } else if (!input.ignoreCompareQuantity) {
      if (row.compareQuantity == null) return err('COMPARE_QUANTITY_REQUIRED', f('compareQuantity'), 'compareQuantity is required unless ignoreCompareQuantity is true.');
      if (row.compareQuantity !== current) return err('COMPARE_QUANTITY_STALE', f('compareQuantity'), 'The compareQuantity does not match the current quantity.');
    }
  });
  // Any userError leaves every row untouched (the adapter re-reads after an error anyway).
  if (errors.length) return { inventoryAdjustmentGroup: null, userErrors: errors };

  const changes: AdjustmentGroup['changes'] = [];
  for (const row of input.quantities) {
    const variant = catalog.byItem.get(row.inventoryItemId)!;
    const before = variant.levels.get(row.locationId) ?? 0;
    variant.levels.set(row.locationId, row.quantity);
    if (row.quantity !== before) {
      changes.push({ name: input.name, delta: row.quantity - before, quantityAfterChange: row.quantity, itemId: row.inventoryItemId, locationId: row.locationId });
    }
  }
  if (changes.length === 0) return { inventoryAdjustmentGroup: null, userErrors: [] };
  const group: AdjustmentGroup = {
    id: `gid://shopify/InventoryAdjustmentGroup/${catalog.id()}`,
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    createdAt: new Date().toISOString(),
    changes,
  };
  catalog.adjustments.push(group);
  return {
    inventoryAdjustmentGroup: {
      __typename: 'InventoryAdjustmentGroup',
      id: group.id,
      reason: group.reason,
      referenceDocumentUri: group.referenceDocumentUri,
      createdAt: group.createdAt,
      changes: changes.map((c) => ({
        name: c.name,
        delta: c.delta,
        quantityAfterChange: c.quantityAfterChange,
        item: { __typename: 'InventoryItem', id: c.itemId },
        location: { __typename: 'Location', id: c.locationId, name: 'Shop location' },
      })),
    },
    userErrors: [],
  };
}
