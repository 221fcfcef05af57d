/**
 * The subset of the Shopify Admin GraphQL schema (2026-04) the sandbox serves, written as SDL
 * so requests are parsed, validated and executed by graphql-js exactly as a real GraphQL server
 * would: unknown fields, wrong argument types and missing variables fail with GraphQL errors.
 */
import { buildSchema } from 'graphql';

export const SHOPIFY_SDL = /* GraphQL */ `
  "Makes a mutation idempotent (required at runtime on inventory mutations from 2026-04)."
  directive @idempotent(key: String!) on FIELD

  scalar DateTime

  interface Node { id: ID! }

  type Query {
    productVariants(first: Int, after: String, query: String): ProductVariantConnection!
    inventoryItem(id: ID!): InventoryItem
    location(id: ID): Location
    nodes(ids: [ID!]!): [Node]!
    orders(first: Int, after: String, query: String, sortKey: OrderSortKeys, reverse: Boolean): OrderConnection!
  }

  enum OrderSortKeys { CREATED_AT UPDATED_AT ID }
  type OrderConnection { nodes: [Order!]! pageInfo: PageInfo! }
  type Order implements Node {
    id: ID!
    legacyResourceId: String!
    name: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    cancelledAt: DateTime
    lineItems(first: Int): LineItemConnection!
  }
  type LineItemConnection { nodes: [LineItem!]! pageInfo: PageInfo! }
  type LineItem { id: ID! sku: String quantity: Int! }

  type Mutation {
    inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
  }

  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type ProductVariantConnection { nodes: [ProductVariant!]! pageInfo: PageInfo! }

  type Product implements Node { id: ID! title: String! }
  type ProductVariant implements Node {
    id: ID!
    sku: String
    title: String!
    product: Product!
    inventoryItem: InventoryItem!
  }
  type InventoryItem implements Node {
    id: ID!
    sku: String
    tracked: Boolean!
    variant: ProductVariant!
    inventoryLevel(locationId: ID!): InventoryLevel
    inventoryLevels(first: Int): InventoryLevelConnection!
  }
  type InventoryLevelConnection { nodes: [InventoryLevel!]! }
  type InventoryLevel implements Node {
    id: ID!
    location: Location!
    item: InventoryItem!
    quantities(names: [String!]!): [InventoryQuantity!]!
  }
  type InventoryQuantity { id: ID! name: String! quantity: Int! updatedAt: DateTime }
  type Location implements Node { id: ID! name: String! }

  input InventorySetQuantitiesInput {
    name: String!
    reason: String!
    referenceDocumentUri: String
    ignoreCompareQuantity: Boolean
    quantities: [InventoryQuantityInput!]!
  }
  input InventoryQuantityInput {
    inventoryItemId: ID!
    locationId: ID!
    quantity: Int!
    compareQuantity: Int
    changeFromQuantity: Int
  }
  type InventorySetQuantitiesPayload {
    inventoryAdjustmentGroup: InventoryAdjustmentGroup
    userErrors: [InventorySetQuantitiesUserError!]!
  }
  type InventoryAdjustmentGroup implements Node {
    id: ID!
    reason: String!
    referenceDocumentUri: String
    createdAt: DateTime!
    changes: [InventoryChange!]!
  }
  type InventoryChange { name: String! delta: Int! quantityAfterChange: Int item: InventoryItem location: Location }
  type InventorySetQuantitiesUserError { code: InventorySetQuantitiesUserErrorCode field: [String!] message: String! }
  enum InventorySetQuantitiesUserErrorCode {
    CHANGE_FROM_QUANTITY_STALE
    COMPARE_QUANTITY_REQUIRED
    COMPARE_QUANTITY_STALE
    IDEMPOTENCY_CONCURRENT_REQUEST
    IDEMPOTENCY_KEY_PARAMETER_MISMATCH
    IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED
    INVALID_INVENTORY_ITEM
    INVALID_LOCATION
    ITEM_NOT_STOCKED_AT_LOCATION
    NON_MUTABLE_INVENTORY_ITEM
    INVALID_NAME
    INVALID_QUANTITY_NEGATIVE
    INVALID_QUANTITY_TOO_HIGH
    INVALID_QUANTITY_TOO_LOW
    INVALID_REASON
    INVALID_REFERENCE_DOCUMENT
    NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR
  }
`;

export const shopifySchema = () => buildSchema(SHOPIFY_SDL);
