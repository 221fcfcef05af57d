/**
 * SP-API wire shapes (shared/channels.md §2), shared by the client and the sandbox so both
 * speak the same subset. Nothing outside channels/amazon imports these.
 */

/** `{"errors":[…]}` body of every non-2xx SP-API answer. */
export interface SpApiError {
  code: string;
  message: string;
  details?: string;
}
export interface SpApiErrorBody {
  errors: SpApiError[];
}

export interface LwaTokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token?: string;
}
export interface LwaErrorBody {
  error: 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_request';
  error_description: string;
}

export type PatchOp = 'add' | 'replace' | 'merge' | 'delete';
export interface FulfillmentAvailability {
  fulfillment_channel_code: string;
  quantity?: number;
  lead_time_to_ship_max_days?: number;
  restock_date?: string;
}
export interface ListingsPatch {
  op: PatchOp;
  path: string;
  value?: unknown[];
}
export interface ListingsItemPatchRequest {
  productType: string;
  patches: ListingsPatch[];
}

export interface ListingsIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
}
export interface ListingsItemSubmissionResponse {
  sku: string;
  status: 'ACCEPTED' | 'INVALID' | 'VALID';
  submissionId: string;
  issues?: ListingsIssue[];
}

/** getListingsItem with includedData=summaries,fulfillmentAvailability. */
export interface ListingsItem {
  sku: string;
  summaries?: { marketplaceId: string; asin: string; productType: string; status: string[] }[];
  fulfillmentAvailability?: { fulfillmentChannelCode: string; quantity?: number }[];
  issues?: ListingsIssue[];
}

export interface FeedDocumentCreated {
  feedDocumentId: string;
  url: string;
}
export type FeedStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';
export interface Feed {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  createdTime: string;
  processingStatus: FeedStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
}
export interface JsonListingsFeed {
  header: { sellerId: string; version: '2.0'; issueLocale?: string };
  messages: {
    messageId: number;
    sku: string;
    operationType: 'PATCH' | 'PARTIAL_UPDATE' | 'UPDATE' | 'DELETE';
    productType: string;
    patches?: ListingsPatch[];
  }[];
}
export interface JsonListingsFeedReport {
  header: { sellerId: string; version: '2.0'; feedId: string };
  issues: { messageId: number; sku?: string; code: string; severity: 'ERROR' | 'WARNING' | 'INFO'; message: string }[];
  summary: { errors: number; warnings: number; messagesProcessed: number; messagesAccepted: number; messagesInvalid: number };
}

export type OrderStatus =
  | 'Pending'
  | 'Unshipped'
  | 'PartiallyShipped'
  | 'Shipped'
  | 'Canceled'
  | 'Unfulfillable'
  | 'InvoiceUnconfirmed'
  | 'PendingAvailability';

export interface Order {
  AmazonOrderId: string;
  PurchaseDate: string;
  LastUpdateDate: string;
  OrderStatus: OrderStatus;
  FulfillmentChannel: 'MFN' | 'AFN';
  MarketplaceId: string;
  NumberOfItemsShipped?: number;
  NumberOfItemsUnshipped?: number;
}
export interface GetOrdersResponse {
  payload: { Orders: Order[]; NextToken?: string; LastUpdatedBefore?: string; CreatedBefore?: string };
}
export interface OrderItem {
  ASIN: string;
  SellerSKU: string;
  OrderItemId: string;
  QuantityOrdered: number;
  QuantityShipped?: number;
}
export interface GetOrderItemsResponse {
  payload: { AmazonOrderId: string; OrderItems: OrderItem[]; NextToken?: string };
}

/** ORDER_CHANGE notification (schemas/notifications/OrderChangeNotification.json). */
export interface OrderChangeNotification {
  NotificationVersion: '1.0';
  NotificationType: 'ORDER_CHANGE';
  PayloadVersion: '1.0';
  EventTime: string;
  Payload: {
    OrderChangeNotification: {
      NotificationLevel: 'OrderLevel';
      SellerId: string;
      AmazonOrderId: string;
      OrderChangeType: 'OrderStatusChange' | 'BuyerRequestedChange';
      OrderChangeTrigger: { TimeOfOrderChange: string; ChangeReason: string };
      Summary: {
        MarketplaceId: string;
        OrderStatus: OrderStatus;
        PurchaseDate: string;
        FulfillmentType: 'MFN' | 'AFN';
        OrderItems: { OrderItemId: string; SellerSKU: string; Quantity: number; IsBuyerRequestedCancel?: boolean }[];
      };
    };
  };
  NotificationMetadata: { ApplicationId: string; SubscriptionId: string; PublishTime: string; NotificationId: string };
}

/** The sandbox's SQS-like queue (`/_sandbox/sqs/*`): a message as received. */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
}
