/**
 * Flipkart Marketplace Seller API v3 wire shapes (shared/channels.md §3), shared by the client and
 * the sandbox. Nothing outside channels/flipkart imports these.
 */

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
}
/** OAuth errors of the token endpoint and of Bearer calls. */
export interface OAuthError {
  error: string;
  error_description: string;
}

export interface InventoryLocation {
  id: string;
  inventory: number;
}
/** POST /listings/v3/update/inventory: SKU → FSN + per-location inventory, ≤ 10 SKUs. */
export type InventoryUpdateRequest = Record<string, { product_id: string; locations: InventoryLocation[] }>;

export interface ListingError {
  severity: 'ERROR' | 'WARNING';
  code: string;
  description: string;
  path?: string;
}
export interface SkuResult {
  status: 'SUCCESS' | 'FAILURE' | 'WARNING';
  errors: ListingError[];
  attribute_errors: ListingError[];
}
export type InventoryUpdateResponse = Record<string, SkuResult>;
/** Request-level failure (400/500). */
export interface RequestErrorBody {
  status: 'FAILURE';
  errors: ListingError[];
}

export interface ListingLocation {
  id: string;
  status: 'ENABLED' | 'DISABLED';
  inventory: number;
  pending_inventory?: number;
}
export interface ListingView {
  sku: string;
  product_id: string;
  locations: ListingLocation[];
}
/** GET /listings/v3/{skuIds}. */
export interface ListingsResponse {
  available: Record<string, ListingView>;
  unavailable: string[];
}

export type ShipmentType = 'preDispatch' | 'postDispatch' | 'cancelled';
export const STATES: Record<ShipmentType, string[]> = {
  preDispatch: ['APPROVED', 'PACKING_IN_PROGRESS', 'FORM_FAILED', 'PACKED', 'READY_TO_DISPATCH'],
  postDispatch: ['SHIPPED', 'DELIVERED', 'PICKUP_COMPLETE'],
  cancelled: ['CANCELLED'],
};

export interface ShipmentFilterRequest {
  filter: {
    type: ShipmentType;
    states?: string[];
    sku?: string[];
    locationId?: string;
    orderDate?: { from?: string; to?: string };
    modifiedDate?: { from?: string; to?: string };
    dispatchByDate?: { from?: string; to?: string };
  };
  pagination?: { pageSize?: number };
  sort?: { field: string; order: 'asc' | 'desc' };
}
export interface OrderItem {
  orderItemId: string;
  orderId: string;
  status: string;
  quantity: number;
  sku: string;
  fsn: string;
  orderDate: string;
  cancellationDate?: string;
  cancellationReason?: string;
}
export interface Shipment {
  shipmentId: string;
  locationId: string;
  hold: boolean;
  dispatchAfterDate: string;
  dispatchByDate: string;
  updatedAt: string;
  orderItems: OrderItem[];
}
export interface ShipmentFilterResponse {
  hasMore: boolean;
  nextPageUrl: string | null;
  shipments: Shipment[];
}
