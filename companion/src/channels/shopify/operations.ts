/** The GraphQL documents the Shopify adapter sends, and the wire shapes it reads back. */

export const RESOLVE_SKUS = /* GraphQL */ `
  query StocklineResolveSkus($first: Int!, $query: String!) {
    productVariants(first: $first, query: $query) {
      nodes { id sku inventoryItem { id } }
      pageInfo { hasNextPage }
    }
  }
`;
export interface ResolveSkusData {
  productVariants: { nodes: { id: string; sku: string | null; inventoryItem: { id: string } }[]; pageInfo?: { hasNextPage: boolean } };
}

export const READ_LEVELS = /* GraphQL */ `
  query StocklineReadLevels($ids: [ID!]!, $locationId: ID!) {
    nodes(ids: $ids) {
      ... on InventoryItem {
        id
        inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } }
      }
    }
  }
`;
export interface ReadLevelsData {
  nodes: ({ id?: string; inventoryLevel?: { quantities: { name: string; quantity: number }[] } | null } | null)[];
}

export const SET_QUANTITIES = /* GraphQL */ `
  mutation StocklineSetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $key) {
      inventoryAdjustmentGroup { id referenceDocumentUri changes { name delta quantityAfterChange } }
      userErrors { code field message }
    }
  }
`;
export interface SetQuantitiesData {
  inventorySetQuantities: {
    inventoryAdjustmentGroup: { id: string; referenceDocumentUri: string | null } | null;
    userErrors: { code: string | null; field: string[] | null; message: string }[];
  } | null;
}

/** Our writes carry this referenceDocumentUri prefix, so anything reading Shopify's inventory history can tell them apart. */
export const STOCKLINE_REFERENCE_PREFIX = 'gid://stockline/Push/';

/** The cost mirror's name for inventorySetQuantities calls (its last price is the next estimate). */
export const PUSH_OPERATION = 'push';
